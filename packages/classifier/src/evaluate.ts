// Model runs → the figures of metrics.json and the out-of-fold predictions.
import type { DatasetManifest } from '@cvc/core';
import { accuracy, binaryLogLoss, confusionMatrix, expectedCalibrationError, meanStd, probabilities, reliabilityBins, rocAuc } from './metrics.ts';
import type { ModelRuns } from './run-model.ts';
import type { ClassifierModelMetrics as ModelMetrics, ReliabilityBin, SetFigures } from '@cvc/artifacts/classifier-metrics';
import type { OofImage } from '@cvc/artifacts/classifier-oof';

const round = (v: number, digits = 6): number => Number.isFinite(v) ? Number(v.toFixed(digits)) : v;
const logit = (p: number) => Math.log(p / (1 - p));

export type { ClassifierModelMetrics as ModelMetrics, SetFigures } from '@cvc/artifacts/classifier-metrics';
/** Fold of every image (null for test images). */
export function foldOf(manifest: DatasetManifest): (number | null)[] {
  const folds: (number | null)[] = manifest.labels.map(() => null);
  manifest.splits.folds.forEach((fold, k) => fold.forEach((i) => (folds[i] = k)));
  return folds;
}

/** Out-of-fold logit of each image: own fold's model for dev images, logit of the fold models' mean probability for test images. */
export function outOfFoldLogits(runs: ModelRuns, folds: (number | null)[]): number[] {
  return folds.map((fold, i) => {
    if (fold !== null) return runs.foldLogits[fold]![i]!;
    const p = runs.foldLogits.reduce((s, z) => s + 1 / (1 + Math.exp(-z[i]!)), 0) / runs.foldLogits.length;
    return logit(Math.min(1 - 1e-7, Math.max(1e-7, p)));
  });
}

function setFigures(logits: number[], labels: number[], temperature: number, bins: number): SetFigures {
  return {
    images: labels.length,
    accuracy: round(accuracy(logits, labels)),
    auc: round(rocAuc(logits, labels)),
    logLoss: round(binaryLogLoss(logits, labels)),
    confusion: confusionMatrix(logits, labels),
    ece: {
      raw: round(expectedCalibrationError(probabilities(logits), labels, bins)),
      calibrated: round(expectedCalibrationError(probabilities(logits, temperature), labels, bins)),
    },
  };
}

export function evaluateModel(runs: ModelRuns, manifest: DatasetManifest, bins: number): ModelMetrics {
  const validationLogits = Array.from(runs.validationLogits);
  const { labels, splits } = manifest;
  const pick = (values: ArrayLike<number>, idx: number[]) => idx.map((i) => values[i]!);
  const y = (idx: number[]) => idx.map((i) => labels[i]!);
  const folds = foldOf(manifest);
  const oof = outOfFoldLogits(runs, folds);
  const dev = folds.flatMap((f, i) => (f === null ? [] : [i]));
  const foldAccuracy = splits.folds.map((fold, k) => round(accuracy(pick(runs.foldLogits[k]!, fold), y(fold))));
  const { mean, std } = meanStd(foldAccuracy);
  const T = runs.temperature;
  const ensembleTest = pick(oof, splits.test);
  const devLogits = pick(oof, dev);
  return {
    model: runs.spec.name,
    kind: runs.spec.architecture.kind,
    epochs: { chosen: runs.epochs, max: runs.spec.training.maxEpochs },
    temperature: round(T),
    crossValidation: { foldAccuracy, mean: round(mean), std: round(std) },
    outOfFold: setFigures(devLogits, y(dev), T, bins),
    test: setFigures(pick(runs.fullLogits, splits.test), y(splits.test), T, bins),
    testFoldEnsemble: { accuracy: round(accuracy(ensembleTest, y(splits.test))), auc: round(rocAuc(ensembleTest, y(splits.test))) },
    validation: {
      accuracy: round(accuracy(validationLogits, y(splits.validation))),
      ece: {
        raw: round(expectedCalibrationError(probabilities(validationLogits), y(splits.validation), bins)),
        calibrated: round(expectedCalibrationError(probabilities(validationLogits, T), y(splits.validation), bins)),
      },
    },
    reliability: {
      raw: reliabilityBins(probabilities(devLogits), y(dev), bins).map(roundBin),
      calibrated: reliabilityBins(probabilities(devLogits, T), y(dev), bins).map(roundBin),
    },
  };
}

const roundBin = (b: ReliabilityBin): ReliabilityBin => ({ ...b, confidence: round(b.confidence), frequency: round(b.frequency) });

export type { OofImage };

export function outOfFoldImages(all: ModelRuns[], manifest: DatasetManifest): OofImage[] {
  const folds = foldOf(manifest);
  const oof = all.map((runs) => outOfFoldLogits(runs, folds));
  return manifest.files.map((file, index) => {
    const entry: OofImage = { index, file, label: manifest.labels[index]!, fold: folds[index]!, pCrocodile: {}, pCrocodileRaw: {}, foldProbabilities: {} };
    all.forEach((runs, m) => {
      const name = runs.spec.name;
      const foldP = runs.foldLogits.map((z) => 1 / (1 + Math.exp(-z[index]!)));
      const fold = folds[index];
      entry.pCrocodileRaw[name] = round(1 / (1 + Math.exp(-oof[m]![index]!)));
      // Calibrated: the temperature applies to each fold model's logit; test images average the calibrated fold probabilities.
      const calibrated = runs.foldLogits.map((z) => 1 / (1 + Math.exp(-z[index]! / runs.temperature)));
      entry.pCrocodile[name] = round(fold === null || fold === undefined ? calibrated.reduce((a, b) => a + b, 0) / calibrated.length : calibrated[fold]!);
      entry.foldProbabilities[name] = foldP.map((p) => round(p));
    });
    return entry;
  });
}
