// Metrics of one model's samples: hybridness by the classifier, realism (KID/FID in the
// classifier's pooled feature space), memorisation (pixel distance to the nearest training
// image), and the best hybrids by a score that wants both hybrid and realistic.
import type { Rng } from '@cvc/core';
import type { Judge, Judgement } from './judge.ts';
import { featureDiversity, pixelDiversity } from './diversity.ts';
import { fid, kid, nearestDistances, summarize, type Summary } from './metrics.ts';

export interface RealReference {
  /** Features of every real image (the judge's pooled layer). */
  real: Judgement;
  /** Median distance of a real image's features to its nearest other real image: the realism scale. */
  realNearestMedian: number;
  /** Training images as floats in [0, 1], [n, 3072]. */
  trainPixels: Float32Array;
  /** Test images' nearest-training-image distance: what "not a copy" looks like. */
  testToTrain: Summary;
  /** KID and FID of the real test images against the real training images: the floor a perfect generator would reach. */
  realFloor: { kid: number; fid: number };
  /** Within-class diversity of the real images (all of a class): what varied samples should approach. */
  realDiversity: ClassDiversity;
}

/** Mean pairwise distance within each class: RMS pixel (0–1 units) and Euclidean in the judge's feature space. */
export interface ClassDiversity {
  clock: { pixel: number; feature: number };
  crocodile: { pixel: number; feature: number };
}

export interface ModelMetrics {
  hybrids: {
    count: number;
    shareInRange: number;
    pCrocodile: Summary;
    kid: number;
  };
  classSamples: {
    perClass: number;
    /** Share of class-conditional samples the classifier puts in their class. */
    classAccuracy: { clock: number; crocodile: number };
    kid: number;
    fid: number;
  };
  memorisation: {
    /** RMS pixel distance (0–1 units) of each sample (hybrids + class samples) to its nearest training image. */
    nearestTrain: Summary;
    /** Samples closer to a training image than the closest test image is (possible copies). */
    closerThanAnyTestImage: number;
  };
  bestHybrids: { index: number; pCrocodile: number; realism: number; score: number }[];
  /** Within-class diversity of the class samples (a model collapsed in z scores ≈ 0; real images: reference.realDiversity). */
  diversity: ClassDiversity;
}

const PIXELS = 32 * 32 * 3;
const toUnit = (bytes: Uint8Array) => Float32Array.from(bytes, (v) => v / 255);
const r6 = (v: number) => Number(v.toPrecision(6));

/** RMS per-pixel distances (0–1 units) of images to their nearest training image. */
export function pixelNearest(images: Uint8Array, trainPixels: Float32Array): Float64Array {
  const { distance } = nearestDistances(toUnit(images), trainPixels, PIXELS);
  return distance.map((d) => d / Math.sqrt(PIXELS));
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

/** `labels`: class id (0 clock, 1 crocodile) of every image in `all`. */
export function buildReference(judge: Judge, all: Uint8Array, n: number, labels: number[], train: number[], test: number[], rng: Rng): RealReference {
  const real = judge.judge(all, n);
  const ofClass = (c: number) => labels.flatMap((l, i) => (l === c ? [i] : []));
  const realDiversityOf = (idx: number[]) => ({ pixel: r6(pixelDiversity(imageRows(all, idx))), feature: r6(featureDiversity(rows(real.features, real.dim, idx), real.dim)) });
  const trainFeatures = rows(real.features, real.dim, train);
  const testFeatures = rows(real.features, real.dim, test);
  const realFloor = { kid: r6(kid(testFeatures, trainFeatures, real.dim, rng)), fid: r6(fid(testFeatures, trainFeatures, real.dim)) };
  const nn = nearestDistances(real.features, real.features, real.dim, true).distance;
  const median = summarize(nn).median;
  const trainPixels = new Float32Array(train.length * PIXELS);
  train.forEach((i, k) => trainPixels.set(toUnit(all.subarray(i * PIXELS, (i + 1) * PIXELS)), k * PIXELS));
  const testImages = new Uint8Array(test.length * PIXELS);
  test.forEach((i, k) => testImages.set(all.subarray(i * PIXELS, (i + 1) * PIXELS), k * PIXELS));
  const realDiversity = { clock: realDiversityOf(ofClass(0)), crocodile: realDiversityOf(ofClass(1)) };
  return { real, realNearestMedian: median, trainPixels, testToTrain: summarize(pixelNearest(testImages, trainPixels)), realFloor, realDiversity };
}

export function evaluateModel(
  judge: Judge,
  ref: RealReference,
  hybrids: Uint8Array,
  samples: { clock: Uint8Array; crocodile: Uint8Array },
  opts: { hybridRange: [number, number]; best: number; rng: Rng },
): ModelMetrics {
  const nh = hybrids.length / PIXELS;
  const per = samples.clock.length / PIXELS;
  const h = judge.judge(hybrids, nh);
  const c = judge.judge(samples.clock, per);
  const k = judge.judge(samples.crocodile, per);
  const [lo, hi] = opts.hybridRange;
  const inRange = Array.from(h.pCrocodile).filter((p) => p >= lo && p <= hi).length;

  const classFeatures = new Float32Array([...c.features, ...k.features]);
  const realFeat = ref.real.features;
  const dim = ref.real.dim;

  const all = new Uint8Array([...hybrids, ...samples.clock, ...samples.crocodile]);
  const nearestTrain = pixelNearest(all, ref.trainPixels);

  // Realism of each hybrid: exp(−d / median real-to-real distance), d = distance to the nearest real image's features.
  const hd = nearestDistances(h.features, realFeat, dim).distance;
  const scored = Array.from(h.pCrocodile, (p, index) => {
    const hybridness = 1 - 2 * Math.abs(p - 0.5);
    const realism = Math.exp(-hd[index]! / ref.realNearestMedian);
    return { index, pCrocodile: r6(p), realism: r6(realism), score: r6(hybridness * realism) };
  });
  const bestHybrids = scored.sort((a, b) => b.score - a.score || a.index - b.index).slice(0, opts.best);

  return {
    hybrids: { count: nh, shareInRange: r6(inRange / nh), pCrocodile: summarize(h.pCrocodile), kid: r6(kid(h.features, realFeat, dim, opts.rng)) },
    classSamples: {
      perClass: per,
      classAccuracy: {
        clock: r6(Array.from(c.pCrocodile).filter((p) => p < 0.5).length / per),
        crocodile: r6(Array.from(k.pCrocodile).filter((p) => p >= 0.5).length / per),
      },
      kid: r6(kid(classFeatures, realFeat, dim, opts.rng)),
      fid: r6(fid(classFeatures, realFeat, dim)),
    },
    memorisation: {
      nearestTrain: summarize(nearestTrain),
      closerThanAnyTestImage: Array.from(nearestTrain).filter((d) => d < ref.testToTrain.min).length,
    },
    bestHybrids,
    diversity: {
      clock: { pixel: r6(pixelDiversity(samples.clock)), feature: r6(featureDiversity(c.features, dim)) },
      crocodile: { pixel: r6(pixelDiversity(samples.crocodile)), feature: r6(featureDiversity(k.features, dim)) },
    },
  };
}
