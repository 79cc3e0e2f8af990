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
import { FastBatchNorm } from './batch-norm.ts'; // (also: FastBatchNorm stays loadable for folders saved before it was converted)

type Json = Record<string, unknown>;

/**
 * The topology with every FastBatchNorm layer written as a standard BatchNormalization (channels
 * last), and a batch norm with a fused leaky ReLU as that BatchNormalization followed by its
 * LeakyReLU layer (the name it stands for), which takes over the batch norm's consumers: the
 * same topology as a model built with separate layers.
 */
export function portableTopology(topology: Json): Json {
  const renamed = new Map<string, string>(); // fused batch norm → its activation layer
  const convert = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.flatMap((n) => expand(n));
    if (node === null || typeof node !== 'object') return node;
    const entry = node as Json;
    if (entry['class_name'] === 'FastBatchNorm') {
      const { leaky_alpha: _a, activation_name: _n, leakyAlpha: _a2, activationName: _n2, ...config } = entry['config'] as Json;
      return { ...entry, class_name: 'BatchNormalization', config: { ...config, axis: -1, center: true, scale: true } };
    }
    return Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, convert(v)]));
  };
  // A layer entry with a fused activation becomes two entries.
  const expand = (node: unknown): unknown[] => {
    const entry = node as Json | null;
    const config = entry && typeof entry === 'object' && !Array.isArray(entry) && entry['class_name'] === 'FastBatchNorm' ? (entry['config'] as Json) : undefined;
    // (tfjs writes configs in snake_case)
    const alpha = config?.['leaky_alpha'] ?? config?.['leakyAlpha'];
    if (!config || alpha === undefined) return [convert(node)];
    const name = entry!['name'] as string, act = (config['activation_name'] ?? config['activationName'] ?? `${name}_act`) as string;
    renamed.set(name, act);
    return [convert(node), { name: act, class_name: 'LeakyReLU', config: { alpha, name: act, trainable: true }, inbound_nodes: [[[name, 0, 0, {}]]] }];
  };
  const converted = convert(topology) as Json;
  if (renamed.size === 0) return converted;
  // Consumers of a fused batch norm (inbound nodes, model outputs) read its activation layer.
  const rewire = (node: unknown, inside: string | undefined): unknown => {
    if (Array.isArray(node)) {
      if (typeof node[0] === 'string' && renamed.has(node[0]) && node[0] !== inside) return [renamed.get(node[0]), ...node.slice(1)];
      return node.map((n) => rewire(n, inside));
    }
    if (node === null || typeof node !== 'object') return node;
    const entry = node as Json;
    // The activation layer itself keeps reading the batch norm.
    const self = typeof entry['name'] === 'string' && [...renamed.values()].includes(entry['name'] as string)
      ? [...renamed].find(([, a]) => a === entry['name'])![0] : inside;
    // A layer entry's own name and config are left alone (the model's config holds the layers).
    const isLayer = 'inbound_nodes' in entry;
    return Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, isLayer && (k === 'name' || k === 'config') ? v : rewire(v, self)]));
  };
  return rewire(converted, undefined) as Json;
}

const portableClassName = (layer: tfTypes.layers.Layer): string => (layer.getClassName() === 'FastBatchNorm' ? 'BatchNormalization' : layer.getClassName());

/** Parameter count (batch-norm statistics included) and one line per layer of the portable topology, for metadata.json. */
export function describeModel(model: tfTypes.LayersModel): { parameterCount: number; layers: LayerSummary[] } {
  const layers = model.layers.flatMap((layer) => {
    const shape = layer.outputShape;
    const outputShape = ((Array.isArray(shape[0]) ? shape[0] : shape) as (number | null)[]).slice(1);
    const line = { name: layer.name, className: portableClassName(layer), outputShape, parameters: layer.countParams() };
    const fused = layer instanceof FastBatchNorm && layer.leakyAlpha !== undefined;
    return fused ? [line, { name: (layer as FastBatchNorm).activationName ?? `${layer.name}_act`, className: 'LeakyReLU', outputShape, parameters: 0 }] : [line];
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
