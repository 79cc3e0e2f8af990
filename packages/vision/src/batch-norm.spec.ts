// FastBatchNorm against the textbook formula differentiated by tfjs autodiff.
import { beforeAll, describe, expect, it } from 'vitest';
import { initCompute, tf } from '@cvc/core/backend';
import { FastBatchNorm } from './batch-norm.ts';

describe('FastBatchNorm', () => {
  beforeAll(() => initCompute(() => {}));

  it('training output and gradients (x, gamma, beta) match autodiff of (x − mean)/sqrt(var + eps)·gamma + beta', () => {
    const x = tf.randomNormal([4, 5, 5, 3], 1, 2, 'float32', 3);
    const weight = tf.randomNormal([4, 5, 5, 3], 0, 1, 'float32', 4); // makes the loss depend on every output unequally
    const layer = new FastBatchNorm({ epsilon: 1e-3 });
    layer.apply(tf.input({ shape: [5, 5, 3] }));
    layer.setWeights([tf.tensor1d([0.5, 1.5, -1]), tf.tensor1d([0.1, -0.2, 0.3]), tf.zeros([3]), tf.ones([3])]);
    const [gammaT, betaT] = layer.getWeights() as [tf.Tensor1D, tf.Tensor1D];

    const fast = tf.grads((xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      layer.setWeights([g, b, tf.zeros([3]), tf.ones([3])]);
      return tf.sum(tf.mul(layer.apply(xx, { training: true }) as tf.Tensor, weight));
    });
    const reference = tf.grads((xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(xx, [0, 1, 2]);
      const y = tf.add(tf.mul(tf.div(tf.sub(xx, mean), tf.sqrt(tf.add(variance, 1e-3))), g), b);
      return tf.sum(tf.mul(y, weight));
    });
    const got = fast([x, gammaT, betaT]);
    const want = reference([x, gammaT, betaT]);
    got.forEach((g, i) => {
      const a = Array.from(g.dataSync());
      const b = Array.from(want[i]!.dataSync());
      expect(a.length).toBe(b.length);
      a.forEach((v, j) => expect(v).toBeCloseTo(b[j]!, 3));
    });
  });

  it('updates the moving statistics in training and uses them in inference', () => {
    const layer = new FastBatchNorm({ momentum: 0.5 });
    layer.apply(tf.input({ shape: [2, 2, 1] }));
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2, 1]); // mean 4.5, variance 5.25
    layer.apply(x, { training: true });
    const [, , movingMean, movingVariance] = layer.getWeights();
    expect(movingMean!.dataSync()[0]).toBeCloseTo(0.5 * 0 + 0.5 * 4.5, 5);
    expect(movingVariance!.dataSync()[0]).toBeCloseTo(0.5 * 1 + 0.5 * 5.25, 5);
    const inference = (layer.apply(x) as tf.Tensor).dataSync();
    expect(inference[0]).toBeCloseTo((1 - 2.25) / Math.sqrt(3.125 + 1e-3), 4);
  });
});
