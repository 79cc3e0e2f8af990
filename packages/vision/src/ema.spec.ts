import { beforeAll, describe, expect, it } from 'vitest';
import { initCompute, tf } from '@cvc/core/backend';
import { WeightAverage } from './ema.ts';

describe('weight average (EMA)', () => {
  beforeAll(() => initCompute(() => {}));

  it('tracks d·shadow + (1 − d)·weight, swaps in for evaluation and restores the raw weights', async () => {
    const input = tf.input({ shape: [2] });
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1, kernelInitializer: 'zeros', biasInitializer: 'zeros' }).apply(input) as tf.SymbolicTensor });
    const [kernel] = model.weights.map((w) => w.read() as tf.Variable);
    const average = new WeightAverage(model, 0.5);
    kernel!.assign(tf.tensor2d([[1], [1]]));
    average.update(100); // d = min(0.5, 101/110) = 0.5 → shadow 0.5
    kernel!.assign(tf.tensor2d([[2], [2]]));
    average.update(101); // 0.5·0.5 + 0.5·2 = 1.25
    const seen = await average.withAverage(async () => Array.from(kernel!.dataSync()));
    expect(seen).toEqual([1.25, 1.25]);
    expect(Array.from(kernel!.dataSync())).toEqual([2, 2]);
    average.copyIn();
    expect(Array.from(kernel!.dataSync())).toEqual([1.25, 1.25]);
    model.dispose();
  });
});
