import { describe, expect, it } from 'vitest';
import { createRng, deriveSeed, shuffled } from './random.ts';

describe('seeded randomness', () => {
  it('derives stable, name-dependent seeds', () => {
    expect(deriveSeed(20261129, 'data-prep')).toBe(deriveSeed(20261129, 'data-prep'));
    expect(deriveSeed(20261129, 'data-prep')).not.toBe(deriveSeed(20261129, 'classifier'));
    expect(deriveSeed(20261129, 'data-prep')).not.toBe(deriveSeed(20261130, 'data-prep'));
  });

  it('replays the same stream for the same seed and a different one otherwise', () => {
    const draw = (seed: number) => Array.from({ length: 5 }, createRng(seed).next);
    const a = createRng(1);
    expect(Array.from({ length: 5 }, () => a.next())).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });

  it('draws uniform values in [0,1) and integers in range, normals with mean ≈ 0 and sd ≈ 1', () => {
    const rng = createRng(3);
    const u = Array.from({ length: 20000 }, () => rng.next());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const ints = new Set(Array.from({ length: 2000 }, () => rng.int(7)));
    expect([...ints].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const n = Array.from({ length: 20000 }, () => rng.normal());
    const mean = n.reduce((s, v) => s + v, 0) / n.length;
    const sd = Math.sqrt(n.reduce((s, v) => s + (v - mean) ** 2, 0) / n.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(sd - 1)).toBeLessThan(0.03);
  });

  it('shuffles into a permutation without touching the input', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const out = shuffled(items, createRng(5));
    expect(out).not.toEqual(items);
    expect([...out].sort((a, b) => a - b)).toEqual(items);
    expect(items[0]).toBe(0);
    expect(shuffled(items, createRng(5))).toEqual(out);
  });
});
