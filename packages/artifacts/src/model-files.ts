// What every saved TensorFlow.js model folder's metadata.json carries besides its own fields:
// how to feed it, and what it is (a parameter count and a per-layer summary).
import { z } from 'zod';

/** Per-channel input normalisation in [0, 1] units: x_norm = (x / 255 − mean) / std. */
export const normalization = z.strictObject({
  mean: z.tuple([z.number(), z.number(), z.number()]),
  std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
});
export type Normalization = z.infer<typeof normalization>;

export const layerSummary = z.strictObject({
  name: z.string(),
  /** The tfjs layer class, e.g. Conv2D, BatchNormalization. */
  className: z.string(),
  /** Output shape without the batch dimension. */
  outputShape: z.array(z.number().int().nullable()),
  parameters: z.number().int().min(0),
});
export type LayerSummary = z.infer<typeof layerSummary>;

/** Fields every model metadata.json written through @cvc/vision's saveModel has. */
export const modelDescription = {
  /** Trainable and non-trainable (batch-norm statistics) weights. */
  parameterCount: z.number().int().min(0),
  layers: z.array(layerSummary).min(1),
};
