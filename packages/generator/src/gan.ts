// Conditional GAN for ~700 images (SNGAN / BigGAN recipe, small): the generator is conditioned by
// conditional batch norm — per-channel gain and bias from a learned class embedding (a soft label
// mixes the embeddings → hybrids) — and the discriminator is a projection discriminator
// (Miyato & Koyama 2018) with spectral norm on every weight, a minibatch-stddev feature, hinge
// loss and DiffAugment on real and fake. Samples come from an EMA of the generator's weights
// with "standing" batch-norm statistics (averaged over fixed batches, recomputed after training).
import type * as tfTypes from '@tensorflow/tfjs';
import { fastAdam, normalizeScaleAct } from '@cvc/compute';
import { updateAverages } from '@cvc/vision/ema';
import { createRng, type Rng } from '@cvc/core';
import { diffAugment, type AugmentPolicy } from './diffaugment.ts';
import { addConv, addConvTranspose, addDense, conv, convTranspose, dense, SpectralNorm } from './layers.ts';
import { mixLabels, normalLatents, type Batch, type TrainableModel } from './model.ts';
import { WeightStore, type Tf } from './weights.ts';

export interface GanConfig {
  latentDim: number;
  /** Size of the class embedding fed to the generator. */
  embedDim: number;
  /** Generator channels at 16x16 (×2 at 8x8, ×4 at 4x4, ÷2 at 32x32). */
  gChannels: number;
  /** Discriminator channels at 16x16 (×2 at 8x8, ×4 at 4x4). */
  dChannels: number;
  learningRateG: number;
  learningRateD: number;
  beta1: number;
  beta2: number;
  /** Discriminator updates per generator update (same real batch, fresh fakes and augmentations). */
  dSteps: number;
  /** Decay of the generator's weight average used for sampling. */
  emaDecay: number;
  /** Weight λ of the mode-seeking term (Mao et al. 2019) in G's loss: λ / (|G(z1) − G(z2)| / |z1 − z2|); 0 = off. */
  modeSeeking: number;
  augment: AugmentPolicy;
}

type T4 = tfTypes.Tensor4D;
type T2 = tfTypes.Tensor2D;

/** Batch-norm layers of G: name and channels. */
const bnLayers = (gc: number): [string, number][] => [['bn0', 4 * gc], ['bn1', 2 * gc], ['bn2', gc], ['bn3', gc / 2]];
/** Standing statistics: this many batches of 64 (half clock, half crocodile labels). */
const STANDING_BATCHES = 8;

/** [half, n] matrix whose row i is e_i − e_(i+half): multiplies a batch into its pair differences. */
function pairDifference(tf: Tf, n: number, half: number): T2 {
  const m = new Float32Array(Math.max(half, 1) * n);
  for (let i = 0; i < half; i++) {
    m[i * n + i] = 1;
    m[i * n + i + half] = -1;
  }
  return tf.tensor2d(m, [Math.max(half, 1), n]);
}

export function createGan(tf: Tf, cfg: GanConfig, rng: Rng): TrainableModel {
  const gc = cfg.gChannels;
  if (gc % 2 !== 0) throw new Error(`gan.gChannels must be even (got ${gc})`);
  const g = new WeightStore(tf, 'gan/generator');
  g.add('embed', [2, cfg.embedDim], rng, 1);
  addDense(g, 'fc', cfg.latentDim, 16 * 4 * gc, rng, 1);
  // Conditional BN: gain = 1 + e·Wg + z·Ug, bias = e·Wb + z·Ub. The class part starts at zero (plain BN);
  // z also modulates every layer (as BigGAN's skip-z), so the generator cannot drop it after the first layer.
  for (const [name, c] of bnLayers(gc)) {
    g.add(`${name}/gain`, [cfg.embedDim, c], rng, 0);
    g.add(`${name}/bias`, [cfg.embedDim, c], rng, 0);
    g.add(`${name}/zgain`, [cfg.latentDim, c], rng, 0.1 / Math.sqrt(cfg.latentDim));
    g.add(`${name}/zbias`, [cfg.latentDim, c], rng, 0.1 / Math.sqrt(cfg.latentDim));
  }
  addConvTranspose(g, 'up1', 4 * gc, 2 * gc, rng);
  addConvTranspose(g, 'up2', 2 * gc, gc, rng);
  addConvTranspose(g, 'up3', gc, gc / 2, rng);
  addConv(g, 'rgb', gc / 2, 3, rng, 3);
  // The EMA copy shares the generator's layout; it is what samples are drawn from.
  const ema = new WeightStore(tf, 'gan/generator_ema');
  for (const [name, v] of g.vars) ema.vars.set(name, tf.variable(v.clone(), false));
  // Standing BN statistics of the EMA generator (saved with it; recomputed when stale).
  for (const [name, c] of bnLayers(gc)) {
    ema.add(`${name}/mean`, [c], rng, 0, false);
    ema.add(`${name}/var`, [c], rng, 0, false);
  }
  let standingStale = true;
  // Steps taken (saved with the EMA, so a resumed run warms up identically).
  const stepCount = ema.add('steps', [1], rng, 0, false);

  const d = new WeightStore(tf, 'gan/discriminator');
  const dc = cfg.dChannels;
  addConv(d, 'conv1', 3, dc, rng); // 4x4 stride 2
  addConv(d, 'conv1b', dc, dc, rng, 3);
  addConv(d, 'conv2', dc, 2 * dc, rng);
  addConv(d, 'conv2b', 2 * dc, 2 * dc, rng, 3);
  addConv(d, 'conv3', 2 * dc, 4 * dc, rng);
  addDense(d, 'out', 4 * dc, 1, rng, 1);
  // Weight of the minibatch standard deviation (Karras et al. 2018), so D sees a collapsed batch.
  d.add('spread', [1], rng, 0);
  d.add('project', [2, 4 * dc], rng, Math.sqrt(1 / (4 * dc)));
  const snNames = ['conv1/kernel', 'conv1b/kernel', 'conv2/kernel', 'conv2b/kernel', 'conv3/kernel', 'out/kernel', 'project'];
  const sn = new SpectralNorm(tf, d, snNames, rng);

  const optG = fastAdam(tf, cfg.learningRateG, cfg.beta1, cfg.beta2);
  const optD = fastAdam(tf, cfg.learningRateD, cfg.beta1, cfg.beta2);

  /** Moments over batch and space per channel, optionally recorded (for standing statistics). */
  type Stats = Map<string, { mean: tfTypes.Tensor; variance: tfTypes.Tensor }>;

  /** Conditional BN + ReLU: x [n, h, w, c], e [n, embed], z [n, latent]. `fixed` = standing statistics to use instead of the batch's. */
  const cbnRelu = (w: WeightStore, name: string, x: T4, e: T2, z: T2, fixed: boolean, record?: Stats): T4 => {
    const [n, , , c] = x.shape;
    const gain = tf.add(tf.add(tf.matMul(e, w.get(`${name}/gain`)), tf.matMul(z, w.get(`${name}/zgain`))), 1).reshape([n, 1, 1, c]);
    const bias = tf.add(tf.matMul(e, w.get(`${name}/bias`)), tf.matMul(z, w.get(`${name}/zbias`))).reshape([n, 1, 1, c]);
    if (!fixed) {
      // Batch statistics, gain and bias per sample, ReLU: one native kernel each way (@cvc/compute).
      return normalizeScaleAct(tf, x, { epsilon: 1e-5, scale: gain, shift: bias, activation: 'relu', ...(record ? { onMoments: (mean, variance) => record.set(name, { mean, variance }) } : {}) }) as T4;
    }
    const normed = tf.mul(tf.sub(x, w.get(`${name}/mean`)), tf.rsqrt(tf.add(w.get(`${name}/var`), 1e-5)));
    // leakyRelu(·, 0) = ReLU with the native gradient (ReLU's own, Step, runs in plain JS).
    return tf.leakyRelu(tf.add(tf.mul(normed, gain), bias), 0) as T4;
  };

  /** Generator in [-1, 1]: z [n, latent] + soft label y [n, 2] → [n, 32, 32, 3]. */
  const generate = (w: WeightStore, z: T2, y: T2, fixed = false, record?: Stats): T4 => {
    const n = z.shape[0];
    const e = tf.matMul(y, w.get('embed')) as T2; // soft label → mixed embedding [n, embedDim]
    let t = dense(tf, z, w.get('fc/kernel'), w.get('fc/bias')).reshape([n, 4, 4, 4 * gc]) as T4;
    t = cbnRelu(w, 'bn0', t, e, z, fixed, record);
    t = cbnRelu(w, 'bn1', convTranspose(tf, w, 'up1', t), e, z, fixed, record); // [n, 8, 8, 2gc]
    t = cbnRelu(w, 'bn2', convTranspose(tf, w, 'up2', t), e, z, fixed, record); // [n, 16, 16, gc]
    t = cbnRelu(w, 'bn3', convTranspose(tf, w, 'up3', t), e, z, fixed, record); // [n, 32, 32, gc/2]
    // tanh as 2·sigmoid(2x) − 1: Sigmoid is native, Tanh is plain JS.
    return tf.sub(tf.mul(tf.sigmoid(tf.mul(conv(tf, t, w.get('rgb/kernel'), w.get('rgb/bias'), 1), 2)), 2), 1) as T4; // [n, 32, 32, 3]
  };

  /** Average the EMA generator's batch statistics over fixed batches (a fixed seed: deterministic). */
  const refreshStanding = (): void => {
    const zRng = createRng(0x5eed);
    const sums = new Map<string, { mean: tfTypes.Tensor; variance: tfTypes.Tensor }>();
    for (let b = 0; b < STANDING_BATCHES; b++) {
      tf.tidy(() => {
        const record: Stats = new Map();
        generate(ema, normalLatents(tf, 64, cfg.latentDim, zRng), mixLabels(tf, Array.from({ length: 64 }, (_, i) => i % 2)), false, record);
        for (const [name, s] of record) {
          const prev = sums.get(name);
          const next = prev ? { mean: tf.add(prev.mean, s.mean), variance: tf.add(prev.variance, s.variance) } : s;
          if (prev) tf.dispose([prev.mean, prev.variance]);
          sums.set(name, { mean: tf.keep(next.mean), variance: tf.keep(next.variance) });
        }
      });
    }
    for (const [name, s] of sums) {
      ema.get(`${name}/mean`).assign(tf.tidy(() => tf.div(s.mean, STANDING_BATCHES)));
      ema.get(`${name}/var`).assign(tf.tidy(() => tf.div(s.variance, STANDING_BATCHES)));
      tf.dispose([s.mean, s.variance]);
    }
    standingStale = false;
  };

  /** Projection discriminator: ψ(h) + yᵀVh, h = Σ over space of the last features + the batch's feature spread. */
  const discriminate = (x: T4, y: T2): tfTypes.Tensor1D => {
    const lrelu = (t: T4) => tf.leakyRelu(t, 0.1) as T4;
    let t = lrelu(conv(tf, x, sn.weight('conv1/kernel'), d.get('conv1/bias'), 2)); // [n, 16, 16, dc]
    t = lrelu(conv(tf, t, sn.weight('conv1b/kernel'), d.get('conv1b/bias'), 1));
    t = lrelu(conv(tf, t, sn.weight('conv2/kernel'), d.get('conv2/bias'), 2)); // [n, 8, 8, 2dc]
    t = lrelu(conv(tf, t, sn.weight('conv2b/kernel'), d.get('conv2b/bias'), 1));
    t = lrelu(conv(tf, t, sn.weight('conv3/kernel'), d.get('conv3/bias'), 2)); // [n, 4, 4, 4dc]
    const spread = tf.mean(tf.sqrt(tf.add(tf.moments(t, 0).variance, 1e-8))); // one number per batch
    const h = tf.sum(t, [1, 2]) as T2; // [n, 4dc]
    // (No concat of the spread onto h: Concat's gradient, SplitV, runs in plain JS.)
    const psi = tf.add(dense(tf, h, sn.weight('out/kernel'), d.get('out/bias')).reshape([-1]), tf.mul(d.get('spread'), tf.mul(spread, 16)));
    const projection = tf.sum(tf.mul(tf.matMul(y, sn.weight('project') as T2), h), 1);
    return tf.add(psi, projection) as tfTypes.Tensor1D;
  };

  const gVars = g.trainable();
  const dVars = d.trainable();
  const toUnit = (x: T4) => tf.sub(tf.mul(x, 2), 1) as T4;

  return {
    latentDim: cfg.latentDim,
    stores: [g, ema, d],
    optimizers: { generator: optG, discriminator: optD },
    decode: (z, y) => {
      if (standingStale) refreshStanding();
      return tf.tidy(() => tf.div(tf.add(generate(ema, z, y, true), 1), 2) as T4);
    },
    step({ x, y }: Batch, rng: Rng) {
      const n = x.shape[0];
      standingStale = true;
      // Each augmentation gets its own generator, seeded from the step's rng.
      const augRng = (): Rng => createRng(rng.int(2 ** 32));
      let lossDSum = 0;
      for (let k = 0; k < cfg.dSteps; k++) {
        sn.update();
        // Discriminator: hinge loss on augmented real and augmented fake.
        const zD = normalLatents(tf, n, cfg.latentDim, rng);
        const augReal = augRng();
        const augFake = augRng();
        const lossD = optD.minimize(() => {
          const fake = generate(g, zD, y);
          const dReal = discriminate(diffAugment(tf, toUnit(x), augReal, cfg.augment), y);
          const dFake = discriminate(diffAugment(tf, fake, augFake, cfg.augment), y);
          return tf.add(tf.mean(tf.relu(tf.sub(1, dReal))), tf.mean(tf.relu(tf.add(1, dFake)))) as tfTypes.Scalar;
        }, true, dVars)!;
        lossDSum += lossD.dataSync()[0]!;
        tf.dispose([lossD, zD]);
      }
      // Generator: fool D on augmented fakes. Labels come in pairs (sample i and i + n/2 share one),
      // so the mode-seeking term compares two z under the same class.
      sn.update();
      const zG = normalLatents(tf, n, cfg.latentDim, rng);
      const half = Math.floor(n / 2);
      const yData = y.dataSync();
      const yG = tf.tensor2d(Array.from({ length: n }, (_, i) => (i >= half && i < 2 * half ? i - half : i)).flatMap((i) => [yData[2 * i]!, yData[2 * i + 1]!]), [n, 2]);
      const pairs = pairDifference(tf, n, half); // [half, n]: row i = e_i − e_(i+half)
      const augG = augRng();
      const lossG = optG.minimize(() => {
        const fake = generate(g, zG, yG);
        const adversarial = tf.neg(tf.mean(discriminate(diffAugment(tf, fake, augG, cfg.augment), yG)));
        if (cfg.modeSeeking === 0 || half === 0) return adversarial as tfTypes.Scalar;
        const dImage = tf.mean(tf.abs(tf.matMul(pairs, fake.reshape([n, -1]) as T2)));
        const dz = tf.mean(tf.abs(tf.matMul(pairs, zG)));
        return tf.add(adversarial, tf.mul(cfg.modeSeeking, tf.reciprocal(tf.add(tf.div(dImage, dz), 1e-5)))) as tfTypes.Scalar;
      }, true, gVars)!;
      tf.dispose([yG, pairs]);
      // The sampling weights: an EMA with warm-up (vision's emaDecayAt), its step count saved with it.
      const s = stepCount.dataSync()[0]! + 1;
      tf.tidy(() => stepCount.assign(tf.tensor1d([s])));
      updateAverages([...g.vars].map(([name, w]): [tfTypes.Variable, tfTypes.Variable] => [ema.get(name), w]), s, cfg.emaDecay);
      const out = { lossD: lossDSum / cfg.dSteps, lossG: lossG.dataSync()[0]! };
      tf.dispose([lossG, zG]);
      return out;
    },
    dispose() {
      for (const s of [g, ema, d]) s.dispose();
      optG.dispose();
      optD.dispose();
    },
  };
}
