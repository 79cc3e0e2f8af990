// Class-conditional DDPM (Ho et al. 2020) with a small UNet, classifier-free guidance (Ho &
// Salimans 2022: the label is dropped to a learned "none" class during training) and, for
// hybrids, the composable-diffusion conjunction (Liu et al. 2022):
//   ε = ε(∅) + w·a_clock·(ε(clock) − ε(∅)) + w·a_croc·(ε(crocodile) − ε(∅)),
// a_clock = min(1, 2(1 − mix)), a_croc = min(1, 2·mix): mix 0.5 is the paper's conjunction of both,
// mix 0 / 1 plain guidance towards one class. Sampling is deterministic DDIM (η = 0) from the
// noise z, so `decode(z, y)` maps a latent [n, 3072] to an image like the other models.
// Every op is chosen to hit a native kernel (native-ops.ts); skips are added, not concatenated.
import type * as tfTypes from '@tensorflow/tfjs';
import { fastAdam, normalizeScaleAct } from '@cvc/compute';
import { updateAverages } from '@cvc/vision/ema';
import type { Rng } from '@cvc/core';
import { addConv, addConvTranspose, addDense, conv, convTranspose, dense } from './layers.ts';
import type { Batch, TrainableModel } from './model.ts';
import { silu } from './native-ops.ts';
import { WeightStore, type Tf } from './weights.ts';

export interface DiffusionConfig {
  /** UNet channels at 32x32 (in and out convs only; ×2 with residual blocks at 16x16, ×4 at 8x8). */
  channels: number;
  learningRate: number;
  /** Diffusion steps of the forward process (cosine schedule). */
  timesteps: number;
  /** DDIM steps when sampling. */
  sampleSteps: number;
  /** Guidance weight w. */
  guidance: number;
  /** Share of training labels replaced by "none" (for classifier-free guidance). */
  dropLabel: number;
  emaDecay: number;
}

type T4 = tfTypes.Tensor4D;
type T2 = tfTypes.Tensor2D;
const SIZE = 32;
const PIXELS = SIZE * SIZE * 3;
const GROUP = 8; // channels per group-norm group

/** Cosine schedule (Nichol & Dhariwal 2021): ᾱ_t for t = 0 … T−1 (t = 0 is the first noising step). */
export function cosineAlphaBar(timesteps: number): Float64Array {
  const f = (t: number) => Math.cos(((t / timesteps + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
  const out = new Float64Array(timesteps);
  for (let t = 0; t < timesteps; t++) out[t] = Math.min(0.9999, Math.max(1e-5, f(t + 1) / f(0)));
  return out;
}

/** Sinusoidal embedding [n, dim] of timesteps scaled to 0 … 1000. */
function timeFeatures(ts: number[], timesteps: number, dim: number): Float32Array {
  const half = dim / 2;
  const out = new Float32Array(ts.length * dim);
  ts.forEach((t, i) => {
    const s = (t / timesteps) * 1000;
    for (let k = 0; k < half; k++) {
      const a = s * Math.exp((-Math.log(10000) * k) / half);
      out[i * dim + k] = Math.sin(a);
      out[i * dim + half + k] = Math.cos(a);
    }
  });
  return out;
}

/** Class ids → one-hot [n, 3]: 0 clock, 1 crocodile, 2 none. */
function classOneHot(tf: Tf, ids: number[]): T2 {
  const m = new Float32Array(ids.length * 3);
  ids.forEach((c, i) => (m[i * 3 + c] = 1));
  return tf.tensor2d(m, [ids.length, 3]);
}

export function createDiffusion(tf: Tf, cfg: DiffusionConfig, rng: Rng): TrainableModel {
  const c = cfg.channels;
  if (c % GROUP !== 0) throw new Error(`diffusion.channels must be a multiple of ${GROUP} (got ${c})`);
  const emb = 4 * c;
  const net = new WeightStore(tf, 'diffusion/unet');
  addDense(net, 'time1', c, emb, rng, 1);
  addDense(net, 'time2', emb, emb, rng, 1);
  net.add('classes', [3, emb], rng, 1);
  addConv(net, 'in', 3, c, rng, 3);
  const resBlock = (name: string, ch: number) => {
    addConv(net, `${name}/conv1`, ch, ch, rng, 3);
    addDense(net, `${name}/scale`, emb, ch, rng, 0.1);
    addDense(net, `${name}/shift`, emb, ch, rng, 0.1);
    addConv(net, `${name}/conv2`, ch, ch, rng, 3);
    const k2 = net.get(`${name}/conv2/kernel`);
    k2.assign(tf.mul(k2, 0.1)); // blocks start near identity
    net.add(`${name}/gn1/gamma`, [ch], rng, 0);
    net.add(`${name}/gn2/gamma`, [ch], rng, 0);
  };
  // The costly 32x32 level has no residual blocks: a step's FLOPs (~9 GFLOP at c = 16, batch 64) fit
  // a few tenths of a second here; the work happens at 16x16 and 8x8.
  addConv(net, 'down1', c, 2 * c, rng, 4); // stride 2 → 16x16
  resBlock('res16a', 2 * c);
  addConv(net, 'down2', 2 * c, 4 * c, rng, 4); // → 8x8
  resBlock('mid', 4 * c);
  resBlock('mid2', 4 * c);
  addConvTranspose(net, 'up2', 4 * c, 2 * c, rng); // → 16x16
  resBlock('res16b', 2 * c);
  addConvTranspose(net, 'up1', 2 * c, c, rng); // → 32x32
  net.add('outgn/gamma', [c], rng, 0);
  addConv(net, 'out', c, 3, rng, 3);
  net.get('out/kernel').assign(tf.zerosLike(net.get('out/kernel'))); // predict ε = 0 at first
  const ema = new WeightStore(tf, 'diffusion/unet_ema');
  for (const [name, v] of net.vars) ema.vars.set(name, tf.variable(v.clone(), false));
  // Steps taken (saved with the EMA, so a resumed run warms up identically).
  const stepCount = ema.add('steps', [1], rng, 0, false);
  const optimizer = fastAdam(tf, cfg.learningRate);
  const alphaBar = cosineAlphaBar(cfg.timesteps);

  /** GN (gain 1 + γ) → SiLU. */
  const normAct = (w: WeightStore, name: string, x: T4) =>
    normalizeScaleAct(tf, x, { groupSize: GROUP, epsilon: 1e-5, scale: tf.add(w.get(`${name}/gamma`), 1), activation: 'silu' }) as T4;

  /** Residual block with FiLM conditioning (scale, shift from the embedding) after the first conv. */
  const block = (w: WeightStore, name: string, x: T4, e: T2): T4 => {
    let t = conv(tf, normAct(w, `${name}/gn1`, x), w.get(`${name}/conv1/kernel`), w.get(`${name}/conv1/bias`), 1);
    // Two dense layers, not one sliced in two: Slice and its gradient run in plain JS.
    const scale = tf.add(dense(tf, e, w.get(`${name}/scale/kernel`), w.get(`${name}/scale/bias`)), 1) as T2; // [n, ch]
    const shift = dense(tf, e, w.get(`${name}/shift/kernel`), w.get(`${name}/shift/bias`)); // [n, ch]
    // silu(GN(t)·(1 + γ)·scale + shift): the group norm's gain and FiLM in one native kernel.
    t = normalizeScaleAct(tf, t, { groupSize: GROUP, epsilon: 1e-5, scale: tf.mul(scale, tf.add(w.get(`${name}/gn2/gamma`), 1)), shift, activation: 'silu' }) as T4;
    t = conv(tf, t, w.get(`${name}/conv2/kernel`), w.get(`${name}/conv2/bias`), 1);
    return tf.add(x, t) as T4;
  };

  /** ε-prediction: x_t [n, 32, 32, 3] in ≈[-1, 1], timesteps, class ids → [n, 32, 32, 3]. */
  const predict = (w: WeightStore, x: T4, ts: number[], classes: T2): T4 => {
    const n = x.shape[0];
    const tfeat = tf.tensor2d(timeFeatures(ts, cfg.timesteps, c), [n, c]);
    const e = silu(tf, tf.add(dense(tf, silu(tf, dense(tf, tfeat, w.get('time1/kernel'), w.get('time1/bias'))), w.get('time2/kernel'), w.get('time2/bias')), tf.matMul(classes, w.get('classes'))) as T2); // [n, emb]
    const s32 = conv(tf, x, w.get('in/kernel'), w.get('in/bias'), 1); // [n, 32, 32, c]
    const s16 = block(w, 'res16a', conv(tf, s32, w.get('down1/kernel'), w.get('down1/bias'), 2), e); // [n, 16, 16, 2c]
    let t = block(w, 'mid', conv(tf, s16, w.get('down2/kernel'), w.get('down2/bias'), 2), e); // [n, 8, 8, 4c]
    t = block(w, 'mid2', t, e);
    t = block(w, 'res16b', tf.add(convTranspose(tf, w, 'up2', t), s16) as T4, e); // [n, 16, 16, 2c]
    t = tf.add(convTranspose(tf, w, 'up1', t), s32) as T4; // [n, 32, 32, c]
    return conv(tf, normAct(w, 'outgn', t), w.get('out/kernel'), w.get('out/bias'), 1); // [n, 32, 32, 3]
  };

  /** Guided ε for soft labels y (rows (1 − mix, mix)) at one timestep: one forward pass over [none; clock; crocodile]. */
  const guidedEps = (x: Float32Array, y: Float32Array, n: number, t: number): Float32Array => {
    const all = new Float32Array(3 * n * PIXELS);
    for (let k = 0; k < 3; k++) all.set(x, k * n * PIXELS);
    const ids = [...Array(n).fill(2), ...Array(n).fill(0), ...Array(n).fill(1)] as number[];
    const eps = tf.tidy(() => predict(ema, tf.tensor4d(all, [3 * n, SIZE, SIZE, 3]), Array(3 * n).fill(t), classOneHot(tf, ids)).dataSync() as Float32Array);
    const out = new Float32Array(n * PIXELS);
    for (let i = 0; i < n; i++) {
      const mix = y[i * 2 + 1]!;
      const aClock = cfg.guidance * Math.min(1, 2 * (1 - mix));
      const aCroc = cfg.guidance * Math.min(1, 2 * mix);
      for (let p = 0; p < PIXELS; p++) {
        const j = i * PIXELS + p;
        const none = eps[j]!;
        out[j] = none + aClock * (eps[n * PIXELS + j]! - none) + aCroc * (eps[2 * n * PIXELS + j]! - none);
      }
    }
    return out;
  };

  /** Deterministic DDIM from noise z [n, 3072] → images in [-1, 1]. */
  const sample = (z: Float32Array, y: Float32Array, n: number): Float32Array => {
    const x = Float32Array.from(z);
    const steps = Math.min(cfg.sampleSteps, cfg.timesteps);
    const ts = Array.from({ length: steps }, (_, i) => Math.round(((steps - 1 - i) * (cfg.timesteps - 1)) / Math.max(1, steps - 1)));
    ts.forEach((t, i) => {
      const eps = guidedEps(x, y, n, t);
      const ab = alphaBar[t]!;
      const abPrev = i + 1 < ts.length ? alphaBar[ts[i + 1]!]! : 1;
      for (let j = 0; j < x.length; j++) {
        const x0 = Math.min(1, Math.max(-1, (x[j]! - Math.sqrt(1 - ab) * eps[j]!) / Math.sqrt(ab)));
        const e = (x[j]! - Math.sqrt(ab) * x0) / Math.sqrt(1 - ab); // ε consistent with the clipped x0
        x[j] = Math.sqrt(abPrev) * x0 + Math.sqrt(1 - abPrev) * e;
      }
    });
    return x;
  };

  const vars = net.trainable();
  return {
    latentDim: PIXELS,
    stores: [net, ema],
    optimizers: { unet: optimizer },
    decode: (z, y) => {
      const n = z.shape[0];
      const x = sample(z.dataSync() as Float32Array, y.dataSync() as Float32Array, n);
      return tf.tidy(() => tf.div(tf.add(tf.tensor4d(x, [n, SIZE, SIZE, 3]), 1), 2) as T4);
    },
    step({ x, y }: Batch, rng: Rng) {
      const n = x.shape[0];
      const x0 = x.dataSync() as Float32Array;
      const labels = y.dataSync();
      const xt = new Float32Array(n * PIXELS);
      const noise = new Float32Array(n * PIXELS);
      const ts: number[] = [];
      const ids: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = rng.int(cfg.timesteps);
        const ab = alphaBar[t]!;
        const flip = rng.next() < 0.5; // horizontal flip: both classes are mirror-symmetric as a set
        ts.push(t);
        ids.push(rng.next() < cfg.dropLabel ? 2 : labels[i * 2 + 1]! > 0.5 ? 1 : 0);
        for (let r = 0; r < SIZE; r++) {
          for (let col = 0; col < SIZE; col++) {
            const src = (i * SIZE + r) * SIZE + (flip ? SIZE - 1 - col : col);
            const dst = (i * SIZE + r) * SIZE + col;
            for (let ch = 0; ch < 3; ch++) {
              const e = rng.normal();
              noise[dst * 3 + ch] = e;
              xt[dst * 3 + ch] = Math.sqrt(ab) * (2 * x0[src * 3 + ch]! - 1) + Math.sqrt(1 - ab) * e;
            }
          }
        }
      }
      const xtT = tf.tensor4d(xt, [n, SIZE, SIZE, 3]);
      const noiseT = tf.tensor4d(noise, [n, SIZE, SIZE, 3]);
      const classes = classOneHot(tf, ids);
      const loss = optimizer.minimize(() => tf.mean(tf.squaredDifference(predict(net, xtT, ts, classes), noiseT)) as tfTypes.Scalar, true, vars)!;
      // The sampling weights: an EMA with warm-up (vision's emaDecayAt), its step count saved with it.
      const s = stepCount.dataSync()[0]! + 1;
      tf.tidy(() => stepCount.assign(tf.tensor1d([s])));
      updateAverages([...net.vars].map(([name, w]): [tfTypes.Variable, tfTypes.Variable] => [ema.get(name), w]), s, cfg.emaDecay);
      const out = { loss: loss.dataSync()[0]! };
      tf.dispose([loss, xtT, noiseT, classes]);
      return out;
    },
    dispose() {
      net.dispose();
      ema.dispose();
      optimizer.dispose();
    },
  };
}
