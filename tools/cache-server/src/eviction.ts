// Which entries to drop: first those unused for longer than maxAge, then the least recently
// used until the store fits in maxBytes. Pure, so the rule is tested on its own.
export interface EntryInfo {
  hash: string;
  size: number;
  /** Last write or read, ms since the epoch. */
  lastUsed: number;
}

export interface EvictionPolicy {
  maxBytes?: number;
  maxAgeMs?: number;
}

export function chooseEvictions(entries: EntryInfo[], policy: EvictionPolicy, now: number): EntryInfo[] {
  const oldestFirst = [...entries].sort((a, b) => a.lastUsed - b.lastUsed || a.hash.localeCompare(b.hash));
  const evicted: EntryInfo[] = [];
  let total = entries.reduce((sum, e) => sum + e.size, 0);
  for (const entry of oldestFirst) {
    const tooOld = policy.maxAgeMs !== undefined && now - entry.lastUsed > policy.maxAgeMs;
    const overSize = policy.maxBytes !== undefined && total > policy.maxBytes;
    if (!tooOld && !overSize) break; // oldest first: once one stays, every newer one stays too
    evicted.push(entry);
    total -= entry.size;
  }
  return evicted;
}
