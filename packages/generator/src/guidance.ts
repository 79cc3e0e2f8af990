// Guided sampling: move each sample's latent z a short way, by gradient through the generator's
// decoder, so that a guide — a classifier-stage resnet that is NOT one of the judges — calls the image
// its class (or, for hybrids, undecided: logit 0), while its features in the pretrain network stay near
// a real image of the class (a realism pull, against the classifier's shortcuts: it also keeps the
// samples apart, each pulled to its own nearest real image) and z stays in the latent's prior.
// Classifier guidance in latent space (Dhariwal & Nichol 2021 steer a diffusion model the same way;
// here the latent is the autoencoder's fitted code density). The judges never enter the loss.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import type { Rng } from '@cvc/core';
import { loadClassifierModel } from '@cvc/vision/classifier-model';
import { createFeatureTrunk, pooledFeatures, resnetWeightsOf, type FeatureTrunk, type ResnetArchitecture } from './feature-trunk.ts';
import { mixLabels, type ConditionalGenerator } from './model.ts';
import { toBytes } from './sample.ts';
import { applyView, randomView } from './guide-views.ts';
import { composeHybrid } from './compositions.ts';
import type { Tf } from './weights.ts';
import type { GUIDED_HYBRIDS } from '@cvc/artifacts/generator-metrics';

type T4 = tfTypes.Tensor4D;
type T2 = tfTypes.Tensor2D;

/** Images [n, 32, 32, 3] in [0, 1] → crocodile logit [n]; differentiable. */
export type GuideLogit = (x01: T4) => tfTypes.Tensor1D;

export interface GuidanceSettings {
  steps: number;
  learningRate: number;
  /** Weight of ‖z‖² (the latent's standard-normal prior: keeps codes inside the fitted density). */
  prior: number;
  /** Weight of ‖z − z₀‖² (per sample, summed over z). */
  anchor: number;
  /** Weight of the squared distance to the nearest real image of the class in the realism features, over its real-to-real median. */
  realism: number;
  /** Each guide sees its own random view of the image (shifted by up to this many pixels, maybe mirrored) at every step; 0: the image as drawn. */
  views?: number;
  /**
   * What a guided hybrid is: `mean-code` decodes one latent at mix ½ (the mean of a clock's and a crocodile's
   * code); `blend` averages, in pixels, a clock decoded from the latent's clock half and a crocodile from its
   * crocodile half — each part pulled toward its own class's real images, the guides reading the blend;
   * `contrast-blend` the same with the blend's spread restored to its parts'; `inset` the crocodile part inside a
   * centred disc, the clock part around it (compositions.ts).
   */
  hybrid?: (typeof GUIDED_HYBRIDS)[number];
  /** `inset` hybrids: the radius (px) of the centred disc that shows the crocodile part inside the clock part. */
  insetRadius?: number;
  /** Hybrids composed of two parts (all but `mean-code`): weight, relative to the parts' pull, of the realism pull on the composed hybrid itself (toward its nearest real clock plus its nearest real crocodile); 0: the parts only. */
  wholeRealism?: number;
}

/** What the target of a guided draw is: a class (0 clock, 1 crocodile) or the hybrid's undecided logit 0. */
export type GuidanceTarget = 0 | 1 | 'undecided';

export interface Realism {
  /** Images in [0, 1] → pooled features [n, k] (differentiable). */
  features(x01: T4): T2;
  /** Training images' features per class: [n_c, k] each. */
  real: [T2, T2];
  /** Median squared distance of a real clock to its nearest other real clock: the unit of the realism term. */
  scale: number;
}

/** A resnet classifier (trunk with batch norm folded, then pooled → fc7 → logit) as a differentiable logit. */
export function guideFromModel(tf: Tf, model: tfTypes.LayersModel, architecture: ResnetArchitecture, normalization: { mean: number[]; std: number[] }, where: string): { logit: GuideLogit; trunk: FeatureTrunk } {
  const trunk = createFeatureTrunk(tf, resnetWeightsOf(model, architecture, normalization, where));
  let fc7: tfTypes.layers.Layer, logitLayer: tfTypes.layers.Layer;
  try {
    fc7 = model.getLayer('fc7');
    logitLayer = model.getLayer('logit');
  } catch {
    throw new Error(`${where}: the guide needs a classifier with "fc7" and "logit" layers`);
  }
  return {
    trunk,
    // dropout is off outside training
    logit: (x01) => (logitLayer.apply(fc7.apply(pooledFeatures(tf, trunk, x01))) as tfTypes.Tensor).reshape([-1]) as tfTypes.Tensor1D,
  };
}

/** Any other classifier (no batch norm to fold): its layers up to `logit`, on normalised input. */
export function guideFromLayers(tf: Tf, model: tfTypes.LayersModel, normalization: { mean: number[]; std: number[] }, where: string): GuideLogit {
  let logit: tfTypes.SymbolicTensor;
  try {
    logit = model.getLayer('logit').output as tfTypes.SymbolicTensor;
  } catch {
    throw new Error(`${where}: the guide needs a classifier with a "logit" layer`);
  }
  const upToLogit = tf.model({ inputs: model.inputs, outputs: logit });
  const mean = tf.keep(tf.tensor1d(normalization.mean));
  const std = tf.keep(tf.tensor1d(normalization.std));
  return (x01) => (upToLogit.apply(tf.div(tf.sub(x01, mean), std), { training: false }) as tfTypes.Tensor).reshape([-1]) as tfTypes.Tensor1D;
}

/**
 * The guide ensemble: for each classifier-stage model named, its full model and, with `folds`, each
 * cross-validation fold's model (`<modelsDir>/<name>/{full,fold-*}`): an ensemble's gradient carries
 * over to other classifiers better than one network's, and models of different kinds (a resnet reads
 * shape and texture, the dense net colour layout) pull on different things.
 */
export async function loadGuides(tf: Tf, modelsDir: string, names: string[], folds: boolean): Promise<{ logits: GuideLogit[]; dispose(): void }> {
  const logits: GuideLogit[] = [];
  const trunks: FeatureTrunk[] = [];
  for (const name of names) {
    const dir = join(modelsDir, name);
    let subdirs: string[];
    try {
      subdirs = readdirSync(dir).filter((s) => s === 'full' || (folds && /^fold-\d+$/.test(s))).sort();
    } catch {
      throw new Error(`stages.generator.params.guidance.guides: "${name}" is not a classifier model in ${modelsDir}`);
    }
    if (!subdirs.includes('full')) throw new Error(`${join(dir, 'full')}: guide "${name}" has no full model`);
    for (const sub of subdirs) {
      const { model, metadata } = await loadClassifierModel(join(dir, sub));
      const architecture = (metadata.params as { architecture?: ResnetArchitecture }).architecture;
      const where = join(dir, sub, 'model.json');
      if (architecture?.kind === 'resnet') {
        const g = guideFromModel(tf, model, architecture, metadata.normalization, where);
        logits.push(g.logit);
        trunks.push(g.trunk);
      } else {
        logits.push(guideFromLayers(tf, model, metadata.normalization, where));
      }
    }
  }
  return { logits, dispose: () => trunks.forEach((t) => t.dispose()) };
}

/** Squared distance [n] of each row of f [n, k] to its nearest row of r [m, k]. */
export function nearestSquaredDistance(tf: Tf, f: T2, r: T2): tfTypes.Tensor1D {
  const cross = tf.matMul(f, r, false, true); // [n, m]
  return tf.min(tf.add(tf.sub(tf.sum(tf.square(f), 1, true), tf.mul(2, cross)), tf.sum(tf.square(r), 1).reshape([1, -1])), 1) as tfTypes.Tensor1D;
}

/** The realism pull's features: a pooled feature function and the training images' features per class. */
export function buildRealism(tf: Tf, features: (x01: T4) => T2, trainPixels: Float32Array, labels: number[]): Realism {
  const px = 32 * 32 * 3;
  const real = ([0, 1] as const).map((cls) =>
    tf.tidy(() => {
      const idx = labels.flatMap((l, i) => (l === cls ? [i] : []));
      const rows: T2[] = [];
      for (let s = 0; s < idx.length; s += 128) {
        const part = idx.slice(s, s + 128);
        const x = new Float32Array(part.length * px);
        part.forEach((i, k) => x.set(trainPixels.subarray(i * px, (i + 1) * px), k * px));
        rows.push(features(tf.tensor4d(x, [part.length, 32, 32, 3])));
      }
      return tf.concat(rows) as T2;
    }),
  ) as [T2, T2];
  const scale = tf.tidy(() => {
    const r = real[0];
    const d = tf.add(nearestSquaredDistanceAll(tf, r), tf.mul(tf.eye(r.shape[0]), 1e9)); // self excluded
    const v = [...tf.min(d, 1).dataSync()].sort((a, b) => a - b);
    return v[v.length >> 1]!;
  });
  return { features, real, scale: Math.max(scale, 1e-6) };
}

/** Pairwise squared distances [n, n] of the rows of r. */
function nearestSquaredDistanceAll(tf: Tf, r: T2): T2 {
  const sq = tf.sum(tf.square(r), 1);
  return tf.add(tf.sub(sq.reshape([-1, 1]), tf.mul(2, tf.matMul(r, r, false, true))), sq.reshape([1, -1])) as T2;
}

/** One guided picture of latents z [n, latentDim]: the image [n, 32, 32, 3] in [0, 1] and its realism distance [n]. */
type Picture = (z: T2) => { image: T4; near: () => tfTypes.Tensor1D };

/** How the latents of a guided draw at crocodile share `mix` become images, and what the realism pull measures. */
function pictureOf(tf: Tf, gen: ConditionalGenerator, n: number, mix: number, target: GuidanceTarget, realism: Realism, { hybrid, wholeRealism = 0, insetRadius = 10 }: Pick<GuidanceSettings, 'hybrid' | 'wholeRealism' | 'insetRadius'>): { picture: Picture; dispose(): void } {
  if (target === 'undecided' && hybrid !== undefined && hybrid !== 'mean-code') {
    const [yc, yk] = [mixLabels(tf, Array(n).fill(0)), mixLabels(tf, Array(n).fill(1))];
    return {
      picture: (z) => {
        const clock = gen.decode(z, yc) as T4, crocodile = gen.decode(z, yk) as T4; // each reads its own half of z
        const image = composeHybrid(tf, hybrid, clock, crocodile, insetRadius);
        return {
          image,
          near: () => {
            const parts = tf.add(nearestSquaredDistance(tf, realism.features(clock), realism.real[0]), nearestSquaredDistance(tf, realism.features(crocodile), realism.real[1]));
            if (wholeRealism === 0) return parts as tfTypes.Tensor1D;
            const f = realism.features(image); // the hybrid itself near a real clock and a real crocodile
            return tf.add(parts, tf.mul(wholeRealism, tf.add(nearestSquaredDistance(tf, f, realism.real[0]), nearestSquaredDistance(tf, f, realism.real[1])))) as tfTypes.Tensor1D;
          },
        };
      },
      dispose: () => tf.dispose([yc, yk]),
    };
  }
  const y = mixLabels(tf, Array(n).fill(mix));
  return {
    picture: (z) => {
      const image = gen.decode(z, y) as T4;
      return {
        image,
        near: () => {
          const f = realism.features(image);
          return target === 'undecided' ? tf.add(nearestSquaredDistance(tf, f, realism.real[0]), nearestSquaredDistance(tf, f, realism.real[1])) : nearestSquaredDistance(tf, f, realism.real[target]);
        },
      };
    },
    dispose: () => y.dispose(),
  };
}

/**
 * Guided latents: from z₀ [n, latentDim] (row-major) at crocodile share `mix`, Adam steps on
 * mean over guides of the target loss (softplus toward the class; logit² for undecided), each guide on
 * its own random view of the image when `views` > 0 (drawn from `rng`)
 * + realism·(distance² to the nearest real image of the class, or the sum over both classes for undecided)/scale
 * + prior·‖z‖² + anchor·‖z − z₀‖². Returns the final z.
 */
export function guideLatents(tf: Tf, gen: ConditionalGenerator, z0: Float32Array, mix: number, target: GuidanceTarget, guides: GuideLogit[], realism: Realism, s: GuidanceSettings, rng?: Rng): Float32Array {
  const dim = gen.latentDim;
  const n = z0.length / dim;
  const views = s.views ?? 0;
  if (views > 0 && !rng) throw new Error('guideLatents: random views need an rng');
  const z = z0.slice();
  const m1 = new Float32Array(z.length), m2 = new Float32Array(z.length);
  const { picture, dispose } = pictureOf(tf, gen, n, mix, target, realism, s);
  const start = tf.tensor2d(z0, [n, dim]);
  const loss = (zt: tfTypes.Tensor): tfTypes.Scalar => {
    const { image, near } = picture(zt as T2);
    const per = guides.map((g) => {
      const logit = g(views > 0 ? applyView(tf, image, randomView(rng!, views)) : image); // [n]
      return target === 'undecided' ? tf.square(logit) : tf.softplus(target === 0 ? logit : tf.neg(logit));
    });
    const guideLoss = tf.mean(tf.stack(per));
    const prior = tf.mean(tf.sum(tf.square(zt), 1));
    const anchor = tf.mean(tf.sum(tf.square(tf.sub(zt, start)), 1));
    return tf.addN([guideLoss, tf.mul(s.realism / realism.scale, tf.mean(near())), tf.mul(s.prior, prior), tf.mul(s.anchor, anchor)]) as tfTypes.Scalar;
  };
  const grad = tf.grad(loss);
  const [b1, b2] = [0.9, 0.999];
  for (let step = 1; step <= s.steps; step++) {
    const g = tf.tidy(() => grad(tf.tensor2d(z, [n, dim])).dataSync() as Float32Array);
    const c1 = 1 - b1 ** step, c2 = 1 - b2 ** step;
    for (let i = 0; i < z.length; i++) {
      m1[i] = b1 * m1[i]! + (1 - b1) * g[i]!;
      m2[i] = b2 * m2[i]! + (1 - b2) * g[i]! * g[i]!;
      z[i] = z[i]! - (s.learningRate * (m1[i]! / c1)) / (Math.sqrt(m2[i]! / c2) + 1e-8);
    }
  }
  tf.dispose(start);
  dispose();
  return z;
}

/** The settings of one guided draw: hybrids read `hybridViews` and `hybridSteps` where class samples read `views` and `steps`. */
export function settingsFor(target: GuidanceTarget, s: GuidanceSettings & { hybridViews?: number; hybridSteps?: number }): GuidanceSettings {
  return target === 'undecided' ? { ...s, views: s.hybridViews ?? 0, steps: s.hybridSteps ?? s.steps } : s;
}

/** Guided images and their final latents, in batches of 64: uint8 [n, 32, 32, 3] and z [n, latentDim]. */
export function guidedDraw(tf: Tf, gen: ConditionalGenerator, z0: Float32Array, mix: number, target: GuidanceTarget, guides: GuideLogit[], realism: Realism, s: GuidanceSettings, rng?: Rng): { images: Uint8Array; z: Float32Array } {
  const dim = gen.latentDim;
  const n = z0.length / dim;
  const images = new Uint8Array(n * 32 * 32 * 3);
  const zs = new Float32Array(z0.length);
  for (let b = 0; b < n; b += 64) {
    const m = Math.min(64, n - b);
    const z = guideLatents(tf, gen, z0.subarray(b * dim, (b + m) * dim), mix, target, guides, realism, s, rng);
    zs.set(z, b * dim);
    const { picture, dispose } = pictureOf(tf, gen, m, mix, target, realism, s);
    images.set(tf.tidy(() => toBytes(picture(tf.tensor2d(z, [m, dim])).image)), b * 32 * 32 * 3);
    dispose();
  }
  return { images, z: zs };
}

/**
 * Where guided hybrids start: row i takes the first half of clock latent i and the second half of
 * crocodile latent i (cycling through the rows when n is larger). For the autoencoder, whose latent
 * is [z_clock | z_crocodile], that is the guided clock's own code noise and the guided crocodile's: the
 * hybrid at mix ½ begins as the mean of two recognisable samples' codes.
 */
export function crossoverLatents(clock: Float32Array, crocodile: Float32Array, dim: number, n: number): Float32Array {
  const rows = clock.length / dim;
  if (rows < 1 || crocodile.length !== clock.length) throw new Error(`crossoverLatents: ${rows} clock and ${crocodile.length / dim} crocodile latents of size ${dim}`);
  const half = Math.floor(dim / 2);
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const r = (i % rows) * dim;
    out.set(clock.subarray(r, r + half), i * dim);
    out.set(crocodile.subarray(r + half, r + dim), i * dim + half);
  }
  return out;
}
