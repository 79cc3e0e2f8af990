// Artifact `classifier_models` (artifacts/classifier/models/): best.json, and per trained model
// <model>/<fold-k|full>/ a tfjs layers model (model.json + weights.bin, loadable by plain
// tf.loadLayersModel) with this metadata.json.
import { z } from 'zod';
import { modelDescription, normalization } from './model-files.ts';

/** models/best.json: the model with the best cross-validated accuracy. */
export const bestModel = z.strictObject({
  model: z.string().min(1),
  folds: z.number().int().min(0),
});
export type BestModel = z.infer<typeof bestModel>;

/** models/<model>/<variant>/metadata.json */
export const classifierModelMetadata = z.strictObject({
  /** Class names in label order: p(class 1) is the sigmoid output. */
  classes: z.tuple([z.string(), z.string()]),
  inputSize: z.number().int().positive(),
  normalization,
  output: z.literal('sigmoid'),
  /** The model's name in the classifier params (shallow, cnn, resnet, ...). */
  model: z.string().min(1),
  fold: z.union([z.number().int().min(0), z.literal('full')]),
  epochs: z.number().int().min(1),
  /** Images it was trained on. */
  trainedOn: z.number().int().min(1),
  /** Divide the logit by this before the sigmoid (fitted on the validation split). */
  temperature: z.number().positive(),
  /** Average the logits of the image and its mirror. */
  tta: z.boolean(),
  /** Also average the image shifted by this many pixels (0 = off). */
  ttaShift: z.number().int().min(0),
  /** Networks whose logits are averaged. */
  ensemble: z.number().int().min(1),
  /** The model's entry of the classifier params as it ran. */
  params: z.record(z.string(), z.unknown()),
  /** Content hash of the dataset it was trained on. */
  dataset: z.string(),
  ...modelDescription,
});
export type ClassifierModelMetadata = z.infer<typeof classifierModelMetadata>;
