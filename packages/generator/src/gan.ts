// Conditional DCGAN for ~700 images: generator conditioned on a learned class embedding
// (a soft label mixes the embeddings → hybrids), projection discriminator (Miyato & Koyama 2018)
// with spectral norm on every weight, hinge loss, DiffAugment on real and fake, and an EMA of
// the generator's weights for sampling.
import type * as tfTypes from '@tensorflow/tfjs';
import { fastAdam } from '@cvc/compute';
import { createRng, type Rng } from '@cvc/core';
import { diffAugment, type AugmentPolicy } from './diffaugment.ts';
import { addConv, addConvTranspose, addDense, conv, convTranspose, dense, pixelNorm, SpectralNorm } from './layers.ts';
import { normalLatents, type Batch, type TrainableModel } from './model.ts';
import { WeightStore, type Tf } from './weights.ts';

export interface GanConfig {
  latentDim: number;
  /** Size of the class embedding fed to the generator. */
  embedDim: number;
  /** Generator channels at 16x16 (×2 at 8x8, ×4 at 4x4). */
  gChannels: number;
  /** Discriminator channels at 16x16 (×2 at 8x8, ×4 at 4x4). */
  dChannels: number;
  learningRateG: number;
  learningRateD: number;
  beta1: number;
  beta2: number;
  /** Decay of the generator's weight average used for sampling. */
  emaDecay: number;
  augment: AugmentPolicy;
}

export function createGan(tf: Tf, cfg: GanConfig, rng: Rng): TrainableModel {
  const g = new WeightStore(tf, 'gan/generator');
  const gc = cfg.gChannels;
  g.add('embed', [2, cfg.embedDim], rng, 1);
  addDense(g, 'fc', cfg.latentDim + cfg.embedDim, 16 * 4 * gc, rng);
  addConvTranspose(g, 'up1', 4 * gc, 2 * gc, rng);
  addConvTranspose(g, 'up2', 2 * gc, gc, rng);
  addConvTranspose(g, 'up3', gc, 3, rng);
  // A small output layer: G starts near flat grey instead of saturated high-frequency noise,
  // which D rejected at once and G collapsed from (seen in the first full run).
  const out = g.get('up3/kernel');
  out.assign(tf.mul(out, 0.1));
  // The EMA copy shares the generator's layout; it is what samples are drawn from.
  const ema = new WeightStore(tf, 'gan/generator_ema');
  for (const [name, v] of g.vars) ema.vars.set(name, tf.variable(v.clone(), false));

  const d = new WeightStore(tf, 'gan/discriminator');
  const dc = cfg.dChannels;
  addConv(d, 'conv1', 3, dc, rng);
  addConv(d, 'conv2', dc, 2 * dc, rng);
  addConv(d, 'conv3', 2 * dc, 4 * dc, rng);
  // +1 feature: the minibatch standard deviation (Karras et al. 2018), so D sees a collapsed batch.
  addDense(d, 'out', 4 * dc + 1, 1, rng, 1);
  d.add('project', [2, 4 * dc + 1], rng, Math.sqrt(1 / (4 * dc)));
  const sn = new SpectralNorm(tf, d, ['conv1/kernel', 'conv2/kernel', 'conv3/kernel', 'out/kernel', 'project'], rng);

  const optG = fastAdam(tf, cfg.learningRateG, cfg.beta1, cfg.beta2);
  const optD = fastAdam(tf, cfg.learningRateD, cfg.beta1, cfg.beta2);

  /** Generator in [-1, 1]: [n, latent] + [n, 2] → [n, 32, 32, 3]. */
  const generate = (w: WeightStore, z: tfTypes.Tensor2D, y: tfTypes.Tensor2D): tfTypes.Tensor4D => {
    const n = z.shape[0];
    const e = tf.matMul(y, w.get('embed')); // soft label → mixed embedding [n, embedDim]
    let t = dense(tf, tf.concat([z, e], 1) as tfTypes.Tensor2D, w.get('fc/kernel'), w.get('fc/bias')).reshape([n, 4, 4, 4 * gc]) as tfTypes.Tensor4D;
    t = pixelNorm(tf, tf.relu(t));
    t = pixelNorm(tf, tf.relu(convTranspose(tf, w, 'up1', t))); // [n, 8, 8, 2gc]
    t = pixelNorm(tf, tf.relu(convTranspose(tf, w, 'up2', t))); // [n, 16, 16, gc]
    return tf.tanh(convTranspose(tf, w, 'up3', t)); // [n, 32, 32, 3]
  };

  /** Projection discriminator: ψ(h) + yᵀVh, h = Σ over space of the last features + the batch's feature spread. */
  const discriminate = (x: tfTypes.Tensor4D, y: tfTypes.Tensor2D): tfTypes.Tensor1D => {
    let t = tf.leakyRelu(conv(tf, x, sn.weight('conv1/kernel'), d.get('conv1/bias'), 2), 0.1); // [n, 16, 16, dc]
    t = tf.leakyRelu(conv(tf, t, sn.weight('conv2/kernel'), d.get('conv2/bias'), 2), 0.1); // [n, 8, 8, 2dc]
    t = tf.leakyRelu(conv(tf, t, sn.weight('conv3/kernel'), d.get('conv3/bias'), 2), 0.1); // [n, 4, 4, 4dc]
    const n = x.shape[0];
    const spread = tf.mean(tf.sqrt(tf.add(tf.moments(t, 0).variance, 1e-8))); // one number per batch
    const h = tf.concat([tf.sum(t, [1, 2]), tf.mul(tf.ones([n, 1]), tf.mul(spread, 16))], 1) as tfTypes.Tensor2D; // [n, 4dc + 1]
    const psi = dense(tf, h, sn.weight('out/kernel'), d.get('out/bias')).reshape([-1]);
    const projection = tf.sum(tf.mul(tf.matMul(y, sn.weight('project') as tfTypes.Tensor2D), h), 1);
    return tf.add(psi, projection) as tfTypes.Tensor1D;
  };

  const gVars = g.trainable();
  const dVars = d.trainable();
  const toUnit = (x: tfTypes.Tensor4D) => tf.sub(tf.mul(x, 2), 1) as tfTypes.Tensor4D;

  return {
    latentDim: cfg.latentDim,
    stores: [g, ema, d],
    optimizers: { generator: optG, discriminator: optD },
    decode: (z, y) => tf.tidy(() => tf.div(tf.add(generate(ema, z, y), 1), 2) as tfTypes.Tensor4D),
    step({ x, y }: Batch, rng: Rng) {
      const n = x.shape[0];
      sn.update();
      // Discriminator: hinge loss on augmented real and augmented fake.
      const zD = normalLatents(tf, n, cfg.latentDim, rng);
      // Each augmentation gets its own generator, seeded from the step's rng.
      const augRng = (): Rng => createRng(rng.int(2 ** 32));
      const augReal = augRng();
      const augFake = augRng();
      const lossD = optD.minimize(() => {
        const fake = generate(g, zD, y);
        const real = toUnit(x);
        const dReal = discriminate(diffAugment(tf, real, augReal, cfg.augment), y);
        const dFake = discriminate(diffAugment(tf, fake, augFake, cfg.augment), y);
        return tf.add(tf.mean(tf.relu(tf.sub(1, dReal))), tf.mean(tf.relu(tf.add(1, dFake)))) as tfTypes.Scalar;
      }, true, dVars)!;
      // Generator: fool D on augmented fakes of the same labels.
      const zG = normalLatents(tf, n, cfg.latentDim, rng);
      const augG = augRng();
      const lossG = optG.minimize(() => tf.neg(tf.mean(discriminate(diffAugment(tf, generate(g, zG, y), augG, cfg.augment), y))) as tfTypes.Scalar, true, gVars)!;
      tf.tidy(() => {
        for (const [name, w] of g.vars) {
          const e = ema.get(name);
          e.assign(tf.add(tf.mul(e, cfg.emaDecay), tf.mul(w, 1 - cfg.emaDecay)));
        }
      });
      const out = { lossD: lossD.dataSync()[0]!, lossG: lossG.dataSync()[0]! };
      tf.dispose([lossD, lossG, zD, zG]);
      return out;
    },
    dispose() {
      for (const s of [g, ema, d]) s.dispose();
      optG.dispose();
      optD.dispose();
    },
  };
}
