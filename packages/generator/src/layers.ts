// Functional layers over WeightStore variables: conv, transposed conv, dense, pixel norm,
// and spectral normalisation (Miyato et al. 2018) by one power iteration per training step.
import type * as tfTypes from '@tensorflow/tfjs';
import type { Rng } from '@cvc/core';
import type { Tf, WeightStore } from './weights.ts';

type T4 = tfTypes.Tensor4D;
type T2 = tfTypes.Tensor2D;

/** Declare a 4x4 conv (kernel [4, 4, inC, outC]) + bias. */
export function addConv(store: WeightStore, name: string, inC: number, outC: number, rng: Rng, k = 4): void {
  store.kernel(`${name}/kernel`, [k, k, inC, outC], k * k * inC, rng);
  store.add(`${name}/bias`, [outC], rng, 0);
}

/** Declare a 4x4 stride-2 transposed conv (kernel [4, 4, outC, inC], as tf.conv2dTranspose wants) + bias. */
export function addConvTranspose(store: WeightStore, name: string, inC: number, outC: number, rng: Rng): void {
  // Each output pixel of a stride-2 4x4 transposed conv sums 2x2 taps per input channel.
  store.kernel(`${name}/kernel`, [4, 4, outC, inC], 4 * inC, rng);
  store.add(`${name}/bias`, [outC], rng, 0);
}

export function addDense(store: WeightStore, name: string, inF: number, outF: number, rng: Rng, gain = 2): void {
  store.add(`${name}/kernel`, [inF, outF], rng, Math.sqrt(gain / inF));
  store.add(`${name}/bias`, [outF], rng, 0);
}

/** Conv + bias as one fused op: the native kernel adds the bias in registers (the same float add as a separate Add, one pass fewer). */
export function conv(tf: Tf, x: T4, kernel: tfTypes.Tensor, bias: tfTypes.Tensor, stride: number): T4 {
  return tf.fused.conv2d({ x, filter: kernel as tfTypes.Tensor4D, strides: stride, pad: 'same', bias });
}

/** [n, h, w, inC] → [n, 2h, 2w, outC]. */
export function convTranspose(tf: Tf, store: WeightStore, name: string, x: T4): T4 {
  const kernel = store.get(`${name}/kernel`) as unknown as tfTypes.Tensor4D;
  const [n, h, w] = x.shape;
  const outC = kernel.shape[2];
  return tf.add(tf.conv2dTranspose(x, kernel, [n, h * 2, w * 2, outC], 2, 'same'), store.get(`${name}/bias`));
}

export function dense(tf: Tf, x: T2, kernel: tfTypes.Tensor, bias: tfTypes.Tensor): T2 {
  return tf.add(tf.matMul(x, kernel as T2), bias);
}

/** Normalise each pixel's feature vector to unit RMS (ProGAN): batch-independent, no state. */
export function pixelNorm<T extends tfTypes.Tensor>(tf: Tf, x: T): T {
  return tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), 1e-8)));
}

/**
 * Spectral norm for the kernels named in `names`: each keeps power-iteration vectors u [out]
 * and v [fanIn] (non-trainable, saved with the model). `update()` runs one power iteration
 * outside the gradient tape; `weight(name)` is kernel / σ with σ = vᵀ W u (u, v constants).
 */
export class SpectralNorm {
  constructor(private readonly tf: Tf, private readonly store: WeightStore, private readonly names: string[], rng: Rng) {
    for (const name of names) {
      const k = store.get(name);
      const out = k.shape[k.shape.length - 1]!;
      const fanIn = k.size / out;
      const u = store.add(`${name}/sn_u`, [out, 1], rng, 1, false);
      store.add(`${name}/sn_v`, [fanIn, 1], rng, 0, false);
      u.assign(tf.div(u, tf.norm(u)));
    }
  }

  private matrix(name: string): T2 {
    const k = this.store.get(name);
    const out = k.shape[k.shape.length - 1]!;
    return k.reshape([k.size / out, out]);
  }

  update(): void {
    const tf = this.tf;
    tf.tidy(() => {
      for (const name of this.names) {
        const w = this.matrix(name); // [fanIn, out]
        const u = this.store.get(`${name}/sn_u`);
        const v = tf.matMul(w, u); // [fanIn, 1]
        const vn = tf.div(v, tf.add(tf.norm(v), 1e-12));
        const u2 = tf.matMul(w, vn, true, false); // [out, 1]
        this.store.get(`${name}/sn_v`).assign(vn);
        u.assign(tf.div(u2, tf.add(tf.norm(u2), 1e-12)));
      }
    });
  }

  weight(name: string): tfTypes.Tensor {
    const tf = this.tf;
    const k = this.store.get(name);
    const sigma = tf.matMul(tf.matMul(this.store.get(`${name}/sn_v`), this.matrix(name), true, false), this.store.get(`${name}/sn_u`)); // [1, 1]
    return tf.div(k, sigma.reshape([]));
  }
}
