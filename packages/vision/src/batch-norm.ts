// Batch normalisation over the channel axis of NHWC tensors with a hand-written gradient.
// Why: tf.layers.batchNormalization's gradient tiles per-channel statistics to the full
// activation shape (pure-JS Tile) and differentiates through tf.moments — most of a ResNet
// training step on the cpu backend. Training mode is @cvc/compute's batchNormTraining: one
// native kernel each way on the native backend, the closed-form gradient in tfjs ops elsewhere.
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '@cvc/core/backend';
import { batchNormTraining, emaUpdateNative } from '@cvc/compute';

type Kwargs = Record<string, unknown>;

export class FastBatchNorm extends tf.layers.Layer {
  static readonly className = 'FastBatchNorm';
  private readonly momentum: number;
  private readonly epsilon: number;
  /** A leaky ReLU of this slope follows, fused into the batch norm's kernels (undefined: none)… */
  readonly leakyAlpha: number | undefined;
  /** …and the name of the LeakyReLU layer it stands for (the saved portable topology has that layer). */
  readonly activationName: string | undefined;
  private gamma!: tfTypes.LayerVariable;
  private beta!: tfTypes.LayerVariable;
  private movingMean!: tfTypes.LayerVariable;
  private movingVariance!: tfTypes.LayerVariable;

  constructor(config: { momentum?: number; epsilon?: number; leakyAlpha?: number; activationName?: string; name?: string } = {}) {
    super(config);
    this.momentum = config.momentum ?? 0.9;
    this.epsilon = config.epsilon ?? 1e-3;
    this.leakyAlpha = config.leakyAlpha;
    this.activationName = config.activationName;
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
        const y = tf.batchNorm(x, this.movingMean.read() as tfTypes.Tensor1D, this.movingVariance.read() as tfTypes.Tensor1D, beta, gamma, this.epsilon);
        return this.leakyAlpha === undefined ? y : tf.leakyRelu(y, this.leakyAlpha);
      }
      // The batch's moments also update the moving averages (used for inference).
      return batchNormTraining(tf, x, gamma, beta, this.epsilon, (mean, variance) => {
        // moving ← moving·momentum + batch·(1 − momentum): one native call for both (same bits).
        const pairs = [[this.movingMean.read(), mean], [this.movingVariance.read(), variance]] as [tfTypes.Variable, tfTypes.Tensor][];
        if (emaUpdateNative(tf, pairs, this.momentum)) return;
        this.movingMean.write(tf.add(tf.mul(this.movingMean.read(), this.momentum), tf.mul(mean, 1 - this.momentum)));
        this.movingVariance.write(tf.add(tf.mul(this.movingVariance.read(), this.momentum), tf.mul(variance, 1 - this.momentum)));
      }, this.leakyAlpha);
    });
  }

  override getConfig(): tfTypes.serialization.ConfigDict {
    return {
      ...super.getConfig(), momentum: this.momentum, epsilon: this.epsilon,
      ...(this.leakyAlpha !== undefined ? { leakyAlpha: this.leakyAlpha, activationName: this.activationName ?? `${this.name}_act` } : {}),
    };
  }
}

tf.serialization.registerClass(FastBatchNorm);
