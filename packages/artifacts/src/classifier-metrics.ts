// Artifact `classifier_metrics` (artifacts/classifier/metrics.json): per model, cross-validated and
// test figures, calibration, and the training curves of its run on the train split.
import { z } from 'zod';

const ece = z.strictObject({ raw: z.number(), calibrated: z.number() });

/** Figures of one set of images scored by one model. */
export const setFigures = z.strictObject({
  images: z.number().int().min(0),
  accuracy: z.number(),
  auc: z.number(),
  logLoss: z.number(),
  /** [true class][predicted class], classes in the dataset's order. */
  confusion: z.tuple([z.tuple([z.number(), z.number()]), z.tuple([z.number(), z.number()])]),
  ece,
});
export type SetFigures = z.infer<typeof setFigures>;

export const reliabilityBin = z.strictObject({
  lower: z.number(),
  upper: z.number(),
  count: z.number().int().min(0),
  /** Mean predicted p(class 1) in the bin. */
  confidence: z.number(),
  /** Observed fraction of class 1 in the bin. */
  frequency: z.number(),
});
export type ReliabilityBin = z.infer<typeof reliabilityBin>;

export const classifierModelMetrics = z.strictObject({
  model: z.string(),
  kind: z.string(),
  epochs: z.strictObject({ chosen: z.number().int().min(1), max: z.number().int().min(1) }),
  temperature: z.number(),
  crossValidation: z.strictObject({ foldAccuracy: z.array(z.number()), mean: z.number(), std: z.number() }),
  /** Every train ∪ validation image scored by its own fold's model. */
  outOfFold: setFigures,
  /** The test split scored by the full model (train ∪ validation). */
  test: setFigures,
  /** The test split scored by the mean probability of the fold models. */
  testFoldEnsemble: z.strictObject({ accuracy: z.number(), auc: z.number() }),
  validation: z.strictObject({ accuracy: z.number(), ece }),
  reliability: z.strictObject({ raw: z.array(reliabilityBin), calibrated: z.array(reliabilityBin) }),
});
export type ClassifierModelMetrics = z.infer<typeof classifierModelMetrics>;

export const trainingEpoch = z.strictObject({
  epoch: z.number().int().min(1),
  trainLoss: z.number(),
  trainAccuracy: z.number(),
  validationLoss: z.number().optional(),
  validationAccuracy: z.number().optional(),
});
export type TrainingEpoch = z.infer<typeof trainingEpoch>;

export const classifierMetrics = z.strictObject({
  classes: z.tuple([z.string(), z.string()]),
  /** Content hash of the dataset. */
  dataset: z.string(),
  splits: z.strictObject({ train: z.number().int(), validation: z.number().int(), test: z.number().int(), folds: z.number().int() }),
  /** The model with the best cross-validated accuracy. */
  best: z.string(),
  models: z.array(classifierModelMetrics).min(1),
  /** Per model: the curves of its run on the train split, evaluated on validation. */
  history: z.record(z.string(), z.array(trainingEpoch)),
});
export type ClassifierMetrics = z.infer<typeof classifierMetrics>;
