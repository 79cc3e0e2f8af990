// Metrics of a model's samples against a judge: hybrid share, memorisation, best-hybrid ranking;
// and the judge wrapper reads p(crocodile) and the feature layer of a tfjs classifier.
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@cvc/core';
import { initCompute, tf } from '@cvc/core/backend';
import { buildReference, evaluateModel } from './evaluate.ts';
import { judgeFromModel, type Judge } from './judge.ts';

beforeAll(async () => { await initCompute(() => {}); });

const PX = 32 * 32 * 3;
/** n images whose every pixel is `value`. */
const flat = (values: number[]) => Uint8Array.from(values.flatMap((v) => Array(PX).fill(v)));

/** p(crocodile) = mean brightness; features = (mean red, mean blue) ×10. */
const brightnessJudge: Judge = {
  name: 'test',
  featureLayer: 'fake',
  judge(images, n) {
    const p = new Float32Array(n);
    const features = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      let s = 0, r = 0, b = 0;
      for (let k = 0; k < PX; k += 3) { s += images[i * PX + k]! + images[i * PX + k + 1]! + images[i * PX + k + 2]!; r += images[i * PX + k]!; b += images[i * PX + k + 2]!; }
      p[i] = s / (PX * 255);
      features[i * 2] = (r / (PX / 3) / 255) * 10;
      features[i * 2 + 1] = (b / (PX / 3) / 255) * 10;
    }
    return { pCrocodile: p, features, dim: 2 };
  },
};

describe('evaluateModel', () => {
  it('counts hybrids in the window, flags copies of training images, ranks hybrid-and-realistic first', () => {
    const real = flat([0, 20, 40, 60, 200, 220, 240, 255, 100, 150]);
    const ref = buildReference(brightnessJudge, real, 10, [0, 0, 0, 0, 1, 1, 1, 1, 0, 1], [0, 1, 2, 3, 4, 5, 6, 7], [8, 9], createRng(1));
    // Hybrids: brightness 0.5 (in range, far from every real image), 0.45 (in range), 20 (a copy of a training image, p 0.08).
    const hybrids = flat([128, 115, 20]);
    // Class samples no nearer a training image than the nearest test image is (40 grey levels).
    const samples = { clock: flat([105, 115, 125]), crocodile: flat([140, 150, 160]) };
    const m = evaluateModel(brightnessJudge, ref, hybrids, samples, { hybridRange: [0.3, 0.7], best: 2, rng: createRng(2) });
    expect(m.hybrids.count).toBe(3);
    expect(m.hybrids.shareInRange).toBeCloseTo(2 / 3, 5);
    expect(m.classSamples.classAccuracy).toEqual({ clock: 1, crocodile: 1 });
    expect(m.memorisation.closerThanAnyTestImage).toBe(1); // the copy at brightness 20
    expect(m.memorisation.nearestTrain.min).toBe(0);
    expect(m.bestHybrids.map((b) => b.index)).toEqual([1, 0]); // both hybrid; 115 is nearer real images than 128
    expect(Number.isFinite(m.classSamples.fid) && Number.isFinite(m.classSamples.kid)).toBe(true);
    // Diversity: clock samples 105/115/125 → pairwise grey distances 10, 10, 20 levels; features (r, b) ×10 differ by 10·Δ/255 per axis.
    expect(m.diversity.clock.pixel).toBeCloseTo(40 / 3 / 255, 5);
    expect(m.diversity.clock.feature).toBeCloseTo((Math.SQRT2 * 10 * 40) / 3 / 255, 4);
    expect(ref.realDiversity.clock.pixel).toBeGreaterThan(0);
  });

  it('diversity: a collapsed set (all samples alike) scores 0, a varied one more', () => {
    const collapsed = { clock: flat([90, 90, 90]), crocodile: flat([150, 150, 150]) };
    const real = flat([0, 20, 40, 60, 200, 220, 240, 255, 100, 150]);
    const ref = buildReference(brightnessJudge, real, 10, [0, 0, 0, 0, 1, 1, 1, 1, 0, 1], [0, 1, 2, 3, 4, 5, 6, 7], [8, 9], createRng(1));
    const m = evaluateModel(brightnessJudge, ref, flat([128, 120]), collapsed, { hybridRange: [0.3, 0.7], best: 1, rng: createRng(2) });
    expect(m.diversity.clock).toEqual({ pixel: 0, feature: 0 });
    expect(m.diversity.crocodile).toEqual({ pixel: 0, feature: 0 });
  });
});

describe('judgeFromModel', () => {
  it("reads the sigmoid output and the 'pooled' layer, normalising inputs by the metadata", () => {
    const input = tf.input({ shape: [32, 32, 3] });
    const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, kernelInitializer: 'ones', name: 'conv' }).apply(input) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({ name: 'pooled' }).apply(conv) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: 'zeros', name: 'probability' }).apply(pooled) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const judge = judgeFromModel(tf, 'tiny', model, { normalization: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } }, 'tiny/model.json');
    expect(judge.featureLayer).toBe('pooled');
    const r = judge.judge(flat([255, 0]), 2);
    expect(Array.from(r.pCrocodile)).toEqual([0.5, 0.5]);
    expect(r.dim).toBe(4);
    // White → normalised +1 → 3·3·3 ones summed = 27 per filter; black → −27.
    expect(r.features[0]).toBeCloseTo(27, 4);
    expect(r.features[4]).toBeCloseTo(-27, 4);
  });

  it('names the model file when there is no feature layer', () => {
    const input = tf.input({ shape: [32, 32, 3] });
    const out = tf.layers.dense({ units: 1, name: 'probability' }).apply(tf.layers.flatten().apply(input)) as tf.SymbolicTensor;
    expect(() => judgeFromModel(tf, 'x', tf.model({ inputs: input, outputs: out }), { normalization: { mean: [0, 0, 0], std: [1, 1, 1] } }, 'x/model.json')).toThrow("x/model.json: model has neither a 'pooled' nor an 'fc7' layer");
  });
});
