// A one-latent conditional generator (VAE, GAN) seen as one whose latent is [z_clock | z_crocodile],
// as the autoencoder's already is: a guided blend hybrid then starts from the guided clock sample and
// the guided crocodile sample themselves, not from one z shared by both parts.
import type * as tfTypes from '@tensorflow/tfjs';
import type { ConditionalGenerator } from './model.ts';
import type { Tf } from './weights.ts';

/** latentDim 2d; decode(z [n, 2d], y [n, 2]) = gen.decode(y₀·z_clock + y₁·z_crocodile, y): a one-hot label reads its own half. */
export function splitLatentGenerator(tf: Tf, gen: ConditionalGenerator): ConditionalGenerator {
  const d = gen.latentDim;
  return {
    latentDim: 2 * d,
    decode: (z, y) =>
      tf.tidy(() => {
        const [zClock, zCrocodile] = tf.split(z, 2, 1) as [tfTypes.Tensor2D, tfTypes.Tensor2D]; // [n, d] each
        const [yClock, yCrocodile] = tf.split(y, 2, 1) as [tfTypes.Tensor2D, tfTypes.Tensor2D]; // [n, 1] each
        return gen.decode(tf.add(tf.mul(zClock, yClock), tf.mul(zCrocodile, yCrocodile)) as tfTypes.Tensor2D, y);
      }),
  };
}
