// Random views for guidance (expectation over transformations): each guide network sees the image
// shifted by a few pixels (grey fill) and maybe mirrored, so a latent step cannot fool one exact view
// of one network; what moves every view moves other classifiers too. One fused op with its own
// gradient: tfjs cpu's generic Slice/Reverse/Pad run element by element (70–100 ms per call on
// [64, 32, 32, 3] here; this loop ≈ 1 ms).
import type * as tfTypes from '@tensorflow/tfjs';
import type { Rng } from '@cvc/core';
import type { Tf } from './weights.ts';

type T4 = tfTypes.Tensor4D;

export interface View {
  /** Shift right and down, in pixels (negative: left / up). */
  dx: number;
  dy: number;
  /** Mirror left-right after the shift. */
  flip: boolean;
}

/** A random view: shifts uniform in [−maxShift, maxShift], mirror with probability ½. */
export function randomView(rng: Rng, maxShift: number): View {
  return { dx: rng.int(2 * maxShift + 1) - maxShift, dy: rng.int(2 * maxShift + 1) - maxShift, flip: rng.int(2) === 1 };
}

const FILL = 0.5; // grey, mid-range of images in [0, 1]

/**
 * Index map of a view on [h, w]: for each output pixel, the source pixel (or −1 where the shift
 * brought in fill). out[y, x] = in[y − dy, x' − dx] with x' = w − 1 − x when mirrored.
 */
function sourceOf(v: View, h: number, w: number): Int32Array {
  const src = new Int32Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sx = (v.flip ? w - 1 - x : x) - v.dx, sy = y - v.dy;
      src[y * w + x] = sx >= 0 && sx < w && sy >= 0 && sy < h ? sy * w + sx : -1;
    }
  }
  return src;
}

/** Calls visit(to, from) with the flat offsets of every output pixel (channel 0) of every image that has a source pixel. */
function eachSourcedPixel(n: number, hw: number, c: number, src: Int32Array, visit: (to: number, from: number) => void): void {
  for (let b = 0; b < n; b++) {
    const base = b * hw * c;
    for (let p = 0; p < hw; p++) if (src[p]! >= 0) visit(base + p * c, base + src[p]! * c);
  }
}

/** x [n, h, w, c] → the view of x [n, h, w, c]; differentiable (the gradient goes back to the source pixels). */
export function applyView(tf: Tf, x: T4, v: View): T4 {
  if (v.dx === 0 && v.dy === 0 && !v.flip) return x;
  const [n, h, w, c] = x.shape;
  const src = sourceOf(v, h, w);
  const op = tf.customGrad((...args: unknown[]) => {
    const input = args[0] as tfTypes.Tensor;
    const a = input.dataSync();
    const out = new Float32Array(a.length).fill(FILL); // pixels shifted in from outside stay grey
    eachSourcedPixel(n, h * w, c, src, (to, from) => { for (let k = 0; k < c; k++) out[to + k] = a[from + k]!; });
    return {
      value: tf.tensor4d(out, [n, h, w, c]),
      gradFunc: (dy: tfTypes.Tensor) => {
        // The adjoint of the gather: each output pixel's gradient goes back to its source (a mirrored shift reads each source once).
        const g = dy.dataSync();
        const back = new Float32Array(g.length);
        eachSourcedPixel(n, h * w, c, src, (to, from) => { for (let k = 0; k < c; k++) back[from + k] = back[from + k]! + g[to + k]!; });
        return tf.tensor4d(back, [n, h, w, c]);
      },
    };
  });
  return op(x) as T4;
}
