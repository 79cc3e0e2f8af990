// Fixture artifacts of the classifier and ranker stages, shaped exactly like the real ones
// (packages/classifier/src/stage.ts, packages/ranker/src/stage.ts) but small, for the report's
// tests. They refer to the images of a fixture dataset by index.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePng, writeJsonArtifact, type DatasetManifest } from '@cvc/core';
import { classifierMetrics } from '@cvc/artifacts/classifier-metrics';
import { rankerBoth } from '@cvc/artifacts/ranker-both';
import { rankerOneSided } from '@cvc/artifacts/ranker-one-sided';
import { rankerMetrics } from '@cvc/artifacts/ranker-metrics';

/** A small real PNG: a colour gradient of width × height. */
export async function fixturePng(width: number, height: number, hue: number): Promise<Buffer> {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      rgb[o] = (hue + x * 3) % 256;
      rgb[o + 1] = (y * 255) / height;
      rgb[o + 2] = 128;
    }
  }
  return encodePng(rgb, width, height);
}

function modelMetrics(model: string, kind: string, cv: number[]) {
  const mean = cv.reduce((a, b) => a + b, 0) / cv.length;
  const std = Math.sqrt(cv.reduce((a, b) => a + (b - mean) ** 2, 0) / cv.length);
  const set = (accuracy: number) => ({ images: 4, accuracy, auc: 0.9, logLoss: 0.3, confusion: [[2, 0], [1, 1]] as [[number, number], [number, number]], ece: { raw: 0.12, calibrated: 0.05 } });
  return {
    model,
    kind,
    epochs: { chosen: 3, max: 5 },
    temperature: 1.4,
    crossValidation: { foldAccuracy: cv, mean, std },
    outOfFold: set(0.81),
    test: set(0.75),
    testFoldEnsemble: { accuracy: 0.75, auc: 0.92 },
    validation: { accuracy: 0.8, ece: { raw: 0.1, calibrated: 0.04 } },
    reliability: { raw: [], calibrated: [] },
  };
}

/** classifier_metrics (metrics.json) and classifier_plots (a folder of PNGs) for two models. */
export async function writeClassifierFixture(dir: string, manifest: DatasetManifest): Promise<{ classifier_metrics: string; classifier_plots: string }> {
  const metrics = join(dir, 'metrics.json');
  const plots = join(dir, 'plots');
  mkdirSync(plots, { recursive: true });
  const models = [modelMetrics('shallow', 'dense', [0.75, 0.875]), modelMetrics('cnn', 'conv', [0.875, 1])];
  writeJsonArtifact(metrics, classifierMetrics, { classes: [manifest.classNames[0]!, manifest.classNames[1]!], dataset: manifest.contentHash, splits: { train: 8, validation: 2, test: 2, folds: 2 }, best: 'cnn', models, history: {} });
  for (const [i, m] of models.entries()) {
    writeFileSync(join(plots, `curves-${m.model}.png`), await fixturePng(300, 120, 40 * i));
    writeFileSync(join(plots, `misclassified-${m.model}.png`), await fixturePng(200, 80, 90 + 40 * i));
  }
  writeFileSync(join(plots, 'reliability.png'), await fixturePng(240, 240, 200));
  return { classifier_metrics: metrics, classifier_plots: plots };
}

function ranked(manifest: DatasetManifest, indices: number[]) {
  return indices.map((index, r) => ({
    rank: r + 1,
    index,
    file: manifest.files[index]!,
    label: manifest.classNames[manifest.labels[index]!]!,
    score: Number((1 - r * 0.07).toPrecision(6)),
    components: { a: 0.5 },
    pCrocodile: 0.5,
    misclassifiedOutOfFold: r === 1,
    outlier: r === 2,
  }));
}

/** ranker_both, ranker_one_sided and ranker_metrics: a headline and one comparison scorer, a panel of two members. */
export function writeRankerFixture(dir: string, manifest: DatasetManifest): { ranker_both: string; ranker_one_sided: string; ranker_metrics: string } {
  mkdirSync(dir, { recursive: true });
  const n = manifest.labels.length;
  const all = Array.from({ length: n }, (_, i) => i);
  const ofClass = (c: number) => all.filter((i) => manifest.labels[i] === c);
  const [a, b] = manifest.classNames;
  const files = { ranker_both: join(dir, 'both.json'), ranker_one_sided: join(dir, 'one-sided.json'), ranker_metrics: join(dir, 'metrics.json') };
  writeJsonArtifact(files.ranker_both, rankerBoth, {
    classNames: [...manifest.classNames],
    embeddings: { model: 'cnn', variant: 'full' },
    oofModel: 'cnn',
    headline: 'panel-consensus',
    panel: [{ name: 'shallow', description: 'the dense net' }, { name: 'cnn', description: 'the conv net' }],
    topK: 5,
    scorers: {
      'panel-consensus': { layer: null, meaning: 'Images both models find hard to call, among typical images.', top: ranked(manifest, all.slice(0, 5)) },
      'centroid-difference': { layer: 'fc7', meaning: 'Images about as far from both class centroids.', top: ranked(manifest, all.slice(5, 10)) },
    },
  });
  writeJsonArtifact(files.ranker_one_sided, rankerOneSided, {
    scorer: 'panel-consensus',
    meaning: 'The images of one class only, ranked by panel-consensus.',
    lists: { [`${a}-like-${b}`]: ranked(manifest, ofClass(0).slice(0, 4)), [`${b}-like-${a}`]: ranked(manifest, ofClass(1).slice(0, 4)) },
  });
  const pair = (x: number) => ({ 'panel-consensus': { 'panel-consensus': 1, 'centroid-difference': x }, 'centroid-difference': { 'panel-consensus': x, 'centroid-difference': 1 } });
  const members = (d: number, x: number) => ({ shallow: { shallow: d, cnn: x }, cnn: { shallow: x, cnn: d } });
  writeJsonArtifact(files.ranker_metrics, rankerMetrics, {
    images: n,
    topK: [5, 10],
    panel: {
      members: ['shallow', 'cnn'],
      descriptions: { shallow: 'the dense net', cnn: 'the conv net' },
      meanAmbiguity: { shallow: 0.3, cnn: 0.35 },
      spearman: members(1, 0.24),
      overlap: { '@5': members(1, 0.4) },
      crossAmbiguity: { '@5': members(0.05, 0.21) },
      pairwiseLevel: { '@5': 0.21 },
    },
    heldOut: {
      'panel-consensus': { judges: ['shallow', 'cnn'], byMember: { shallow: { '@5': 0.17 }, cnn: { '@5': 0.19 } }, mean: { '@5': 0.18 } },
      'centroid-difference': { judges: ['shallow', 'cnn'], byMember: { shallow: { '@5': 0.27 }, cnn: { '@5': 0.29 } }, mean: { '@5': 0.28 } },
    },
    headline: { scorer: 'panel-consensus', heldOut: { '@5': 0.18 }, pairwiseLevel: { '@5': 0.21 }, outliers: { '@5': 1 } },
    spearman: pair(0.42),
    overlap: { '@5': pair(0.2), '@10': pair(0.5) },
    misclassifiedOutOfFold: { 'panel-consensus': { '@5': 0.2, '@10': 0.1 }, 'centroid-difference': { '@5': 0.4, '@10': 0.3 } },
    misclassifiedOverall: 0.15,
    classCounts: { 'panel-consensus': { '@5': { [a!]: 2, [b!]: 3 } }, 'centroid-difference': { '@5': { [a!]: 4, [b!]: 1 } } },
    medianIsolation: { 'panel-consensus': { '@5': 1.1 }, 'centroid-difference': { '@5': 1.6 } },
    isolationLayer: 'pooled',
    outliers: { threshold: 1.5, overall: 2, byScorer: { 'panel-consensus': { '@5': 1 }, 'centroid-difference': { '@5': 2 } } },
  });
  return files;
}

/** generator_metrics and two model folders (hybrids/, grids, strips): a learned model (vae) and a baseline (frequency). */
export async function writeGeneratorFixture(dir: string): Promise<{ generator_metrics: string; generator_vae: string; generator_frequency: string }> {
  const folder = async (name: string, shade: number) => {
    const d = join(dir, name);
    mkdirSync(join(d, 'hybrids'), { recursive: true });
    for (let i = 0; i < 6; i++) writeFileSync(join(d, 'hybrids', `hybrid-${String(i).padStart(3, '0')}.png`), await fixturePng(32, 32, (30 * i + shade) % 256));
    writeFileSync(join(d, 'hybrids.png'), await fixturePng(200, 70, 10 + shade));
    writeFileSync(join(d, 'best-hybrids.png'), await fixturePng(200, 70, 60 + shade));
    writeFileSync(join(d, 'best-hybrids-nearest.png'), await fixturePng(200, 140, 90 + shade));
    writeFileSync(join(d, 'samples.png'), await fixturePng(200, 140, 120 + shade));
    writeFileSync(join(d, 'interpolation.png'), await fixturePng(330, 100, 180 - shade));
    return d;
  };
  const vae = await folder('vae', 0);
  const frequency = await folder('frequency', 7);
  const summary = (m: number) => ({ min: m / 2, p05: m / 2, median: m, mean: m, p95: m * 2, max: m * 2 });
  const common = (share: number) => ({
    hybrids: { count: 6, shareInRange: share, pCrocodile: summary(0.45), kid: 0.2, secondJudge: { shareInRange: share / 2, pCrocodile: summary(0.4) }, calibratedShareInRange: { best: share, second: share } },
    classSamples: {
      perClass: 4, classAccuracy: { clock: 0.75, crocodile: 1 }, secondJudgeAccuracy: { clock: 0.5, crocodile: 0.75 }, kid: 0.15, fid: 80.5,
      precisionRecall: { k: 3, realPerClass: 4, clock: { precision: 0.5, recall: 0.25 }, crocodile: { precision: 0.75, recall: 0.5 } },
    },
    objectAware: {
      classTop1: { clock: 0.25, crocodile: 0.5 },
      classCalledAs: { clock: { frog: 0.5, clock: 0.25, ship: 0.25 }, crocodile: { crocodile: 0.5, frog: 0.5 } },
      kid: 0.3, fid: 40.25,
      hybrids: { meanPClockPlusCrocodile: 0.61, top1: { clock: 0.5, crocodile: 0.25, other: 0.25 } },
    },
    memorisation: { nearestTrain: summary(0.18), closerThanAnyTestImage: 0 },
    diversity: { clock: { pixel: 0.3, feature: 4 }, crocodile: { pixel: 0.25, feature: 3.5 } },
    bestHybrids: [
      { index: 4, pCrocodile: 0.51, realism: 0.8, score: 0.77, nearestTrain: { index: 3, rms: 0.2, file: 'clock/clock.3.png' } },
      { index: 1, pCrocodile: 0.42, realism: 0.7, score: 0.61, nearestTrain: { index: 9, rms: 0.25, file: 'crocodile/crocodile.2.png' } },
    ],
  });
  const metrics = join(dir, 'metrics.json');
  writeFileSync(metrics, JSON.stringify({
    judge: 'resnet/full',
    featureLayer: 'pooled',
    judges: {
      best: { name: 'resnet/full', featureLayer: 'pooled', temperature: 1.2 },
      second: { name: 'cnn/full', featureLayer: 'pooled', temperature: 3.9 },
      object: { name: 'object-judge', featureLayer: 'pooled', classes: ['frog', 'ship', 'clock', 'crocodile'], accuracy: { cifar10Test: 0.8, datasetTest: { clock: 0.9, crocodile: 0.85 } } },
    },
    hybridRange: [0.3, 0.7],
    reference: {
      realImages: 20, trainImages: 12, realNearestFeatureDistanceMedian: 1.5, testToNearestTrainPixelRms: summary(0.2),
      testVsTrain: { kid: 0.01, fid: 12.5 }, testVsTrainObjectFeatures: { kid: 0.02, fid: 3.5 },
      realDiversity: { clock: { pixel: 0.39, feature: 6 }, crocodile: { pixel: 0.28, feature: 3.7 } },
      realTest: {
        count: 8, accuracy: { best: { clock: 1, crocodile: 0.75 }, second: { clock: 0.75, crocodile: 0.75 }, objectTop1: { clock: 0.5, crocodile: 0.75 } },
        shareInRange: { best: 0.125, second: 0.25 }, calibratedShareInRange: { best: 0.125, second: 0.5 }, meanPClockPlusCrocodile: 0.7,
      },
    },
    models: {
      frequency: {
        type: 'baseline', params: { sigma: 1.5 }, ...common(0.25),
        hybridGroups: { 'clock low + crocodile high': { count: 3, shareInRange: 0.33, secondJudgeShareInRange: 0, meanPClockPlusCrocodile: 0.7 }, 'crocodile low + clock high': { count: 3, shareInRange: 0.17, secondJudgeShareInRange: 0.33, meanPClockPlusCrocodile: 0.5 } },
      },
      vae: {
        type: 'learned', epochs: 2, ...common(0.5),
        guidance: { guides: ['resnet-scratch', 'shallow'], members: 12, steps: 60, learningRate: 0.05, prior: 0.01, anchor: 0, realism: 1, views: 3, hybridViews: 0, hybrid: 'blend' },
        history: [{ epoch: 1, losses: { reconstruction: 0.09, kl: 0.02 } }, { epoch: 2, losses: { reconstruction: 0.06, kl: 0.03 } }],
      },
    },
  }));
  return { generator_metrics: metrics, generator_vae: vae, generator_frequency: frequency };
}
