// Format `tfjs-model`: a folder with the TensorFlow.js layers-model files
//   model.json     topology + weightsManifest (the standard tfjs format, loadable by tf.loadLayersModel)
//   weights.bin    all weights, float32, in manifest order
//   metadata.json  what a user of the model needs: classes, input normalisation, training params
// tfjs's file:// handler exists only in tfjs-node; these handlers work on every backend.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { writeFileAtomic, writeJsonAtomic } from '../files.ts';

type Tf = typeof tfTypes;

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const METADATA_FILE = 'metadata.json';

function concatWeights(data: tfTypes.io.WeightData): Uint8Array {
  const parts = Array.isArray(data) ? data : [data];
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(new Uint8Array(part), offset);
    offset += part.byteLength;
  }
  return out;
}

/** Save a layers model (and its metadata) to `dir`; each file written atomically. `topology` may rewrite the saved topology (e.g. to standard layer classes). */
export async function saveLayersModel(
  tf: Tf,
  model: tfTypes.LayersModel,
  dir: string,
  metadata: Record<string, unknown>,
  topology: (json: Record<string, unknown>) => Record<string, unknown> = (json) => json,
): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      if (!artifacts.modelTopology || !artifacts.weightSpecs || !artifacts.weightData) {
        throw new Error(`${dir}: model has no topology or weights to save`);
      }
      const weights = concatWeights(artifacts.weightData);
      writeFileAtomic(join(dir, WEIGHTS_FILE), weights);
      writeJsonAtomic(join(dir, MODEL_FILE), {
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: topology(artifacts.modelTopology as Record<string, unknown>),
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs }],
      });
      writeJsonAtomic(join(dir, METADATA_FILE), metadata);
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
    }),
  );
}

interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tfTypes.io.WeightsManifestEntry[] }[];
}

/** Load a model saved by saveLayersModel (or any single-shard-per-group tfjs layers model folder). */
export async function loadLayersModel<M = Record<string, unknown>>(tf: Tf, dir: string): Promise<{ model: tfTypes.LayersModel; metadata: M }> {
  const modelFile = join(dir, MODEL_FILE);
  if (!existsSync(modelFile)) throw new Error(`${modelFile}: model file not found`);
  let json: ModelJson;
  try {
    json = JSON.parse(readFileSync(modelFile, 'utf8')) as ModelJson;
  } catch (err) {
    throw new Error(`${modelFile}: not valid JSON: ${(err as Error).message}`);
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) throw new Error(`${modelFile}: not a TensorFlow.js layers model (no modelTopology/weightsManifest)`);
  const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
  const buffers = json.weightsManifest.flatMap((group) =>
    group.paths.map((p) => {
      const file = join(dir, p);
      if (!existsSync(file)) throw new Error(`${file}: weights file not found`);
      const b = readFileSync(file);
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    }),
  );
  const weightData = concatWeights(buffers).buffer as ArrayBuffer;
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData }));
  const metadataFile = join(dir, METADATA_FILE);
  const metadata = (existsSync(metadataFile) ? JSON.parse(readFileSync(metadataFile, 'utf8')) : {}) as M;
  return { model, metadata };
}
