// Training-free baselines that make hybrids straight from real training images — the yardstick every
// learned generator is shown against:
//   blend      the pixel average of a random real clock and a random real crocodile;
//   frequency  hybrid images (Oliva, Torralba & Schyns, SIGGRAPH 2006): the Gaussian low-pass of one
//              image plus the high-pass complement of another, in both directions (clock low +
//              crocodile high, crocodile low + clock high; even hybrids the first, odd the second,
//              both made from the same pair).
// They have no class-conditional samples; the stand-in is the same operation on two different
// training images of one class (a blend of two clocks; the low-pass of one clock plus the high-pass of
// another), so KID/FID, precision/recall and the object-aware top-1 measure what the operation does
// to real images. Their strips: real clock | blend weights 1/(s+1) … s/(s+1) | real crocodile, and for
// frequency a cut-off sweep (σ from 0.5 to 8 px: mostly clock → clock's colours under crocodile detail).
import { shuffled, type Rng } from '@cvc/core';
import { gaussianBlur } from './gaussian-blur.ts';

export const BASELINE_KINDS = ['blend', 'frequency'] as const;
export type BaselineKind = (typeof BASELINE_KINDS)[number];
export const isBaseline = (kind: string): kind is BaselineKind => (BASELINE_KINDS as readonly string[]).includes(kind);

const SIZE = 32;
const PX = SIZE * SIZE * 3;
const toByte = (v: number) => Math.round(Math.min(255, Math.max(0, v)));

/** (1 − mix)·a + mix·b, rounded to bytes. */
export function blendImages(a: Uint8Array, b: Uint8Array, mix: number): Uint8Array {
  return Uint8Array.from(a, (v, i) => toByte((1 - mix) * v + mix * b[i]!));
}

/** low_σ(lowSource) + (highSource − low_σ(highSource)), clipped and rounded to bytes. */
export function frequencyHybrid(lowSource: Uint8Array, highSource: Uint8Array, sigma: number, size = SIZE): Uint8Array {
  const low = gaussianBlur(lowSource, size, sigma);
  const highBlur = gaussianBlur(highSource, size, sigma);
  return Uint8Array.from(low, (v, i) => toByte(v + highSource[i]! - highBlur[i]!));
}

export interface BaselineParams { sigma: number }

export interface BaselineInput {
  /** Every dataset image, uint8 [N, 32, 32, 3]. */
  images: Uint8Array;
  /** Dataset file names, for the provenance of each hybrid. */
  files: string[];
  /** Training-split indices of the clocks and of the crocodiles. */
  clocks: number[];
  crocodiles: number[];
}

export interface BaselineOutput {
  hybrids: Uint8Array;
  /** Per hybrid, the training images it was made from and how. */
  hybridSources: { a: string; b: string; how: string }[];
  /** Named subsets of hybrid indices (frequency: one per direction). */
  hybridGroups?: Record<string, number[]>;
  samples: { clock: Uint8Array; crocodile: Uint8Array };
  strips: { images: Uint8Array; columns: number };
}

const image = (all: Uint8Array, i: number) => all.subarray(i * PX, (i + 1) * PX);

function stack(images: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(images.length * PX);
  images.forEach((im, k) => out.set(im, k * PX));
  return out;
}

/** `n` draws from `pool` in a seeded order, cycling when n exceeds it. */
function draw(pool: number[], n: number, rng: Rng): number[] {
  if (pool.length === 0) throw new Error('baseline: a class has no training images');
  const order = shuffled(pool, rng);
  return Array.from({ length: n }, (_, k) => order[k % order.length]!);
}

/** `n` pairs of two different images of one class (the same image twice only if the class has one). */
function withinClassPairs(pool: number[], n: number, rng: Rng): [number, number][] {
  const a = draw(pool, 2 * n, rng);
  return Array.from({ length: n }, (_, k) => [a[2 * k]!, a[2 * k + 1]!]);
}

export const FREQUENCY_DIRECTIONS = ['clock low + crocodile high', 'crocodile low + clock high'] as const;

/** Geometric sweep of `steps` cut-offs from 0.5 to 8 px. */
export const sigmaSweep = (steps: number): number[] => Array.from({ length: steps }, (_, k) => 0.5 * 16 ** (k / Math.max(1, steps - 1)));

export function runBaseline(
  kind: BaselineKind,
  params: BaselineParams,
  input: BaselineInput,
  opts: { hybrids: number; samplesPerClass: number; strips: number; stripSteps: number },
  rng: (purpose: string) => Rng,
): BaselineOutput {
  const { images, files } = input;
  const make = (a: number, b: number, mixOrSigma?: number): Uint8Array =>
    kind === 'blend' ? blendImages(image(images, a), image(images, b), mixOrSigma ?? 0.5) : frequencyHybrid(image(images, a), image(images, b), mixOrSigma ?? params.sigma);
  const how = kind === 'blend' ? 'average' : `low-pass (σ ${params.sigma} px) of a + high-pass of b`;

  // Hybrids: blend — one pair each; frequency — one pair per two hybrids, both directions.
  const pairCount = kind === 'blend' ? opts.hybrids : Math.ceil(opts.hybrids / 2);
  const clocks = draw(input.clocks, pairCount, rng('hybrids-clocks'));
  const crocs = draw(input.crocodiles, pairCount, rng('hybrids-crocodiles'));
  const sources: [number, number][] = Array.from({ length: opts.hybrids }, (_, k) => {
    if (kind === 'blend') return [clocks[k]!, crocs[k]!];
    const p = k >> 1;
    return k % 2 === 0 ? [clocks[p]!, crocs[p]!] : [crocs[p]!, clocks[p]!];
  });
  const hybrids = stack(sources.map(([a, b]) => make(a, b)));
  const hybridSources = sources.map(([a, b]) => ({ a: files[a]!, b: files[b]!, how }));
  const hybridGroups =
    kind === 'frequency'
      ? Object.fromEntries(FREQUENCY_DIRECTIONS.map((name, d) => [name, sources.flatMap((_, k) => (k % 2 === d ? [k] : []))]))
      : undefined;

  const classSamples = (pool: number[], purpose: string) => stack(withinClassPairs(pool, opts.samplesPerClass, rng(purpose)).map(([a, b]) => make(a, b)));
  const samples = { clock: classSamples(input.clocks, 'samples-clock'), crocodile: classSamples(input.crocodiles, 'samples-crocodile') };

  // Strips: real clock | steps | real crocodile.
  const stripClocks = draw(input.clocks, opts.strips, rng('strips-clocks'));
  const stripCrocs = draw(input.crocodiles, opts.strips, rng('strips-crocodiles'));
  const sweep = kind === 'blend' ? Array.from({ length: opts.stripSteps }, (_, k) => (k + 1) / (opts.stripSteps + 1)) : sigmaSweep(opts.stripSteps);
  const rows = stripClocks.flatMap((c, s) => [image(images, c), ...sweep.map((v) => make(c, stripCrocs[s]!, v)), image(images, stripCrocs[s]!)]);
  return { hybrids, hybridSources, ...(hybridGroups ? { hybridGroups } : {}), samples, strips: { images: stack(rows), columns: opts.stripSteps + 2 } };
}
