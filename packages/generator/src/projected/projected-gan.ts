// Projected GAN (Sauer et al. 2021, "Projected GANs converge faster"), small and class-conditional:
// the discriminator does not look at pixels but at the activations of a frozen pretrained network
// (a CIFAR-10 resnet trunk: 16x16, 8x8 and 4x4 features), mixed across channels by fixed random 1x1
// convolutions (CCM) and across scales by fixed random upsampling paths (CSM); small trainable
// heads with spectral norm and a class projection (Miyato & Koyama 2018) score each scale per patch.
// Hinge loss, DiffAugment before the feature network. The generator is a light conditional net:
// z and a class embedding → 4x4 → three (transposed conv 4x4/2 → conv 3x3) levels → RGB, each conv
// followed by pixel norm and a FiLM gain/bias from the class embedding and z (batch-independent, so
// no standing statistics). Samples come from an EMA of G. A per-level class schedule gives
// "coarse from one class, fine from the other" hybrids.
import type * as tfTypes from '@tensorflow/tfjs';
import { fastAdam } from '@cvc/compute';
import { createRng, type Rng } from '@cvc/core';
import { diffAugment, type AugmentPolicy } from '../diffaugment.ts';
import { addConv, addConvTranspose, conv, convTranspose, pixelNorm, SpectralNorm } from '../layers.ts';
import { normalLatents, type Batch, type TrainableModel } from '../model.ts';
import { spread } from '../native-ops.ts';
import { WeightStore, type Tf } from '../weights.ts';
import type { FeatureTrunk } from '../feature-trunk.ts';

type T4 = tfTypes.Tensor4D;
type T2 = tfTypes.Tensor2D;

export interface ProjectedGanConfig {
  /** Classes the generator is conditioned on (2; or 12 = CIFAR-10's ten + clock + crocodile). */
  classes: number;
  /** Indices of clock and crocodile among the classes (what a 2-way soft label (1 − m, m) maps to). */
  clockClass: number;
  crocodileClass: number;
  latentDim: number;
  embedDim: number;
  /** Generator channels at 4x4, 8x8, 16x16, 32x32. */
  gWidths: [number, number, number, number];
  /** Channels of the random cross-channel projection per feature scale (fine → coarse). */
  projection: number[];
  /** Channels of the discriminator heads' first layer (doubled per downsampling). */
  dChannels: number;
  learningRateG: number;
  learningRateD: number;
  beta1: number;
  beta2: number;
  emaDecay: number;
  /** Weight λ of the mode-seeking term (Mao et al. 2019) in G's loss: λ / (|G(z1) − G(z2)| / |z1 − z2|) on pairs of one class; 0 = off. */
  modeSeeking: number;
  augment: AugmentPolicy;
}

export interface ProjectedGan extends TrainableModel {
  /** Images [n, 32, 32, 3] in [0, 1] from z and one class label [n, classes] per generator level (4 levels: 4x4 … 32x32). */
  decodeLevels(z: T2, labels: T2[]): T4;
  readonly config: ProjectedGanConfig;
}

const LEVELS = 4;

/** [half, n] matrix whose row i is e_i − e_(i+half): multiplies a batch into its pair differences. */
function pairDifference(tf: Tf, n: number, half: number): T2 {
  const m = new Float32Array(half * n);
  for (let i = 0; i < half; i++) {
    m[i * n + i] = 1;
    m[i * n + i + half] = -1;
  }
  return tf.tensor2d(m, [half, n]);
}

export function createProjectedGan(tf: Tf, cfg: ProjectedGanConfig, trunk: FeatureTrunk, rng: Rng): ProjectedGan {
  const [w0, w1, w2, w3] = cfg.gWidths;
  const widths = cfg.gWidths;
  const g = new WeightStore(tf, 'projected/generator');
  g.add('embed', [cfg.classes, cfg.embedDim], rng, 1);
  g.add('fc/z', [cfg.latentDim, 16 * w0], rng, Math.sqrt(1 / cfg.latentDim));
  g.add('fc/e', [cfg.embedDim, 16 * w0], rng, Math.sqrt(1 / cfg.embedDim));
  g.add('fc/bias', [16 * w0], rng, 0);
  // FiLM layers: one after every conv. Names and channels.
  const films: [string, number][] = [['film0', w0]];
  for (let l = 1; l < LEVELS; l++) films.push([`film${l}a`, widths[l]!], [`film${l}b`, widths[l]!]);
  for (const [name, c] of films) {
    g.add(`${name}/gain`, [cfg.embedDim, c], rng, 0);
    g.add(`${name}/bias`, [cfg.embedDim, c], rng, 0);
    g.add(`${name}/zgain`, [cfg.latentDim, c], rng, 0.1 / Math.sqrt(cfg.latentDim));
    g.add(`${name}/zbias`, [cfg.latentDim, c], rng, 0.1 / Math.sqrt(cfg.latentDim));
  }
  for (let l = 1; l < LEVELS; l++) {
    addConvTranspose(g, `up${l}`, widths[l - 1]!, widths[l]!, rng);
    addConv(g, `conv${l}`, widths[l]!, widths[l]!, rng, 3);
  }
  addConv(g, 'rgb', w3, 3, rng, 3);
  void w1;
  void w2;
  const ema = new WeightStore(tf, 'projected/generator_ema');
  for (const [name, v] of g.vars) ema.vars.set(name, tf.variable(v.clone(), false));
  const stepCount = ema.add('steps', [1], rng, 0, false);

  // Discriminator: fixed random projections (not trained, saved for reproducibility) + trainable heads.
  const d = new WeightStore(tf, 'projected/discriminator');
  const scales = trunk.channels.length;
  if (cfg.projection.length !== scales) throw new Error(`projected.projection needs ${scales} entries (one per feature scale), got ${cfg.projection.length}`);
  const headNames: string[] = [];
  const headLayers: { name: string; stride: number }[][] = [];
  for (let s = 0; s < scales; s++) {
    const p = cfg.projection[s]!;
    d.add(`ccm${s}`, [1, 1, trunk.channels[s]!, p], rng, Math.sqrt(1 / trunk.channels[s]!), false);
    // CSM: coarser projection → this scale's channels, upsampled 2x: a 2x2 stride-2 transposed conv with one random matrix for all 4 taps.
    if (s < scales - 1) {
      const m = new Float32Array(p * cfg.projection[s + 1]!);
      const std = Math.sqrt(1 / cfg.projection[s + 1]!);
      for (let i = 0; i < m.length; i++) m[i] = rng.normal() * std;
      const k = new Float32Array(4 * m.length);
      for (let t = 0; t < 4; t++) k.set(m, t * m.length);
      const v = tf.variable(tf.tensor4d(k, [2, 2, p, cfg.projection[s + 1]!]), false);
      d.vars.set(`csm${s}`, v);
    }
    // Head: stride-2 4x4 convs down to 4x4, then a stride-1 3x3 conv; channels double per downsampling.
    const layers: { name: string; stride: number }[] = [];
    let side = trunk.sides[s]!;
    let c = p;
    let out = cfg.dChannels;
    let i = 0;
    while (side > 4) {
      addConv(d, `head${s}/conv${i}`, c, out, rng, 4);
      layers.push({ name: `head${s}/conv${i}`, stride: 2 });
      c = out;
      out *= 2;
      side /= 2;
      i++;
    }
    addConv(d, `head${s}/conv${i}`, c, c, rng, 3);
    layers.push({ name: `head${s}/conv${i}`, stride: 1 });
    d.add(`head${s}/out/kernel`, [c, 1], rng, Math.sqrt(1 / c));
    d.add(`head${s}/out/bias`, [1], rng, 0);
    d.add(`head${s}/project`, [cfg.classes, c], rng, Math.sqrt(1 / c));
    headLayers.push(layers);
    headNames.push(...layers.map((l) => `${l.name}/kernel`), `head${s}/out/kernel`, `head${s}/project`);
  }
  const sn = new SpectralNorm(tf, d, headNames, rng);

  const optG = fastAdam(tf, cfg.learningRateG, cfg.beta1, cfg.beta2);
  const optD = fastAdam(tf, cfg.learningRateD, cfg.beta1, cfg.beta2);

  /** Pixel norm + FiLM (gain 1 + e·Wg + z·Ug, bias e·Wb + z·Ub) + leaky ReLU 0.2. */
  const film = (w: WeightStore, name: string, x: T4, e: T2, z: T2): T4 => {
    const [, h, wd] = x.shape;
    const gain = tf.add(tf.add(tf.matMul(e, w.get(`${name}/gain`)), tf.matMul(z, w.get(`${name}/zgain`))), 1) as T2;
    const bias = tf.add(tf.matMul(e, w.get(`${name}/bias`)), tf.matMul(z, w.get(`${name}/zbias`))) as T2;
    return tf.leakyRelu(tf.add(tf.mul(pixelNorm(tf, x), spread(tf, gain, h, wd)), spread(tf, bias, h, wd)), 0.2) as T4;
  };

  /** G: z [n, latent], one label [n, classes] per level → [n, 32, 32, 3] in [-1, 1]. */
  const generate = (w: WeightStore, z: T2, labels: T2[]): T4 => {
    const n = z.shape[0];
    const e = labels.map((y) => tf.matMul(y, w.get('embed')) as T2); // [n, embed] per level
    const at = (l: number) => e[Math.min(l, e.length - 1)]!;
    let t = tf.add(tf.add(tf.matMul(z, w.get('fc/z')), tf.matMul(at(0), w.get('fc/e'))), w.get('fc/bias')).reshape([n, 4, 4, w0]) as T4;
    t = film(w, 'film0', t, at(0), z);
    for (let l = 1; l < LEVELS; l++) {
      t = film(w, `film${l}a`, convTranspose(tf, w, `up${l}`, t), at(l), z); // [n, 4·2^l, 4·2^l, widths[l]]
      t = film(w, `film${l}b`, conv(tf, t, w.get(`conv${l}/kernel`), w.get(`conv${l}/bias`), 1), at(l), z);
    }
    // tanh as 2·sigmoid(2x) − 1 (Sigmoid is native, Tanh is not).
    return tf.sub(tf.mul(tf.sigmoid(tf.mul(conv(tf, t, w.get('rgb/kernel'), w.get('rgb/bias'), 1), 2)), 2), 1) as T4;
  };

  /** Random projections of the trunk's features, fine → coarse, with coarse-to-fine mixing. */
  const project = (features: T4[]): T4[] => {
    const p: T4[] = features.map((f, s) => tf.conv2d(f, d.get(`ccm${s}`) as unknown as tfTypes.Tensor4D, 1, 'same'));
    for (let s = scales - 2; s >= 0; s--) {
      const [n, h, wd] = p[s]!.shape;
      const up = tf.conv2dTranspose(p[s + 1]!, d.get(`csm${s}`) as unknown as tfTypes.Tensor4D, [n, h, wd, cfg.projection[s]!], 2, 'same');
      p[s] = tf.add(p[s]!, up) as T4;
    }
    return p;
  };

  /** Per-patch logits of every head, [n, 4, 4] each flattened to [n·16]: ψ(h) + ⟨embed(y), h⟩. */
  const discriminate = (projected: T4[], y: T2): tfTypes.Tensor1D[] =>
    projected.map((x, s) => {
      let t = x;
      for (const { name, stride } of headLayers[s]!) t = tf.leakyRelu(conv(tf, t, sn.weight(`${name}/kernel`), d.get(`${name}/bias`), stride), 0.2) as T4;
      const [n, h, wd, c] = t.shape;
      const flat = t.reshape([n * h * wd, c]) as T2;
      const psi = tf.add(tf.matMul(flat, sn.weight(`head${s}/out/kernel`) as T2), d.get(`head${s}/out/bias`)); // [n·h·w, 1]
      const ey = spread(tf, tf.matMul(y, sn.weight(`head${s}/project`) as T2) as T2, h, wd).reshape([n * h * wd, c]);
      return tf.add(psi.reshape([-1]), tf.sum(tf.mul(flat, ey), 1)) as tfTypes.Tensor1D;
    });

  const gVars = g.trainable();
  const dVars = d.trainable();
  const toUnit = (x: T4) => tf.sub(tf.mul(x, 2), 1) as T4;
  /** [2, classes]: a 2-way soft label (clock, crocodile) → the classes' one-hot mix. */
  const twoWay = (() => {
    const m = new Float32Array(2 * cfg.classes);
    m[cfg.clockClass] = 1;
    m[cfg.classes + cfg.crocodileClass] = 1;
    return tf.keep(tf.tensor2d(m, [2, cfg.classes]));
  })();

  return {
    config: cfg,
    latentDim: cfg.latentDim,
    stores: [g, ema, d],
    optimizers: { generator: optG, discriminator: optD },
    decode: (z, y) => tf.tidy(() => tf.div(tf.add(generate(ema, z, [tf.matMul(y, twoWay) as T2]), 1), 2) as T4),
    decodeLevels: (z, labels) => tf.tidy(() => tf.div(tf.add(generate(ema, z, labels), 1), 2) as T4),
    step({ x, y }: Batch, rng: Rng) {
      const n = x.shape[0];
      // y is [n, classes] (or [n, 2] clock/crocodile when the model has more classes).
      const yK = y.shape[1] === cfg.classes ? y : (tf.matMul(y, twoWay) as T2);
      const augRng = (): Rng => createRng(rng.int(2 ** 32));
      // Generator step first; its augmented fakes' projected features (detached) are reused by the
      // discriminator's step, so G and the trunk run forward once per step for the fakes.
      sn.update();
      const z = normalLatents(tf, n, cfg.latentDim, rng);
      const augFake = augRng();
      let fakeP: T4[] = [];
      // Fakes take the batch's labels with the second half's replaced by the first half's, so sample i
      // and i + n/2 share a class: pairs for the mode-seeking term.
      const half = Math.floor(n / 2);
      const yFake = cfg.modeSeeking > 0 && half > 0 ? tf.tidy(() => tf.gather(yK, Array.from({ length: n }, (_, i) => (i >= half && i < 2 * half ? i - half : i))) as T2) : yK;
      const pairs = cfg.modeSeeking > 0 && half > 0 ? pairDifference(tf, n, half) : undefined; // [half, n]
      const lossG = optG.minimize(() => {
        const fake = generate(g, z, [yFake]);
        const projected = project(trunk.features(diffAugment(tf, fake, augFake, cfg.augment)));
        fakeP = projected.map((t) => tf.keep(t.clone()));
        let loss = tf.scalar(0);
        for (const score of discriminate(projected, yFake)) loss = tf.sub(loss, tf.mean(score));
        if (!pairs) return loss as tfTypes.Scalar;
        const dImage = tf.mean(tf.abs(tf.matMul(pairs, fake.reshape([n, -1]) as T2)));
        const dz = tf.mean(tf.abs(tf.matMul(pairs, z)));
        return tf.add(loss, tf.mul(cfg.modeSeeking, tf.reciprocal(tf.add(tf.div(dImage, dz), 1e-5)))) as tfTypes.Scalar;
      }, true, gVars)!;
      if (pairs) tf.dispose(pairs);
      // The frozen trunk's features of real images need no gradient: computed outside the tape.
      const augReal = augRng();
      const realP = tf.tidy(() => project(trunk.features(diffAugment(tf, toUnit(x), augReal, cfg.augment))));
      sn.update();
      const lossD = optD.minimize(() => {
        const dReal = discriminate(realP, yK);
        const dFake = discriminate(fakeP, yFake);
        let loss = tf.scalar(0);
        for (let s = 0; s < scales; s++) loss = tf.add(loss, tf.add(tf.mean(tf.relu(tf.sub(1, dReal[s]!))), tf.mean(tf.relu(tf.add(1, dFake[s]!)))));
        return loss as tfTypes.Scalar;
      }, true, dVars)!;
      tf.dispose([z, ...realP, ...fakeP]);
      if (yFake !== yK) yFake.dispose();
      if (yK !== y) yK.dispose();
      // EMA with warm-up: decay min(emaDecay, (1 + s)/(10 + s)).
      const s = stepCount.dataSync()[0]! + 1;
      tf.tidy(() => stepCount.assign(tf.tensor1d([s])));
      const decay = Math.min(cfg.emaDecay, (1 + s) / (10 + s));
      tf.tidy(() => {
        for (const [name, w] of g.vars) {
          const e = ema.get(name);
          e.assign(tf.add(tf.mul(e, decay), tf.mul(w, 1 - decay)));
        }
      });
      const out = { lossD: lossD.dataSync()[0]!, lossG: lossG.dataSync()[0]! };
      tf.dispose([lossD, lossG]);
      return out;
    },
    dispose() {
      for (const st of [g, ema, d]) st.dispose();
      optG.dispose();
      optD.dispose();
      twoWay.dispose();
    },
  };
}
