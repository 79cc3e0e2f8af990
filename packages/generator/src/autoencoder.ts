// Regularised autoencoder with an ex-post latent density (Ghosh et al. 2020, "From variational to
// deterministic autoencoders"): a conv encoder maps an image to a code c (no sampling), a class-
// conditional decoder maps (c, label) back; trained on L1 pixel error + a perceptual error on a frozen
// CIFAR-10 resnet's features (sharper than pixels alone) + λ‖c‖². After training, one Gaussian per
// class (shrunk covariance) is fitted to the training images' codes; new images decode codes drawn
// from it. Reconstruction gives the decoder real object structure within a few hundred steps, where
// GANs on 720 images still draw textures.
//
// Sampling interface: z = [z_clock | z_crocodile] ∈ R^(2·codeDim), standard normal; a soft label
// (1 − m, m) decodes the code (1 − m)·(μ_clock + L_clock z_clock) + m·(μ_croc + L_croc z_croc) with the
// label (1 − m, m). m = 0 / 1: a clock / crocodile sample; m = ½: the mean of a clock's and a
// crocodile's code. The decoder feeds the code into every level (FiLM gain and bias from code and
// label), so codes can also be mixed per level: one class's code at the coarse levels (layout),
// the other's at the fine ones (texture).
import type * as tfTypes from '@tensorflow/tfjs';
import { fastAdam } from '@cvc/compute';
import type { Rng } from '@cvc/core';
import { addConv, addConvTranspose, addDense, conv, convTranspose, dense, pixelNorm } from './layers.ts';
import type { Batch, TrainableModel } from './model.ts';
import type { TrainingImages } from './trainer.ts';
import { spread } from './native-ops.ts';
import { fitGaussian } from './gaussian.ts';
import { boundaryHybridCodes, fitLinearBoundary, type LinearBoundary } from './latent-boundary.ts';
import { mixLabels } from './model.ts';
import { blendImages, frequencyHybrid } from './baselines.ts';
import type { HybridRule } from './hybrid-rules.ts';
import type { FeatureTrunk } from './feature-trunk.ts';
import { WeightStore, type Tf } from './weights.ts';

type T4 = tfTypes.Tensor4D;
type T2 = tfTypes.Tensor2D;

export interface AutoencoderConfig {
  /** Size of the code c. */
  codeDim: number;
  /** Size of the class embedding fed to the decoder. */
  embedDim: number;
  /** Encoder channels at 16x16, 8x8, 4x4. */
  encoderWidths: [number, number, number];
  /** Decoder channels at 4x4, 8x8, 16x16, 32x32. */
  decoderWidths: [number, number, number, number];
  /** Weight of the perceptual error (mean squared feature difference, summed over the trunk's stages). */
  perceptualWeight: number;
  /** λ of the code penalty λ·mean(c²) (the RAE regulariser: keeps the code space compact). */
  codePenalty: number;
  learningRate: number;
  beta1: number;
  beta2: number;
  /** Random horizontal flips of the training images. */
  flip: boolean;
  /** Shrinkage of each class's code covariance toward its mean variance (0 = the sample covariance). */
  shrinkage: number;
  /** How hybrids are drawn (HYBRID_RULES; inference only, not part of training). */
  hybrid: HybridRule;
  /** σ (px) of the Gaussian low-pass of the frequency hybrids that `project-frequency` encodes (inference only). */
  hybridSigma: number;
}



export interface Autoencoder extends TrainableModel {
  readonly codeDim: number;
  /** Codes [n, codeDim] of images [n, 32, 32, 3] in [0, 1]. */
  encodeImages(x: T4): T2;
  /** Images in [0, 1] from one code and one label per decoder level (4 levels; a shorter list repeats its last entry). */
  decodeCodes(codes: T2[], labels: T2[]): T4;
  /** Codes [n, codeDim] of the ex-post Gaussian of a class (0 clock, 1 crocodile) for standard-normal noise [n, codeDim]. */
  classCodes(cls: 0 | 1, noise: T2): T2;
  /** Fit the per-class Gaussians and the linear boundary to the codes of these images ([n, 32, 32, 3] in [0, 1], row-major) and labels. */
  fitDensity(pixels: Float32Array, labels: number[]): void;
  /** Hybrids for noise z [n, 2·codeDim] the configured way (projection rules draw training pairs from `rng`); images in [0, 1] and each one's crocodile label share. */
  hybridsFor(z: T2, rng: Rng): { images: T4; mixes: number[] };
}

/** Crocodile shares of boundary hybrids are kept in this range (the segment's middle part). */
export const BOUNDARY_RANGE: [number, number] = [0.2, 0.8];

const LEVELS = 4;
/** Bisection steps of the cycle rules (the share to 0.6/2^8 ≈ 0.002). */
const CYCLE_STEPS = 8;

/** [n, w·c, w·c] per-sample matrices that mirror a row of w pixels (c channels each), or leave it. */
function flipMatrices(flips: boolean[], w: number, c: number): Float32Array {
  const wc = w * c;
  const m = new Float32Array(flips.length * wc * wc);
  flips.forEach((f, b) => {
    for (let j = 0; j < w; j++) {
      const src = f ? w - 1 - j : j;
      for (let ch = 0; ch < c; ch++) m[(b * wc + src * c + ch) * wc + j * c + ch] = 1;
    }
  });
  return m;
}

export function createAutoencoder(tf: Tf, cfg: AutoencoderConfig, rng: Rng, trunk?: FeatureTrunk): Autoencoder {
  const d = cfg.codeDim;
  const [e0, e1, e2] = cfg.encoderWidths;
  const widths = cfg.decoderWidths;
  const w = new WeightStore(tf, 'autoencoder');
  addConv(w, 'enc0', 3, e0, rng); // 4x4 stride 2 → 16x16
  addConv(w, 'enc1', e0, e1, rng); // → 8x8
  addConv(w, 'enc2', e1, e2, rng); // → 4x4
  addDense(w, 'code', 16 * e2, d, rng, 1);
  w.add('embed', [2, cfg.embedDim], rng, 1);
  w.add('fc/code', [d, 16 * widths[0]], rng, Math.sqrt(1 / d));
  w.add('fc/embed', [cfg.embedDim, 16 * widths[0]], rng, Math.sqrt(1 / cfg.embedDim));
  w.add('fc/bias', [16 * widths[0]], rng, 0);
  const films: [string, number][] = [['film0', widths[0]]];
  for (let l = 1; l < LEVELS; l++) films.push([`film${l}a`, widths[l]!], [`film${l}b`, widths[l]!]);
  for (const [name, c] of films) {
    w.add(`${name}/gain`, [cfg.embedDim, c], rng, 0);
    w.add(`${name}/bias`, [cfg.embedDim, c], rng, 0);
    w.add(`${name}/cgain`, [d, c], rng, 0.1 / Math.sqrt(d));
    w.add(`${name}/cbias`, [d, c], rng, 0.1 / Math.sqrt(d));
  }
  for (let l = 1; l < LEVELS; l++) {
    addConvTranspose(w, `up${l}`, widths[l - 1]!, widths[l]!, rng);
    addConv(w, `conv${l}`, widths[l]!, widths[l]!, rng, 3);
  }
  addConv(w, 'rgb', widths[3], 3, rng, 3);
  // The ex-post density: per class a mean [d] and the Cholesky factor [d, d] of its covariance (saved with the weights).
  const density = new WeightStore(tf, 'autoencoder/density');
  density.add('mean', [2, d], rng, 0, false);
  density.add('chol', [2, d, d], rng, 0, false);
  // The codes' clock-vs-crocodile boundary w·c + b (crocodile > 0), for boundary hybrids.
  density.add('boundary/w', [d], rng, 0, false);
  density.add('boundary/b', [1], rng, 0, false);
  const optimizer = fastAdam(tf, cfg.learningRate, cfg.beta1, cfg.beta2);

  const lrelu = (t: tfTypes.Tensor): T4 => tf.leakyRelu(t, 0.2) as T4;
  /** x [n, 32, 32, 3] in [-1, 1] → codes [n, d]. */
  const encode = (x: T4): T2 => {
    const n = x.shape[0];
    let t = lrelu(conv(tf, x, w.get('enc0/kernel'), w.get('enc0/bias'), 2)); // [n, 16, 16, e0]
    t = lrelu(conv(tf, t, w.get('enc1/kernel'), w.get('enc1/bias'), 2)); // [n, 8, 8, e1]
    t = lrelu(conv(tf, t, w.get('enc2/kernel'), w.get('enc2/bias'), 2)); // [n, 4, 4, e2]
    return dense(tf, t.reshape([n, 16 * e2]) as T2, w.get('code/kernel'), w.get('code/bias'));
  };
  /** Pixel norm, then FiLM gain 1 + e·Wg + c·Ug and bias e·Wb + c·Ub, then leaky ReLU. */
  const film = (name: string, x: T4, e: T2, c: T2): T4 => {
    const [, h, wd] = x.shape;
    const gain = tf.add(tf.add(tf.matMul(e, w.get(`${name}/gain`)), tf.matMul(c, w.get(`${name}/cgain`))), 1) as T2;
    const bias = tf.add(tf.matMul(e, w.get(`${name}/bias`)), tf.matMul(c, w.get(`${name}/cbias`))) as T2;
    return lrelu(tf.add(tf.mul(pixelNorm(tf, x), spread(tf, gain, h, wd)), spread(tf, bias, h, wd)));
  };
  /** One code and label per level → [n, 32, 32, 3] in [-1, 1]. */
  const decode = (codes: T2[], labels: T2[]): T4 => {
    const n = codes[0]!.shape[0];
    const at = <T>(list: T[], l: number): T => list[Math.min(l, list.length - 1)]!;
    const embeds = labels.map((y) => tf.matMul(y, w.get('embed')) as T2); // [n, embed] per level
    const c0 = at(codes, 0), em0 = at(embeds, 0);
    let t = tf.add(tf.add(tf.matMul(c0, w.get('fc/code')), tf.matMul(em0, w.get('fc/embed'))), w.get('fc/bias')).reshape([n, 4, 4, widths[0]]) as T4;
    t = film('film0', t, em0, c0);
    for (let l = 1; l < LEVELS; l++) {
      const c = at(codes, l), em = at(embeds, l);
      t = film(`film${l}a`, convTranspose(tf, w, `up${l}`, t), em, c); // [n, 4·2^l, 4·2^l, widths[l]]
      t = film(`film${l}b`, conv(tf, t, w.get(`conv${l}/kernel`), w.get(`conv${l}/bias`), 1), em, c);
    }
    // tanh as 2·sigmoid(2x) − 1 (Sigmoid is native, Tanh is not).
    return tf.sub(tf.mul(tf.sigmoid(tf.mul(conv(tf, t, w.get('rgb/kernel'), w.get('rgb/bias'), 1), 2)), 2), 1) as T4;
  };
  const toUnit = (x: T4) => tf.sub(tf.mul(x, 2), 1) as T4;
  const fromUnit = (x: T4) => tf.div(tf.add(x, 1), 2) as T4;
  const classCodes = (cls: 0 | 1, noise: T2): T2 =>
    tf.tidy(() => {
      const mean = tf.slice(density.get('mean'), [cls, 0], [1, d]); // [1, d]
      const chol = tf.slice(density.get('chol'), [cls, 0, 0], [1, d, d]).reshape([d, d]) as T2;
      return tf.add(tf.matMul(noise, chol, false, true), mean) as T2; // c = μ + L·ε
    });
  const vars = w.trainable();
  const lda = (): LinearBoundary => ({ w: Float64Array.from(density.get('boundary/w').dataSync()), b: density.get('boundary/b').dataSync()[0]!, accuracy: NaN });
  /**
   * Per hybrid, the crocodile share t in BOUNDARY_RANGE at which the decoded image, encoded again, lands on the codes'
   * own LDA boundary (bisection; assumes the re-encoded score grows with t, ends at an end of the range if it never
   * changes sign there). The generator's own judgement of "undecided", never a judge's.
   */
  const cycleShares = (n: number, codeAt: (t: number[]) => T2): number[] => {
    const { w: lw, b: lb } = lda();
    const wt = tf.tensor2d(Float32Array.from(lw), [d, 1]);
    const lo = Array(n).fill(BOUNDARY_RANGE[0]);
    const hi = Array(n).fill(BOUNDARY_RANGE[1]);
    for (let it = 0; it < CYCLE_STEPS; it++) {
      const mid = lo.map((l, i) => (l + hi[i]) / 2);
      const score = tf.tidy(() => tf.matMul(encode(decode([codeAt(mid)], [mixLabels(tf, mid)])), wt).dataSync()); // [n] w·encode(decode(·))
      mid.forEach((m, i) => { if (score[i]! + lb > 0) hi[i] = m; else lo[i] = m; });
    }
    wt.dispose();
    return lo.map((l, i) => (l + hi[i]) / 2);
  };
  /** Training images kept by afterTraining for the projection rules: uint8 [32, 32, 3] each, per class. */
  let sources: { clocks: Uint8Array[]; crocodiles: Uint8Array[] } | undefined;
  /** Two-source images of random training pairs (the projection rules' inputs): uint8 [n, 32, 32, 3]. */
  const projectionInputs = (n: number, rng: Rng): Uint8Array => {
    const blend = cfg.hybrid.startsWith('project-blend');
    if (!sources) throw new Error(`autoencoder: hybrid rule "${cfg.hybrid}" needs the training images (call afterTraining first)`);
    const px = 32 * 32 * 3;
    const out = new Uint8Array(n * px);
    for (let i = 0; i < n; i++) {
      const a = sources.clocks[rng.int(sources.clocks.length)]!;
      const b = sources.crocodiles[rng.int(sources.crocodiles.length)]!;
      const mixed = blend ? blendImages(a, b, 0.5) : i % 2 === 0 ? frequencyHybrid(a, b, cfg.hybridSigma) : frequencyHybrid(b, a, cfg.hybridSigma);
      out.set(mixed, i * px);
    }
    return out;
  };

  return {
    latentDim: 2 * d,
    latentPerClass: true,
    codeDim: d,
    stores: [w, density],
    optimizers: { autoencoder: optimizer },
    decode: (z, y) =>
      tf.tidy(() => {
        const n = z.shape[0];
        const clock = classCodes(0, tf.slice(z, [0, 0], [n, d]));
        const croc = classCodes(1, tf.slice(z, [0, d], [n, d]));
        const m = tf.slice(y, [0, 1], [n, 1]); // [n, 1] crocodile share
        const code = tf.add(tf.mul(clock, tf.sub(1, m)), tf.mul(croc, m)) as T2;
        return fromUnit(decode([code], [y]));
      }),
    encodeImages: (x) => tf.tidy(() => encode(toUnit(x))),
    decodeCodes: (codes, labels) => tf.tidy(() => fromUnit(decode(codes, labels))),
    classCodes,
    fitDensity(pixels, labels) {
      const n = labels.length;
      const px = 32 * 32 * 3;
      const codes = new Float32Array(n * d);
      for (let s = 0; s < n; s += 128) {
        const m = Math.min(128, n - s);
        const c = tf.tidy(() => encode(toUnit(tf.tensor4d(pixels.subarray(s * px, (s + m) * px), [m, 32, 32, 3]))).dataSync() as Float32Array);
        codes.set(c, s * d);
      }
      const means = new Float32Array(2 * d);
      const chols = new Float32Array(2 * d * d);
      for (const cls of [0, 1]) {
        const members = labels.flatMap((l, i) => (l === cls ? [i] : []));
        if (members.length < 2) throw new Error(`autoencoder: class ${cls} has ${members.length} training image(s); the density needs at least 2`);
        const g = fitGaussian(codes, members, d, cfg.shrinkage);
        means.set(g.mean, cls * d);
        chols.set(g.chol, cls * d * d);
      }
      const boundary = fitLinearBoundary(codes, labels, d, cfg.shrinkage);
      tf.tidy(() => {
        density.get('mean').assign(tf.tensor2d(means, [2, d]));
        density.get('chol').assign(tf.tensor3d(chols, [2, d, d]));
        density.get('boundary/w').assign(tf.tensor1d(Float32Array.from(boundary.w)));
        density.get('boundary/b').assign(tf.tensor1d([boundary.b]));
      });
    },
    afterTraining(data: TrainingImages) {
      this.fitDensity(data.pixels, data.labels);
      const px = 32 * 32 * 3;
      const bytes = (i: number) => Uint8Array.from(data.pixels.subarray(i * px, (i + 1) * px), (v) => Math.round(v * 255));
      sources = {
        clocks: data.labels.flatMap((l, i) => (l === 0 ? [bytes(i)] : [])),
        crocodiles: data.labels.flatMap((l, i) => (l === 1 ? [bytes(i)] : [])),
      };
    },
    hybridsFor(z, rng) {
      const n = z.shape[0];
      const rule = cfg.hybrid;
      if (rule === 'swap') {
        // Even hybrids: a clock code with the crocodile label; odd ones: a crocodile code with the clock label.
        const mixes = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : 0));
        const images = tf.tidy(() => {
          const clock = classCodes(0, tf.slice(z, [0, 0], [n, d]));
          const croc = classCodes(1, tf.slice(z, [0, d], [n, d]));
          const even = tf.tensor2d(mixes, [n, 1]); // 1 where the clock code is used
          const code = tf.add(tf.mul(clock, even), tf.mul(croc, tf.sub(1, even))) as T2;
          return fromUnit(decode([code], [mixLabels(tf, mixes)]));
        });
        return { images, mixes };
      }
      if (rule === 'levels') {
        // Even hybrids: the clock code and label at the coarse levels (4x4, 8x8: layout), the crocodile's at the fine ones
        // (16x16, 32x32: texture); odd ones the reverse.
        const images = tf.tidy(() => {
          const clock = classCodes(0, tf.slice(z, [0, 0], [n, d]));
          const croc = classCodes(1, tf.slice(z, [0, d], [n, d]));
          const evenMask = tf.tensor2d(Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : 0)), [n, 1]);
          const coarse = tf.add(tf.mul(clock, evenMask), tf.mul(croc, tf.sub(1, evenMask))) as T2;
          const fine = tf.add(tf.mul(croc, evenMask), tf.mul(clock, tf.sub(1, evenMask))) as T2;
          const coarseLabel = mixLabels(tf, Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 0 : 1)));
          const fineLabel = mixLabels(tf, Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : 0)));
          return fromUnit(decode([coarse, coarse, fine, fine], [coarseLabel, coarseLabel, fineLabel, fineLabel]));
        });
        return { images, mixes: Array(n).fill(0.5) };
      }
      if (rule === 'mean') {
        const y = mixLabels(tf, Array(n).fill(0.5));
        const images = this.decode(z, y);
        y.dispose();
        return { images, mixes: Array(n).fill(0.5) };
      }
      // The remaining rules decode codeAt(t) with the label (1 − t, t) for a crocodile share t per hybrid.
      let codeAt: (t: number[]) => T2;
      let start: number[];
      let keep: tfTypes.Tensor[];
      if (rule.startsWith('project-')) {
        // The code of a two-source image of a training pair; t moves only the decoder's label.
        const inputs = projectionInputs(n, rng); // [n, 32, 32, 3] uint8
        const code = tf.tidy(() => encode(toUnit(tf.div(tf.tensor4d(inputs, [n, 32, 32, 3], 'float32'), 255) as T4)));
        codeAt = () => code;
        start = Array(n).fill(0.5);
        keep = [code];
      } else {
        // boundary: on the segment clock code a → crocodile code b, where it crosses the codes' LDA boundary.
        const [a, b] = tf.tidy(() => [classCodes(0, tf.slice(z, [0, 0], [n, d])), classCodes(1, tf.slice(z, [0, d], [n, d]))]) as [T2, T2];
        start = boundaryHybridCodes(lda(), a.dataSync() as Float32Array, b.dataSync() as Float32Array, d, BOUNDARY_RANGE).mixes;
        codeAt = (t) => tf.tidy(() => tf.add(a, tf.mul(tf.sub(b, a), tf.tensor2d(t, [n, 1]))) as T2);
        keep = [a, b];
      }
      const mixes = rule.endsWith('-cycle') ? cycleShares(n, codeAt) : start;
      const images = tf.tidy(() => fromUnit(decode([codeAt(mixes)], [mixLabels(tf, mixes)])));
      tf.dispose(keep);
      return { images, mixes };
    },
    step({ x, y }: Batch, rng: Rng) {
      if (!trunk) throw new Error('autoencoder: training needs the perceptual feature network (none given)');
      const n = x.shape[0];
      const flips = Array.from({ length: n }, () => cfg.flip && rng.next() < 0.5);
      const target = tf.tidy(() => {
        const mirrored = tf.matMul(x.reshape([n, 32, 96]), tf.tensor3d(flipMatrices(flips, 32, 3), [n, 96, 96])).reshape([n, 32, 32, 3]) as T4;
        return toUnit(mirrored);
      });
      // The trunk's features of the targets need no gradient: computed outside the tape.
      const targetFeatures = tf.tidy(() => trunk.features(target));
      const parts: number[] = [];
      const loss = optimizer.minimize(() => {
        const code = encode(target);
        const out = decode([code], [y]);
        const pixel = tf.mean(tf.abs(tf.sub(out, target)));
        let perceptual = tf.scalar(0);
        trunk.features(out).forEach((f, k) => { perceptual = tf.add(perceptual, tf.mean(tf.square(tf.sub(f, targetFeatures[k]!)))); });
        const penalty = tf.mean(tf.square(code));
        parts.push(pixel.dataSync()[0]!, perceptual.dataSync()[0]!);
        return tf.add(tf.add(pixel, tf.mul(cfg.perceptualWeight, perceptual)), tf.mul(cfg.codePenalty, penalty)) as tfTypes.Scalar;
      }, true, vars)!;
      const out = { loss: loss.dataSync()[0]!, pixel: parts[0]!, perceptual: parts[1]! };
      tf.dispose([loss, target, ...targetFeatures]);
      return out;
    },
    dispose() {
      w.dispose();
      density.dispose();
      optimizer.dispose();
    },
  };
}
