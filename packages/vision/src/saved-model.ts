// Saving and loading our layers models as portable TensorFlow.js folders (model.json +
// weights.bin + metadata.json). Training uses FastBatchNorm (batch-norm.ts: a hand-written
// gradient); its inference is exactly tf.batchNorm, so the saved topology names the standard
// BatchNormalization layer instead (same weights, same order): any TF.js app loads the model with
// plain tf.loadLayersModel, without registering a custom class. Metadata is checked against its
// schema (@cvc/artifacts) on the way out and on the way in.
import type * as tfTypes from '@tensorflow/tfjs';
import type { z } from 'zod';
import { checkJson } from '@cvc/core';
import { tf } from '@cvc/core/backend';
import { loadLayersModel, saveLayersModel, METADATA_FILE } from '@cvc/core/formats/tfjs-model';
import type { LayerSummary } from '@cvc/artifacts/model-files';
import { join } from 'node:path';
import './batch-norm.ts'; // FastBatchNorm stays loadable for folders saved before it was converted

type Json = Record<string, unknown>;

/** The topology with every FastBatchNorm layer written as a standard BatchNormalization (channels last). */
export function portableTopology(topology: Json): Json {
  const convert = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(convert);
    if (node === null || typeof node !== 'object') return node;
    const entry = node as Json;
    if (entry['class_name'] === 'FastBatchNorm') {
      const config = entry['config'] as Json;
      return { ...entry, class_name: 'BatchNormalization', config: { ...config, axis: -1, center: true, scale: true } };
    }
    return Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, convert(v)]));
  };
  return convert(topology) as Json;
}

const portableClassName = (layer: tfTypes.layers.Layer): string => (layer.getClassName() === 'FastBatchNorm' ? 'BatchNormalization' : layer.getClassName());

/** Parameter count (batch-norm statistics included) and one line per layer, for metadata.json. */
export function describeModel(model: tfTypes.LayersModel): { parameterCount: number; layers: LayerSummary[] } {
  const layers = model.layers.map((layer) => {
    const shape = layer.outputShape;
    const single = (Array.isArray(shape[0]) ? shape[0] : shape) as (number | null)[];
    return { name: layer.name, className: portableClassName(layer), outputShape: single.slice(1), parameters: layer.countParams() };
  });
  return { parameterCount: layers.reduce((n, l) => n + l.parameters, 0), layers };
}

/** Save `model` portably with `metadata` + its description, validated by `schema` before anything is written. */
export async function saveModel<S extends z.ZodType>(model: tfTypes.LayersModel, dir: string, schema: S, metadata: Omit<z.input<S>, 'parameterCount' | 'layers'>): Promise<void> {
  const full = { ...metadata, ...describeModel(model) };
  checkJson(join(dir, METADATA_FILE), schema, full);
  await saveLayersModel(tf, model, dir, full, portableTopology);
}

/** Load a model folder and its metadata.json, checked against `schema` (errors name the file and field). */
export async function loadModel<S extends z.ZodType>(dir: string, schema: S): Promise<{ model: tfTypes.LayersModel; metadata: z.infer<S>; dir: string }> {
  const { model, metadata } = await loadLayersModel(tf, dir);
  return { model, metadata: checkJson(join(dir, METADATA_FILE), schema, metadata), dir };
}
