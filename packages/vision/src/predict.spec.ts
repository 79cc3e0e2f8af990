import { beforeAll, describe, expect, it } from 'vitest';
import { initCompute, tf } from '@cvc/core/backend';
import { mirrored, shifted } from './predict.ts';

describe('test-time views', () => {
  beforeAll(() => initCompute(() => {}));
  const n = 2, size = 5;
  const data = Float32Array.from({ length: n * size * size * 3 }, (_, i) => i + 1);

  it('mirrored equals tf.reverse along W', () => {
    const expected = tf.reverse(tf.tensor4d(data, [n, size, size, 3]), 2).dataSync();
    expect(Array.from(mirrored(data, n, size))).toEqual(Array.from(expected));
  });

  it('shifted moves the content by (dx, dy) and fills the border with 0', () => {
    const at = (a: Float32Array, i: number, y: number, x: number, c: number) => a[((i * size + y) * size + x) * 3 + c]!;
    for (const [dx, dy] of [[2, 0], [-2, 0], [0, 1], [0, -1]] as const) {
      const out = shifted(data, n, size, dx, dy);
      for (let i = 0; i < n; i++)
        for (let y = 0; y < size; y++)
          for (let x = 0; x < size; x++) {
            const sx = x - dx, sy = y - dy;
            const inside = sx >= 0 && sx < size && sy >= 0 && sy < size;
            expect(at(out, i, y, x, 1)).toBe(inside ? at(data, i, sy, sx, 1) : 0);
          }
    }
  });
});
