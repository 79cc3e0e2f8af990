// Metrics of a model's samples against three stand-in judges: hybrid share (both classifiers),
// object-aware top-1 and p(clock) + p(crocodile), memorisation, best-hybrid ranking with the nearest
// training image; and the judge wrappers read a tfjs classifier and a 12-way logits model.
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@cvc/core';
import { initCompute, tf } from '@cvc/core/backend';
import { buildReference, calibrated, evaluateModel, type Judges } from './evaluate.ts';
import { judgeFromModel, objectJudgeFromModel, type Judge, type ObjectJudge } from './judge.ts';

beforeAll(async () => { await initCompute(() => {}); });

const PX = 32 * 32 * 3;
/** n images whose every pixel is `value`. */
const flat = (values: number[]) => Uint8Array.from(values.flatMap((v) => Array(PX).fill(v)));

/** p(crocodile) = mean brightness; features = (mean red, mean blue) ×10. */
const brightnessJudge: Judge = {
  name: 'test',
  featureLayer: 'fake',
  temperature: 1,
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

/** Mean brightness of image i in [0, 1]. */
const brightness = (images: Uint8Array, i: number) => {
  let s = 0;
  for (let k = 0; k < PX; k++) s += images[i * PX + k]!;
  return s / (PX * 255);
};

/** Second judge: p(crocodile) = brightness² (agrees with the first only near 0 and 1), overconfident: temperature 3. */
const squaredJudge: Judge = {
  ...brightnessJudge,
  name: 'second',
  temperature: 3,
  judge(images, n) {
    const r = brightnessJudge.judge(images, n);
    return { ...r, pCrocodile: r.pCrocodile.map((p) => p * p) };
  },
};

/** Object judge over (frog, clock, crocodile): very dark → frog, darker than mid-grey → clock, else crocodile (p 0.8 for the winner). */
const objectJudge: ObjectJudge = {
  name: 'object', featureLayer: 'fake', classes: ['frog', 'clock', 'crocodile'], clock: 1, crocodile: 2, accuracy: { cifar10Test: 0.5, datasetTest: {} },
  judge(images, n) {
    const probs = new Float32Array(n * 3).fill(0.1);
    for (let i = 0; i < n; i++) probs[i * 3 + (brightness(images, i) < 0.1 ? 0 : brightness(images, i) < 0.5 ? 1 : 2)] = 0.8;
    const b = brightnessJudge.judge(images, n);
    return { probs, features: b.features, dim: b.dim };
  },
};

const judges: Judges = { best: brightnessJudge, second: squaredJudge, object: objectJudge };

describe('evaluateModel', () => {
  it('counts hybrids in the window, flags copies of training images, ranks hybrid-and-realistic first', () => {
    const real = flat([0, 20, 40, 60, 200, 220, 240, 255, 100, 150]);
    const ref = buildReference(judges, real, 10, [0, 0, 0, 0, 1, 1, 1, 1, 0, 1], [0, 1, 2, 3, 4, 5, 6, 7], [8, 9], createRng(1), [0.3, 0.7]);
    // Hybrids: brightness 0.5 (in range, far from every real image), 0.45 (in range), 20 (a copy of a training image, p 0.08).
    const hybrids = flat([128, 115, 20]);
    // Class samples no nearer a training image than the nearest test image is (40 grey levels).
    const samples = { clock: flat([105, 115, 125]), crocodile: flat([140, 150, 160]) };
    const m = evaluateModel(judges, ref, hybrids, samples, { hybridRange: [0.3, 0.7], best: 2, rng: createRng(2), precisionRecallK: 1, groups: { first: [0], rest: [1, 2] } });
    expect(m.hybrids.count).toBe(3);
    expect(m.hybrids.shareInRange).toBeCloseTo(2 / 3, 5);
    expect(m.classSamples.classAccuracy).toEqual({ clock: 1, crocodile: 1 });
    expect(m.memorisation.closerThanAnyTestImage).toBe(1); // the copy at brightness 20
    expect(m.memorisation.nearestTrain.min).toBe(0);
    expect(m.bestHybrids.map((b) => b.index)).toEqual([1, 0]); // both hybrid; 115 is nearer real images than 128
    // Nearest training image (dataset index) of each best hybrid: 115 and 128 → 60 (image 3; 200 is 72 levels from 128).
    expect(m.bestHybrids.map((b) => b.nearestTrain)).toEqual([{ index: 3, rms: expect.closeTo(55 / 255, 5) }, { index: 3, rms: expect.closeTo(68 / 255, 5) }]);
    // Second judge: p = brightness², so 0.50 → 0.25 and 0.45 → 0.20 fall out of the window; clocks (< 0.5) stay clocks.
    expect(m.hybrids.secondJudge.shareInRange).toBe(0);
    // Calibrated (T 3): 0.25 → σ(logit(0.25) / 3) = 0.41 and 0.2025 → 0.39 are in the window, 0.006 → 0.16 is not; T 1 changes nothing.
    expect(m.hybrids.calibratedShareInRange).toEqual({ best: m.hybrids.shareInRange, second: expect.closeTo(2 / 3, 5) });
    expect(m.classSamples.secondJudgeAccuracy).toEqual({ clock: 1, crocodile: 0 }); // crocodile samples 0.55–0.63 → p 0.30–0.39
    // Object judge: the hybrid at brightness 20 is a "frog", 115 a clock, 128 a crocodile.
    expect(m.objectAware.hybrids.top1).toEqual({ clock: expect.closeTo(1 / 3, 5), crocodile: expect.closeTo(1 / 3, 5), other: expect.closeTo(1 / 3, 5) });
    expect(m.objectAware.hybrids.meanPClockPlusCrocodile).toBeCloseTo((0.2 + 0.9 + 0.9) / 3, 5);
    expect(m.objectAware.classTop1).toEqual({ clock: 1, crocodile: 1 });
    expect(m.objectAware.classCalledAs).toEqual({ clock: { clock: 1 }, crocodile: { crocodile: 1 } });
    expect(m.hybridGroups).toEqual({
      first: { count: 1, shareInRange: 1, secondJudgeShareInRange: 0, meanPClockPlusCrocodile: expect.closeTo(0.9, 5) },
      rest: { count: 2, shareInRange: 0.5, secondJudgeShareInRange: 0, meanPClockPlusCrocodile: expect.closeTo(0.55, 5) },
    });
    // The judges on the real test images (100: a clock, 150: a crocodile): p 0.39 / 0.59 under the best judge, 0.15 / 0.35 under the second.
    expect(ref.realTest).toEqual({
      count: 2,
      accuracy: { best: { clock: 1, crocodile: 1 }, second: { clock: 1, crocodile: 0 }, objectTop1: { clock: 1, crocodile: 1 } },
      shareInRange: { best: 1, second: 0.5 },
      calibratedShareInRange: { best: 1, second: 1 }, // second: 0.15 → 0.36, 0.35 → 0.45
      meanPClockPlusCrocodile: expect.closeTo(0.9, 5),
    });
    expect(m.classSamples.precisionRecall.k).toBe(1);
    expect(m.classSamples.precisionRecall.realPerClass).toBe(3);
    expect(Number.isFinite(m.classSamples.fid) && Number.isFinite(m.classSamples.kid)).toBe(true);
    // Diversity: clock samples 105/115/125 → pairwise grey distances 10, 10, 20 levels; features (r, b) ×10 differ by 10·Δ/255 per axis.
    expect(m.diversity.clock.pixel).toBeCloseTo(40 / 3 / 255, 5);
    expect(m.diversity.clock.feature).toBeCloseTo((Math.SQRT2 * 10 * 40) / 3 / 255, 4);
    expect(ref.realDiversity.clock.pixel).toBeGreaterThan(0);
  });

  it('diversity: a collapsed set (all samples alike) scores 0, a varied one more', () => {
    const collapsed = { clock: flat([90, 90, 90]), crocodile: flat([150, 150, 150]) };
    const real = flat([0, 20, 40, 60, 200, 220, 240, 255, 100, 150]);
    const ref = buildReference(judges, real, 10, [0, 0, 0, 0, 1, 1, 1, 1, 0, 1], [0, 1, 2, 3, 4, 5, 6, 7], [8, 9], createRng(1), [0.3, 0.7]);
    const m = evaluateModel(judges, ref, flat([128, 120]), collapsed, { hybridRange: [0.3, 0.7], best: 1, rng: createRng(2), precisionRecallK: 1 });
    expect(m.diversity.clock).toEqual({ pixel: 0, feature: 0 });
    expect(m.diversity.crocodile).toEqual({ pixel: 0, feature: 0 });
  });
});

describe('calibrated', () => {
  it('is σ(logit(p) / T): the identity at T 1, softer above, order kept, finite at saturated p', () => {
    const p = Float32Array.from([0, 0.1, 0.5, 0.9, 1]);
    Array.from(calibrated(p, 1)).forEach((q, i) => expect(q).toBeCloseTo(p[i]!, 5));
    const soft = Array.from(calibrated(p, 2));
    expect(soft[3]).toBeCloseTo(0.75, 5); // logit 0.9 = ln 9; σ(ln 9 / 2) = 3 / 4
    expect(soft[1]).toBeCloseTo(0.25, 5);
    expect(soft[2]).toBe(0.5);
    expect(soft.every((q, i) => i === 0 || q > soft[i - 1]!)).toBe(true);
    expect(soft[0]).toBeGreaterThan(0);
    expect(soft[4]).toBeLessThan(1);
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
    expect(judge.temperature).toBe(1); // no temperature in the metadata
    expect(judgeFromModel(tf, 'tiny', model, { normalization: { mean: [0, 0, 0], std: [1, 1, 1] }, temperature: 3.5 }, 'tiny/model.json').temperature).toBe(3.5);
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

describe('objectJudgeFromModel', () => {
  /** image → conv → 'pooled' [batch, 2] → dense 3 logits whose kernel/bias are set by the test. */
  function tinyLogits(kernel: number[], bias: number[]) {
    const input = tf.input({ shape: [32, 32, 3] });
    const conv = tf.layers.conv2d({ filters: 2, kernelSize: 1, kernelInitializer: 'ones', useBias: false, name: 'conv' }).apply(input) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({ name: 'pooled' }).apply(conv) as tf.SymbolicTensor;
    const dense = tf.layers.dense({ units: 3, name: 'logits' });
    const out = dense.apply(pooled) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    dense.setWeights([tf.tensor2d(kernel, [2, 3]), tf.tensor1d(bias)]);
    return model;
  }
  const meta = { classes: ['frog', 'clock', 'crocodile'], output: 'logits', normalization: { mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] }, accuracy: { cifar10Test: 0.8, datasetTest: { clock: 0.9 } } };

  it('gives softmax probabilities over the named classes and the pooled features, and finds clock and crocodile', () => {
    // pooled = (3·x, 3·x) for a flat image of value x in [0, 1]; logits = (0, 3x·2, 1) → softmax.
    const judge = objectJudgeFromModel(tf, 'obj', tinyLogits([0, 1, 0, 0, 1, 0], [0, 0, 1]), meta, 'obj/model.json');
    expect([judge.clock, judge.crocodile, judge.featureLayer]).toEqual([1, 2, 'pooled']);
    expect(judge.accuracy).toEqual({ cifar10Test: 0.8, datasetTest: { clock: 0.9 } });
    const r = judge.judge(flat([0, 255]), 2);
    expect(r.dim).toBe(2);
    const e = Math.E;
    const black = [1 / (2 + e), 1 / (2 + e), e / (2 + e)];
    const whiteLogits = [0, 6, 1];
    const z = whiteLogits.reduce((s, v) => s + Math.exp(v), 0);
    Array.from(r.probs).forEach((p, i) => expect(p).toBeCloseTo(i < 3 ? black[i]! : Math.exp(whiteLogits[i - 3]!) / z, 5));
    expect(Array.from(r.features)).toEqual([0, 0, 3, 3]);
  });

  it('names the model file when classes, their names or the output kind do not fit', () => {
    const model = tinyLogits([0, 0, 0, 0, 0, 0], [0, 0, 0]);
    expect(() => objectJudgeFromModel(tf, 'o', model, { ...meta, classes: ['a', 'b'] }, 'o/model.json')).toThrow('o/model.json: metadata "classes" must name each of the model\'s 3 outputs');
    expect(() => objectJudgeFromModel(tf, 'o', model, { ...meta, classes: ['a', 'clock', 'b'] }, 'o/model.json')).toThrow('o/model.json: metadata "classes" must include clock and crocodile (got a, clock, b)');
    expect(() => objectJudgeFromModel(tf, 'o', model, { ...meta, output: 'softmax' }, 'o/model.json')).toThrow('o/model.json: metadata "output" must be "logits" (got softmax)');
  });
});
