// The training-free baselines on fixture images with known answers: the Gaussian low-pass, blends,
// frequency hybrids, and what runBaseline draws (training images only, both directions, seeded).
import { describe, expect, it } from 'vitest';
import { createRng } from '@cvc/core';
import { blendImages, frequencyHybrid, runBaseline, sigmaSweep } from './baselines.ts';
import { gaussianBlur, gaussianKernel } from './gaussian-blur.ts';

const S = 32;
const PX = S * S * 3;
const constant = (v: number) => new Uint8Array(PX).fill(v);
/** 1-pixel checkerboard of 0 / 255 (the highest spatial frequency). */
const checker = () => Uint8Array.from({ length: PX }, (_, i) => { const p = Math.floor(i / 3); return ((p % S) + Math.floor(p / S)) % 2 ? 255 : 0; });
/** A smooth horizontal ramp 0 … 248 (low frequencies only). */
const ramp = () => Uint8Array.from({ length: PX }, (_, i) => (Math.floor(i / 3) % S) * 8);
const seeded = (v: number) => { const rng = createRng(v); return Uint8Array.from({ length: PX }, () => rng.int(256)); };

describe('gaussianBlur', () => {
  it('has normalised symmetric taps out to 3σ, and σ = 0 is the identity', () => {
    const k = gaussianKernel(1.5);
    expect(k.length).toBe(2 * 5 + 1);
    expect(k.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(k[0]).toBeCloseTo(k[10]!, 15);
    expect(Array.from(gaussianKernel(0))).toEqual([1]);
    expect(Array.from(gaussianBlur(seeded(1), S, 0))).toEqual(Array.from(seeded(1)));
    expect(() => gaussianKernel(-1)).toThrow('gaussianKernel: sigma must be a finite number ≥ 0 (got -1)');
  });

  it('keeps a constant image constant (mirrored borders: no dark frame)', () => {
    const out = gaussianBlur(constant(77), S, 2);
    for (const v of out) expect(v).toBeCloseTo(77, 10);
  });

  it('turns a 1-pixel checkerboard into flat mid-grey, and leaves a linear ramp (away from the borders) as it was', () => {
    const flat = gaussianBlur(checker(), S, 1.5);
    for (let y = 8; y < 24; y++) for (let x = 8; x < 24; x++) expect(flat[(y * S + x) * 3]).toBeCloseTo(127.5, 0);
    const r = gaussianBlur(ramp(), S, 1.5);
    for (let x = 8; x < 24; x++) expect(r[(16 * S + x) * 3]).toBeCloseTo(x * 8, 8);
  });
});

describe('blend and frequency hybrids', () => {
  it('blend: the weighted average, rounded', () => {
    expect(blendImages(constant(0), constant(255), 0.5)[0]).toBe(128);
    expect(blendImages(constant(100), constant(200), 0.25)[5]).toBe(125);
  });

  it('low + high of the same image returns the image', () => {
    const a = seeded(3);
    expect(Array.from(frequencyHybrid(a, a, 1.5))).toEqual(Array.from(a));
  });

  it("takes the coarse image's low frequencies and the fine image's high frequencies", () => {
    // High-pass of a constant is 0: the low source comes out alone.
    expect(Array.from(frequencyHybrid(ramp(), constant(200), 1.5))).toEqual(Array.from(frequencyHybrid(ramp(), constant(3), 1.5)));
    // Grey low + checkerboard high = grey + (checker − 127.5) in the middle: the checkerboard around the grey level.
    const h = frequencyHybrid(constant(128), checker(), 1.5);
    const c = checker();
    for (let y = 8; y < 24; y++) for (let x = 8; x < 24; x++) expect(Math.abs(h[(y * S + x) * 3]! - (128 + c[(y * S + x) * 3]! - 127.5))).toBeLessThanOrEqual(1.5);
  });

  it('sweeps cut-offs geometrically from 0.5 to 8 px', () => {
    expect(sigmaSweep(5).map((s) => Number(s.toFixed(6)))).toEqual([0.5, 1, 2, 4, 8]);
  });
});

describe('runBaseline', () => {
  // Dataset: 6 clocks (indices 0–5, value 10 + i) and 6 crocodiles (6–11, value 200 + i); training split = all but 5 and 11.
  const images = new Uint8Array(12 * PX);
  for (let i = 0; i < 12; i++) images.fill(i < 6 ? 10 + i : 194 + i, i * PX, (i + 1) * PX);
  const files = Array.from({ length: 12 }, (_, i) => (i < 6 ? `clock/c${i}.png` : `crocodile/k${i}.png`));
  const input = { images, files, clocks: [0, 1, 2, 3, 4], crocodiles: [6, 7, 8, 9, 10] };
  const opts = { hybrids: 6, samplesPerClass: 4, strips: 2, stripSteps: 3 };
  const run = (kind: 'blend' | 'frequency', seed = 1) => runBaseline(kind, { sigma: 1.5 }, input, opts, (p) => createRng(seed * 1000 + p.length));
  const value = (all: Uint8Array, i: number) => all[i * PX]!;

  it('blend: each hybrid averages a training clock and a training crocodile; class samples average training images of the class', () => {
    const out = run('blend');
    expect(out.hybridSources).toHaveLength(6);
    out.hybridSources.forEach((s, i) => {
      const a = files.indexOf(s.a), b = files.indexOf(s.b);
      expect(input.clocks).toContain(a);
      expect(input.crocodiles).toContain(b);
      expect(value(out.hybrids, i)).toBe(Math.round((value(images, a) + value(images, b)) / 2));
    });
    for (let i = 0; i < 4; i++) {
      const v = value(out.samples.clock, i);
      expect(v).toBeGreaterThanOrEqual(10); // an average of training clocks 10…14, never the held-out 15 or a crocodile
      expect(v).toBeLessThanOrEqual(14);
    }
    expect(out.hybridGroups).toBeUndefined();
  });

  it('frequency: even hybrids clock low + crocodile high, odd ones the reverse of the same pair; groups name the two directions', () => {
    const out = run('frequency');
    for (let p = 0; p < 3; p++) {
      const even = out.hybridSources[2 * p]!, odd = out.hybridSources[2 * p + 1]!;
      expect(even.a.startsWith('clock/') && even.b.startsWith('crocodile/')).toBe(true);
      expect([odd.a, odd.b]).toEqual([even.b, even.a]);
      // Flat images: the hybrid is the low source's value (the high-pass of a flat image is 0).
      expect(value(out.hybrids, 2 * p)).toBe(value(images, files.indexOf(even.a)));
    }
    expect(out.hybridGroups).toEqual({ 'clock low + crocodile high': [0, 2, 4], 'crocodile low + clock high': [1, 3, 5] });
  });

  it('strips: real clock | steps | real crocodile; the same seed gives the same bytes, another seed other pairs', () => {
    const out = run('blend');
    expect(out.strips.columns).toBe(5);
    expect(out.strips.images.length).toBe(2 * 5 * PX);
    const row = [0, 1, 2, 3, 4].map((k) => value(out.strips.images, k));
    expect(row[0]).toBeLessThan(20);
    expect(row[4]).toBeGreaterThan(190);
    expect(row[1]).toBeLessThan(row[2]!); // weights 1/4, 2/4, 3/4 toward the crocodile
    expect(row[2]).toBeLessThan(row[3]!);
    expect(Buffer.from(run('frequency').hybrids).equals(Buffer.from(run('frequency').hybrids))).toBe(true);
    expect(run('blend', 2).hybridSources).not.toEqual(out.hybridSources);
  });
});
