// Metrics of one model's samples, under three judges:
// - the best classifier: hybridness (p(crocodile) in the window), class accuracy of class samples,
//   realism (KID/FID, precision/recall in its pooled feature space), the best hybrids;
// - an independent second classifier: the same hybrid share and class accuracy, so a share bought
//   by fitting one judge shows up as a gap;
// - the object-aware 12-way judge: is a clock sample a clock rather than a frog (top-1), do hybrids
//   look like clocks or crocodiles at all (mean p(clock) + p(crocodile)), KID/FID in its features.
// Plus memorisation (pixel distance to the nearest training image) and within-class diversity.
import { shuffled, type Rng } from '@cvc/core';
import type { Judge, Judgement, ObjectJudge, ObjectJudgement } from './judge.ts';
import { featureDiversity, pixelDiversity } from './diversity.ts';
import { fid, kid, nearestDistances, summarize, type Summary } from './metrics.ts';
import { precisionRecall } from './precision-recall.ts';

export interface Judges {
  best: Judge;
  second: Judge;
  object: ObjectJudge;
}

export interface RealReference {
  /** Features of every real image (the best judge's pooled layer). */
  real: Judgement;
  /** Every real image under the object judge. */
  objectReal: ObjectJudgement;
  /** Dataset indices of each class's real images (0 clock, 1 crocodile). */
  realByClass: [number[], number[]];
  /** Median distance of a real image's features to its nearest other real image: the realism scale. */
  realNearestMedian: number;
  /** Training images as floats in [0, 1], [n, 3072], and their dataset indices. */
  trainPixels: Float32Array;
  trainIndex: number[];
  /** Test images' nearest-training-image distance: what "not a copy" looks like. */
  testToTrain: Summary;
  /** KID and FID of the real test images against the real training images: the floor a perfect generator would reach (best judge's features; object judge's features). */
  realFloor: { kid: number; fid: number };
  objectFloor: { kid: number; fid: number };
  /** Within-class diversity of the real images (all of a class): what varied samples should approach. */
  realDiversity: ClassDiversity;
  /** The judges on the real test images: what a perfect generator's class samples and the window would score. */
  realTest: RealTestFigures;
}

export interface RealTestFigures {
  count: number;
  /** Share of each class's test images judged as their class: 2-way under the best and second judge, 12-way top-1. */
  accuracy: { best: PerClass<number>; second: PerClass<number>; objectTop1: PerClass<number> };
  /** Share of all test images with p(crocodile) in the hybrid window (real images "between" the classes). */
  shareInRange: { best: number; second: number };
  /** The same with each judge's calibrated p (its temperature). */
  calibratedShareInRange: { best: number; second: number };
  /** Mean p(clock) + p(crocodile) of the test images under the 12-way judge. */
  meanPClockPlusCrocodile: number;
}

/** Mean pairwise distance within each class: RMS pixel (0–1 units) and Euclidean in the judge's feature space. */
export interface ClassDiversity {
  clock: { pixel: number; feature: number };
  crocodile: { pixel: number; feature: number };
}

interface PerClass<T> { clock: T; crocodile: T }

export interface ModelMetrics {
  hybrids: {
    count: number;
    shareInRange: number;
    pCrocodile: Summary;
    kid: number;
    /** The same window under the second judge. */
    secondJudge: { shareInRange: number; pCrocodile: Summary };
    /**
     * The window on each judge's calibrated p, σ(logit(p) / T) with the temperature the classifier stage fit on
     * out-of-fold real images: an overconfident network (T ≫ 1) leaves few images of any kind in the raw window.
     */
    calibratedShareInRange: { best: number; second: number };
  };
  classSamples: {
    perClass: number;
    /** Share of class-conditional samples the classifier puts in their class. */
    classAccuracy: PerClass<number>;
    secondJudgeAccuracy: PerClass<number>;
    kid: number;
    fid: number;
    /** Improved precision/recall (k-NN manifolds) of each class's samples against that class's real images, in the best judge's features. */
    precisionRecall: { k: number; realPerClass: number } & PerClass<{ precision: number; recall: number }>;
  };
  objectAware: {
    /** Share of a class's samples whose top-1 of the 12 classes is that class. */
    classTop1: PerClass<number>;
    /** The three classes a class's samples are most often called, with shares. */
    classCalledAs: PerClass<Record<string, number>>;
    /** KID/FID of the class samples against all real images in the object judge's features. */
    kid: number;
    fid: number;
    hybrids: {
      /** Mean over hybrids of p(clock) + p(crocodile): near 1 = seen as one of the two, near 0 = something else. */
      meanPClockPlusCrocodile: number;
      /** Share of hybrids whose top-1 is clock, crocodile, or another class. */
      top1: { clock: number; crocodile: number; other: number };
    };
  };
  memorisation: {
    /** RMS pixel distance (0–1 units) of each sample (hybrids + class samples) to its nearest training image. */
    nearestTrain: Summary;
    /** Samples closer to a training image than the closest test image is (possible copies). */
    closerThanAnyTestImage: number;
  };
  bestHybrids: { index: number; pCrocodile: number; realism: number; score: number; nearestTrain: { index: number; rms: number } }[];
  /** Within-class diversity of the class samples (a model collapsed in z scores ≈ 0; real images: reference.realDiversity). */
  diversity: ClassDiversity;
  /** Per named subset of the hybrids (the frequency baseline's two directions). */
  hybridGroups?: Record<string, { count: number; shareInRange: number; secondJudgeShareInRange: number; meanPClockPlusCrocodile: number }>;
}

const PIXELS = 32 * 32 * 3;
const toUnit = (bytes: Uint8Array) => Float32Array.from(bytes, (v) => v / 255);
const r6 = (v: number) => Number(v.toPrecision(6));

/** RMS per-pixel distances (0–1 units) of images to their nearest training image, and which row it is. */
export function pixelNearest(images: Uint8Array, trainPixels: Float32Array): { rms: Float64Array; row: Int32Array } {
  const { distance, index } = nearestDistances(toUnit(images), trainPixels, PIXELS);
  return { rms: distance.map((d) => d / Math.sqrt(PIXELS)), row: index };
}

const rows = (x: Float32Array, dim: number, idx: number[]) => {
  const out = new Float32Array(idx.length * dim);
  idx.forEach((i, k) => out.set(x.subarray(i * dim, (i + 1) * dim), k * dim));
  return out;
};

/** Rows of uint8 images by index. */
const imageRows = (all: Uint8Array, idx: number[]) => {
  const out = new Uint8Array(idx.length * PIXELS);
  idx.forEach((i, k) => out.set(all.subarray(i * PIXELS, (i + 1) * PIXELS), k * PIXELS));
  return out;
};

const shareInWindow = (p: Float32Array, [lo, hi]: [number, number], idx?: number[]) => {
  const list = idx ?? Array.from(p, (_, i) => i);
  return list.length ? r6(list.filter((i) => p[i]! >= lo && p[i]! <= hi).length / list.length) : 0;
};

/** Temperature scaling of probabilities: σ(logit(p) / T) (T > 1 softens an overconfident judge). */
export function calibrated(p: Float32Array, temperature: number): Float32Array {
  return p.map((q) => {
    const c = Math.min(Math.max(q, 1e-7), 1 - 1e-7); // a saturated float32 p of exactly 0 or 1 has no finite logit
    return 1 / (1 + Math.exp(-Math.log(c / (1 - c)) / temperature));
  });
}

/** The window's share under both judges with their calibrated p. */
const calibratedShares = (judges: Judges, best: Float32Array, second: Float32Array, window: [number, number]) => ({
  best: shareInWindow(calibrated(best, judges.best.temperature), window),
  second: shareInWindow(calibrated(second, judges.second.temperature), window),
});

/** Per row of a [n, k] probability array: argmax, and p(clock) + p(crocodile). */
function objectRows(o: ObjectJudgement, judge: ObjectJudge): { top: number[]; both: number[] } {
  const k = judge.classes.length;
  const n = o.probs.length / k;
  const top: number[] = [];
  const both: number[] = [];
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (o.probs[i * k + c]! > o.probs[i * k + best]!) best = c;
    top.push(best);
    both.push(o.probs[i * k + judge.clock]! + o.probs[i * k + judge.crocodile]!);
  }
  return { top, both };
}

/** The three most frequent top-1 classes, with their shares (ties by class order). */
function calledAs(top: number[], classes: string[]): Record<string, number> {
  const counts = classes.map((_, c) => top.filter((t) => t === c).length);
  const order = classes.map((_, c) => c).filter((c) => counts[c]! > 0).sort((a, b) => counts[b]! - counts[a]! || a - b);
  return Object.fromEntries(order.slice(0, 3).map((c) => [classes[c]!, r6(counts[c]! / top.length)]));
}

const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0);

/** `labels`: class id (0 clock, 1 crocodile) of every image in `all`; `hybridRange`: the window on p(crocodile). */
export function buildReference(judges: Judges, all: Uint8Array, n: number, labels: number[], train: number[], test: number[], rng: Rng, hybridRange: [number, number]): RealReference {
  const real = judges.best.judge(all, n);
  const ofClass = (c: number) => labels.flatMap((l, i) => (l === c ? [i] : []));
  const realDiversityOf = (idx: number[]) => ({ pixel: r6(pixelDiversity(imageRows(all, idx))), feature: r6(featureDiversity(rows(real.features, real.dim, idx), real.dim)) });
  const floor = (features: Float32Array, dim: number) => {
    const trainF = rows(features, dim, train);
    const testF = rows(features, dim, test);
    return { kid: r6(kid(testF, trainF, dim, rng)), fid: r6(fid(testF, trainF, dim)) };
  };
  const realFloor = floor(real.features, real.dim);
  const objectReal = judges.object.judge(all, n);
  const objectFloor = floor(objectReal.features, objectReal.dim);
  const nn = nearestDistances(real.features, real.features, real.dim, true).distance;
  const median = summarize(nn).median;
  const trainPixels = new Float32Array(train.length * PIXELS);
  train.forEach((i, k) => trainPixels.set(toUnit(all.subarray(i * PIXELS, (i + 1) * PIXELS)), k * PIXELS));
  const testImages = imageRows(all, test);
  const realByClass: [number[], number[]] = [ofClass(0), ofClass(1)];
  const realDiversity = { clock: realDiversityOf(realByClass[0]), crocodile: realDiversityOf(realByClass[1]) };
  // The judges on the test images alone.
  const second = judges.second.judge(testImages, test.length);
  const testP = Float32Array.from(test, (i) => real.pCrocodile[i]!);
  const testOfClass = (c: number) => test.flatMap((i, k) => (labels[i] === c ? [k] : []));
  const accuracyOn = (p: Float32Array) => ({
    clock: r6(testOfClass(0).filter((k) => p[k]! < 0.5).length / Math.max(1, testOfClass(0).length)),
    crocodile: r6(testOfClass(1).filter((k) => p[k]! >= 0.5).length / Math.max(1, testOfClass(1).length)),
  });
  const objectTest: ObjectJudgement = { probs: rows(objectReal.probs, judges.object.classes.length, test), features: new Float32Array(0), dim: objectReal.dim };
  const o = objectRows(objectTest, judges.object);
  const top1Of = (c: number, column: number) => r6(testOfClass(c).filter((k) => o.top[k] === column).length / Math.max(1, testOfClass(c).length));
  const realTest: RealTestFigures = {
    count: test.length,
    accuracy: { best: accuracyOn(testP), second: accuracyOn(second.pCrocodile), objectTop1: { clock: top1Of(0, judges.object.clock), crocodile: top1Of(1, judges.object.crocodile) } },
    shareInRange: { best: shareInWindow(testP, hybridRange), second: shareInWindow(second.pCrocodile, hybridRange) },
    calibratedShareInRange: calibratedShares(judges, testP, second.pCrocodile, hybridRange),
    meanPClockPlusCrocodile: r6(mean(o.both)),
  };
  return {
    real, objectReal, realByClass, realNearestMedian: median, trainPixels, trainIndex: train.slice(),
    testToTrain: summarize(pixelNearest(testImages, trainPixels).rms), realFloor, objectFloor, realDiversity, realTest,
  };
}

export function evaluateModel(
  judges: Judges,
  ref: RealReference,
  hybrids: Uint8Array,
  samples: { clock: Uint8Array; crocodile: Uint8Array },
  opts: { hybridRange: [number, number]; best: number; rng: Rng; groups?: Record<string, number[]>; precisionRecallK?: number },
): ModelMetrics {
  const nh = hybrids.length / PIXELS;
  const per = samples.clock.length / PIXELS;
  const h = judges.best.judge(hybrids, nh);
  const c = judges.best.judge(samples.clock, per);
  const k = judges.best.judge(samples.crocodile, per);
  const h2 = judges.second.judge(hybrids, nh);
  const c2 = judges.second.judge(samples.clock, per);
  const k2 = judges.second.judge(samples.crocodile, per);
  const classFeatures = new Float32Array([...c.features, ...k.features]);
  const realFeat = ref.real.features;
  const dim = ref.real.dim;

  const all = new Uint8Array([...hybrids, ...samples.clock, ...samples.crocodile]);
  const nearest = pixelNearest(all, ref.trainPixels);

  // Realism of each hybrid: exp(−d / median real-to-real distance), d = distance to the nearest real image's features.
  const hd = nearestDistances(h.features, realFeat, dim).distance;
  const scored = Array.from(h.pCrocodile, (p, index) => {
    const hybridness = 1 - 2 * Math.abs(p - 0.5);
    const realism = Math.exp(-hd[index]! / ref.realNearestMedian);
    const nearestTrain = { index: ref.trainIndex[nearest.row[index]!]!, rms: r6(nearest.rms[index]!) };
    return { index, pCrocodile: r6(p), realism: r6(realism), score: r6(hybridness * realism), nearestTrain };
  });
  const bestHybrids = scored.sort((a, b) => b.score - a.score || a.index - b.index).slice(0, opts.best);
  const accuracy = (clock: Float32Array, croc: Float32Array) => ({
    clock: r6(Array.from(clock).filter((p) => p < 0.5).length / per),
    crocodile: r6(Array.from(croc).filter((p) => p >= 0.5).length / per),
  });

  const hybridKid = r6(kid(h.features, realFeat, dim, opts.rng));
  const classKid = r6(kid(classFeatures, realFeat, dim, opts.rng));

  // Precision/recall per class against an equal number of that class's real images (the measure depends on set sizes).
  const prK = opts.precisionRecallK ?? 3;
  const realPerClass = Math.min(per, ref.realByClass[0].length, ref.realByClass[1].length);
  const prOf = (cls: 0 | 1, gen: Judgement) => {
    const idx = shuffled(ref.realByClass[cls], opts.rng).slice(0, realPerClass);
    const pr = precisionRecall(rows(realFeat, dim, idx), gen.features, dim, prK);
    return { precision: r6(pr.precision), recall: r6(pr.recall) };
  };
  const precisionRecallMetrics = { k: prK, realPerClass, clock: prOf(0, c), crocodile: prOf(1, k) };

  // Object-aware judge.
  const oj = judges.object;
  const oh = objectRows(oj.judge(hybrids, nh), oj);
  const ocRaw = oj.judge(samples.clock, per);
  const okRaw = oj.judge(samples.crocodile, per);
  const oc = objectRows(ocRaw, oj);
  const ok = objectRows(okRaw, oj);
  const objectClassFeatures = new Float32Array([...ocRaw.features, ...okRaw.features]);
  const objectAware = {
    classTop1: { clock: r6(oc.top.filter((t) => t === oj.clock).length / per), crocodile: r6(ok.top.filter((t) => t === oj.crocodile).length / per) },
    classCalledAs: { clock: calledAs(oc.top, oj.classes), crocodile: calledAs(ok.top, oj.classes) },
    kid: r6(kid(objectClassFeatures, ref.objectReal.features, ref.objectReal.dim, opts.rng)),
    fid: r6(fid(objectClassFeatures, ref.objectReal.features, ref.objectReal.dim)),
    hybrids: {
      meanPClockPlusCrocodile: r6(mean(oh.both)),
      top1: {
        clock: r6(oh.top.filter((t) => t === oj.clock).length / nh),
        crocodile: r6(oh.top.filter((t) => t === oj.crocodile).length / nh),
        other: r6(oh.top.filter((t) => t !== oj.clock && t !== oj.crocodile).length / nh),
      },
    },
  };

  const hybridGroups = opts.groups
    ? Object.fromEntries(
        Object.entries(opts.groups).map(([name, idx]) => [
          name,
          {
            count: idx.length,
            shareInRange: shareInWindow(h.pCrocodile, opts.hybridRange, idx),
            secondJudgeShareInRange: shareInWindow(h2.pCrocodile, opts.hybridRange, idx),
            meanPClockPlusCrocodile: r6(mean(idx.map((i) => oh.both[i]!))),
          },
        ]),
      )
    : undefined;

  return {
    hybrids: {
      count: nh,
      shareInRange: shareInWindow(h.pCrocodile, opts.hybridRange),
      pCrocodile: summarize(h.pCrocodile),
      kid: hybridKid,
      secondJudge: { shareInRange: shareInWindow(h2.pCrocodile, opts.hybridRange), pCrocodile: summarize(h2.pCrocodile) },
      calibratedShareInRange: calibratedShares(judges, h.pCrocodile, h2.pCrocodile, opts.hybridRange),
    },
    classSamples: {
      perClass: per,
      classAccuracy: accuracy(c.pCrocodile, k.pCrocodile),
      secondJudgeAccuracy: accuracy(c2.pCrocodile, k2.pCrocodile),
      kid: classKid,
      fid: r6(fid(classFeatures, realFeat, dim)),
      precisionRecall: precisionRecallMetrics,
    },
    objectAware,
    memorisation: {
      nearestTrain: summarize(nearest.rms),
      closerThanAnyTestImage: Array.from(nearest.rms).filter((d) => d < ref.testToTrain.min).length,
    },
    bestHybrids,
    diversity: {
      clock: { pixel: r6(pixelDiversity(samples.clock)), feature: r6(featureDiversity(c.features, dim)) },
      crocodile: { pixel: r6(pixelDiversity(samples.crocodile)), feature: r6(featureDiversity(k.features, dim)) },
    },
    ...(hybridGroups ? { hybridGroups } : {}),
  };
}
