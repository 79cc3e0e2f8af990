// The guides' random views: a shift with grey fill and a mirror, the same as tfjs's pad/slice/reverse,
// and a gradient that is the view's adjoint (what a step through the view moves in the image).
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@cvc/core';
import { initCompute, tf } from '@cvc/core/backend';
import { applyView, randomView, type View } from './guide-views.ts';

beforeAll(async () => { await initCompute(() => {}); });

/** The same view from tfjs's own ops (slow, the reference): pad by 8 with 0.5, cut the shifted window, mirror. */
function reference(x: tf.Tensor4D, v: View): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const padded = tf.pad(x, [[0, 0], [8, 8], [8, 8], [0, 0]], 0.5);
  const shifted = tf.slice(padded, [0, 8 - v.dy, 8 - v.dx, 0], [n, h, w, c]) as tf.Tensor4D;
  return v.flip ? (tf.reverse(shifted, 2) as tf.Tensor4D) : shifted;
}

describe('guide views', () => {
  const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 3) as tf.Tensor4D; // [2, 32, 32, 3]

  it('shifts with grey fill and mirrors, as pad + slice + reverse do', () => {
    for (const v of [{ dx: 3, dy: -2, flip: false }, { dx: -1, dy: 2, flip: true }, { dx: 0, dy: 0, flip: true }]) {
      const ours = applyView(tf, x, v).dataSync();
      const theirs = reference(x, v).dataSync();
      expect(Array.from(ours)).toEqual(Array.from(theirs));
    }
    const moved = applyView(tf, x, { dx: 2, dy: 0, flip: false });
    expect(moved.slice([0, 5, 0, 0], [1, 1, 2, 3]).dataSync().every((p) => p === 0.5)).toBe(true); // columns 0-1: fill
    expect(moved.slice([0, 5, 7, 1], [1, 1, 1, 1]).dataSync()[0]).toBe(x.slice([0, 5, 5, 1], [1, 1, 1, 1]).dataSync()[0]);
  });

  it('returns the image itself for the identity view', () => {
    expect(applyView(tf, x, { dx: 0, dy: 0, flip: false })).toBe(x);
  });

  it('has the adjoint as gradient: <view(x), y> differentiates to view-transpose(y)', () => {
    const y = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 5);
    const v = { dx: -3, dy: 1, flip: true };
    const ours = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(applyView(tf, t as tf.Tensor4D, v), y)))(x).dataSync();
    const theirs = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(reference(t as tf.Tensor4D, v), y)))(x).dataSync();
    expect(Math.max(...Array.from(ours).map((g, i) => Math.abs(g - theirs[i]!)))).toBeLessThan(1e-5);
  });

  it('draws shifts within ±maxShift and both mirrorings, reproducibly from the seed', () => {
    const draw = (seed: number) => { const r = createRng(seed); return Array.from({ length: 200 }, () => randomView(r, 3)); };
    const views = draw(11);
    expect(draw(11)).toEqual(views);
    expect(Math.max(...views.map((v) => Math.max(Math.abs(v.dx), Math.abs(v.dy))))).toBe(3);
    expect(new Set(views.map((v) => v.dx)).size).toBe(7);
    expect(views.some((v) => v.flip) && views.some((v) => !v.flip)).toBe(true);
  });
});
