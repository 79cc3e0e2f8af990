// Output shapes and the named layers other stages rely on ('pooled', 'fc7', 'logit').
import { beforeAll, describe, expect, it } from 'vitest';
import { initCompute, tf } from '@cvc/core/backend';
import { buildModel, logitModel } from './models.ts';
import type { ArchitectureOptions } from './architecture.ts';

const small: ArchitectureOptions[] = [
  { kind: 'shallow', hidden: [32, 16, 8], dropout: 0 },
  { kind: 'cnn', filters: [4, 4, 8, 8, 8], dense: 6, dropout: 0.2 },
  { kind: 'resnet', widths: [4, 8, 8], blocksPerStage: 1, dense: 6, dropout: 0, stemPool: true },
  { kind: 'resnet', widths: [4, 8], blocksPerStage: 2, dense: 6, dropout: 0, stemPool: false },
];

describe('models', () => {
  beforeAll(() => initCompute(() => {}));

  it.each(small.map((o) => [`${o.kind} ${JSON.stringify(o)}`, o] as const))('%s: [batch, 1] probabilities in (0, 1), fc7 and pooled features', (_, opts) => {
    const model = buildModel(opts, 3);
    const x = tf.randomNormal([3, 32, 32, 3], 0, 1, 'float32', 1);
    const p = model.predict(x) as tf.Tensor;
    expect(p.shape).toEqual([3, 1]);
    const values = Array.from(p.dataSync());
    expect(values.every((v) => v > 0 && v < 1)).toBe(true);
    const fc7 = model.getLayer('fc7').outputShape as number[];
    const expectedFc7 = opts.kind === 'shallow' ? opts.hidden[opts.hidden.length - 1] : opts.dense;
    expect(fc7).toEqual([null, expectedFc7]);
    if (opts.kind !== 'shallow') {
      const lastWidth = opts.kind === 'cnn' ? opts.filters[4] : opts.widths[opts.widths.length - 1];
      expect(model.getLayer('pooled').outputShape).toEqual([null, lastWidth]);
    }
    // The logit model shares weights: sigmoid(logit) is the probability.
    const z = logitModel(model).predict(x) as tf.Tensor;
    const fromLogits = Array.from(z.dataSync(), (v) => 1 / (1 + Math.exp(-v)));
    fromLogits.forEach((v, i) => expect(v).toBeCloseTo(values[i]!, 5));
    tf.dispose([x, p, z]);
    model.dispose();
  });

  it('is seeded: the same seed gives the same weights, another seed different ones', () => {
    const opts = small[2]!;
    const weights = (seed: number) => buildModel(opts, seed).getWeights().map((w) => Array.from(w.dataSync()));
    expect(weights(11)).toEqual(weights(11));
    expect(weights(11)).not.toEqual(weights(12));
  });
});
