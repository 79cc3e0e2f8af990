// Conditional VAE (Kingma & Welling 2014; Sohn et al. 2015). The label enters the encoder as two
// constant channels and the decoder concatenated to z, so a soft label (0.5, 0.5) asks for a hybrid.
import type * as tfTypes from '@tensorflow/tfjs';
import { fastAdam } from '@cvc/compute';
import type { Rng } from '@cvc/core';
import { addConv, addConvTranspose, addDense, conv, convTranspose, dense } from './layers.ts';
import { normalLatents, type Batch, type TrainableModel } from './model.ts';
import { WeightStore, type Tf } from './weights.ts';

export interface VaeConfig {
  latentDim: number;
  /** Channels of the first conv; doubled at each of the 3 downsamplings. */
  channels: number;
  /** Weight of the summed squared pixel error against the KL term (1/(2σ²) of a Gaussian decoder). */
  reconWeight: number;
  learningRate: number;
}

export function createVae(tf: Tf, cfg: VaeConfig, rng: Rng): TrainableModel {
  const c = cfg.channels;
  const enc = new WeightStore(tf, 'vae/encoder');
  addConv(enc, 'conv1', 5, c, rng); // image + 2 label channels
  addConv(enc, 'conv2', c, 2 * c, rng);
  addConv(enc, 'conv3', 2 * c, 4 * c, rng);
  addDense(enc, 'mu', 16 * 4 * c, cfg.latentDim, rng, 1);
  addDense(enc, 'logvar', 16 * 4 * c, cfg.latentDim, rng, 0.01);
  const dec = new WeightStore(tf, 'vae/decoder');
  addDense(dec, 'fc', cfg.latentDim + 2, 16 * 4 * c, rng);
  // The label also enters every upsampling as 2 constant channels, so the decoder cannot drop it.
  addConvTranspose(dec, 'up1', 4 * c + 2, 2 * c, rng);
  addConvTranspose(dec, 'up2', 2 * c + 2, c, rng);
  addConvTranspose(dec, 'up3', c + 2, 3, rng);
  const optimizer = fastAdam(tf, cfg.learningRate);

  const encodeStats = (x: tfTypes.Tensor4D, y: tfTypes.Tensor2D) => {
    const [n, h, w] = x.shape;
    const labelMaps = tf.tile(y.reshape([n, 1, 1, 2]), [1, h, w, 1]);
    let t = tf.concat([tf.sub(tf.mul(x, 2), 1), labelMaps], 3) as tfTypes.Tensor4D; // [n, 32, 32, 5]
    t = tf.leakyRelu(conv(tf, t, enc.get('conv1/kernel'), enc.get('conv1/bias'), 2), 0.2); // [n, 16, 16, c]
    t = tf.leakyRelu(conv(tf, t, enc.get('conv2/kernel'), enc.get('conv2/bias'), 2), 0.2); // [n, 8, 8, 2c]
    t = tf.leakyRelu(conv(tf, t, enc.get('conv3/kernel'), enc.get('conv3/bias'), 2), 0.2); // [n, 4, 4, 4c]
    const flat = t.reshape([n, 16 * 4 * c]) as tfTypes.Tensor2D;
    return { mu: dense(tf, flat, enc.get('mu/kernel'), enc.get('mu/bias')), logvar: dense(tf, flat, enc.get('logvar/kernel'), enc.get('logvar/bias')) };
  };

  const withLabel = (t: tfTypes.Tensor4D, y: tfTypes.Tensor2D): tfTypes.Tensor4D => {
    const [n, h, w] = t.shape;
    return tf.concat([t, tf.tile(y.reshape([n, 1, 1, 2]), [1, h, w, 1])], 3) as tfTypes.Tensor4D; // [n, h, w, channels + 2]
  };
  const decode = (z: tfTypes.Tensor2D, y: tfTypes.Tensor2D): tfTypes.Tensor4D => {
    const n = z.shape[0];
    let t: tfTypes.Tensor4D = tf.relu(dense(tf, tf.concat([z, y], 1) as tfTypes.Tensor2D, dec.get('fc/kernel'), dec.get('fc/bias'))).reshape([n, 4, 4, 4 * c]);
    t = tf.relu(convTranspose(tf, dec, 'up1', withLabel(t, y))); // [n, 8, 8, 2c]
    t = tf.relu(convTranspose(tf, dec, 'up2', withLabel(t, y))); // [n, 16, 16, c]
    return tf.sigmoid(convTranspose(tf, dec, 'up3', withLabel(t, y))); // [n, 32, 32, 3]
  };

  const variables = [...enc.trainable(), ...dec.trainable()];
  return {
    latentDim: cfg.latentDim,
    stores: [enc, dec],
    optimizers: { vae: optimizer },
    decode,
    encode: ({ x, y }: Batch) => tf.tidy(() => encodeStats(x, y).mu),
    step({ x, y }: Batch, rng: Rng) {
      const n = x.shape[0];
      const eps = normalLatents(tf, n, cfg.latentDim, rng);
      let recon = 0;
      let kl = 0;
      const cost = optimizer.minimize(() => {
        const { mu, logvar } = encodeStats(x, y);
        const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logvar, 0.5)), eps)) as tfTypes.Tensor2D; // reparameterisation
        const xHat = decode(z, y);
        const r = tf.div(tf.sum(tf.square(tf.sub(xHat, x))), n); // per image
        const k = tf.div(tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logvar), tf.square(mu)), tf.exp(logvar)))), n);
        recon = r.dataSync()[0]!;
        kl = k.dataSync()[0]!;
        return tf.add(tf.mul(r, cfg.reconWeight), k) as tfTypes.Scalar;
      }, true, variables);
      const loss = cost!.dataSync()[0]!;
      cost!.dispose();
      eps.dispose();
      return { loss, recon, kl };
    },
    dispose() {
      enc.dispose();
      dec.dispose();
      optimizer.dispose();
    },
  };
}
