// Seeded randomness. Every random choice in the pipeline draws from a generator made here,
// seeded from the pipeline's one global seed and the name of what draws (stage, fold, ...).
import { createHash } from 'node:crypto';
import seedrandom from 'seedrandom';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
}

/** A 32-bit seed derived from a parent seed and a name: stable across runs and machines. */
export function deriveSeed(parent: number, name: string): number {
  return createHash('sha256').update(`${parent}:${name}`).digest().readUInt32LE(0);
}

export function createRng(seed: number): Rng {
  const alea = seedrandom.alea(String(seed));
  const next = (): number => alea();
  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal: () => {
      // 1 - u avoids log(0).
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
  };
}

/** Fisher–Yates shuffle of a copy. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
