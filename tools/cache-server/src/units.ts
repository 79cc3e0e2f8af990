// Human-friendly sizes and ages for the command line: "500MB", "2GiB", "30d", "12h".
const SIZE_UNITS: Record<string, number> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
};
const AGE_UNITS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 };

/** Bytes from "123", "500MB", "1.5GiB" (case-insensitive); throws naming the option. */
export function parseSize(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const factor = match ? SIZE_UNITS[(match[2] || 'b').toLowerCase()] : undefined;
  if (!match || factor === undefined || Number(match[1]) <= 0) {
    throw new Error(`${option}: "${text}" is not a size (examples: 500MB, 2GiB, 1048576)`);
  }
  return Math.floor(Number(match[1]) * factor);
}

/** Milliseconds from "30d", "12h", "90m", "45s"; throws naming the option. */
export function parseAge(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([smhd])$/i.exec(text.trim());
  if (!match || Number(match[1]) <= 0) throw new Error(`${option}: "${text}" is not an age (examples: 30d, 12h, 90m)`);
  return Number(match[1]) * AGE_UNITS[match[2]!.toLowerCase()]!;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1e3) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}
