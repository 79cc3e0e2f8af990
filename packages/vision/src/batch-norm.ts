// Batch normalisation over the channel axis of NHWC tensors with a hand-written gradient.
// Why: tf.layers.batchNormalization's gradient tiles per-channel statistics to the full
// activation shape (pure-JS Tile) and differentiates through tf.moments — most of a ResNet
// training step on the cpu backend. Here the backward pass is the closed form
//   dx = gamma·invStd · (dy − mean(dy) − x̂ · mean(dy·x̂))
// in a handful of broadcast elementwise ops and two per-channel sums.
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '@cvc/core/backend';

type Kwargs = Record<string, unknown>;

export class FastBatchNorm extends tf.layers.Layer {
  static readonly className = 'FastBatchNorm';
  private readonly momentum: number;
  private readonly epsilon: number;
  private gamma!: tfTypes.LayerVariable;
  private beta!: tfTypes.LayerVariable;
  private movingMean!: tfTypes.LayerVariable;
  private movingVariance!: tfTypes.LayerVariable;

  constructor(config: { momentum?: number; epsilon?: number; name?: string } = {}) {
    super(config);
    this.momentum = config.momentum ?? 0.9;
    this.epsilon = config.epsilon ?? 1e-3;
    this.supportsMasking = true;
  }

  override build(inputShape: tfTypes.Shape | tfTypes.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfTypes.Shape;
    const channels = shape[shape.length - 1];
    if (typeof channels !== 'number') throw new Error(`${this.name}: the channel dimension must be known (input shape ${JSON.stringify(shape)})`);
    this.gamma = this.addWeight('gamma', [channels], 'float32', tf.initializers.ones());
    this.beta = this.addWeight('beta', [channels], 'float32', tf.initializers.zeros());
    this.movingMean = this.addWeight('moving_mean', [channels], 'float32', tf.initializers.zeros(), undefined, false);
    this.movingVariance = this.addWeight('moving_variance', [channels], 'float32', tf.initializers.ones(), undefined, false);
    this.built = true;
  }

  override call(inputs: tfTypes.Tensor | tfTypes.Tensor[], kwargs: Kwargs): tfTypes.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tfTypes.Tensor4D; // [batch, H, W, C]
      const gamma = this.gamma.read() as tfTypes.Tensor1D;
      const beta = this.beta.read() as tfTypes.Tensor1D;
      if (kwargs['training'] !== true) {
        return tf.batchNorm(x, this.movingMean.read() as tfTypes.Tensor1D, this.movingVariance.read() as tfTypes.Tensor1D, beta, gamma, this.epsilon);
      }
      const axes = [0, 1, 2];
      const normalise = tf.customGrad((...args: unknown[]) => {
        const [xIn, g, b] = args as [tfTypes.Tensor4D, tfTypes.Tensor1D, tfTypes.Tensor1D];
        const save = args[3] as (tensors: tfTypes.Tensor[]) => void;
        const { mean, variance } = tf.moments(xIn, axes); // [C] each
        this.movingMean.write(tf.add(tf.mul(this.movingMean.read(), this.momentum), tf.mul(mean, 1 - this.momentum)));
        this.movingVariance.write(tf.add(tf.mul(this.movingVariance.read(), this.momentum), tf.mul(variance, 1 - this.momentum)));
        const invStd = tf.rsqrt(tf.add(variance, this.epsilon)); // [C]
        const xHat = tf.mul(tf.sub(xIn, mean), invStd); // [batch, H, W, C]
        save([xHat, tf.mul(g, invStd)]);
        return {
          value: tf.add(tf.mul(xHat, g), b),
          gradFunc: (dy: tfTypes.Tensor | tfTypes.Tensor[], saved: tfTypes.Tensor[]) => {
            const d = dy as tfTypes.Tensor4D;
            const [hat, gammaInvStd] = saved as [tfTypes.Tensor, tfTypes.Tensor];
            const count = d.size / d.shape[3];
            const dBeta = tf.sum(d, axes); // [C]
            const dGamma = tf.sum(tf.mul(d, hat), axes); // [C]
            const centred = tf.sub(tf.sub(d, tf.div(dBeta, count)), tf.mul(hat, tf.div(dGamma, count)));
            return [tf.mul(centred, gammaInvStd), dGamma, dBeta];
          },
        };
      });
      return normalise(x, gamma, beta) as tfTypes.Tensor;
    });
  }

  override getConfig(): tfTypes.serialization.ConfigDict {
    return { ...super.getConfig(), momentum: this.momentum, epsilon: this.epsilon };
  }
}

tf.serialization.registerClass(FastBatchNorm);
