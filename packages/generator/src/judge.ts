// Judges of generated images. A classifier-stage model (the best one, and an independent second
// one): p(crocodile) of images and their features in its `pooled` layer (the embedder's feature
// space), where KID/FID, precision/recall and realism are measured. And the object-aware judge
// (the object-judge stage's 12-way model): which of 12 objects an image shows.
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import type { ClassifierModelMetadata } from '@cvc/artifacts/classifier-models';
import { objectJudgeModelMetadata, type ObjectJudgeModelMetadata } from '@cvc/artifacts/object-judge';
import { bestModelDir, loadClassifierModel } from '@cvc/vision/classifier-model';
import { loadModel } from '@cvc/vision/saved-model';
import type { Tf } from './weights.ts';

export interface Judgement {
  pCrocodile: Float32Array;
  /** [n, dim] row-major. */
  features: Float32Array;
  dim: number;
}

export interface Judge {
  /** Name of the judging model, for the metrics file. */
  name: string;
  /** Layer the features are read from. */
  featureLayer: string;
  /** The classifier stage's temperature, fit on out-of-fold real images: σ(logit(p) / T) is its calibrated p (1 if the metadata has none). */
  temperature: number;
  /** images: uint8 [n, 32, 32, 3] (p(crocodile) as the network outputs it, uncalibrated). */
  judge(images: Uint8Array, n: number): Judgement;
}

/** What the judge reads of a model's metadata (a classifier's, or a 'softmax' model whose column 1 is p(crocodile)). */
type JudgeMetadata = Pick<ClassifierModelMetadata, 'normalization'> & { inputSize?: number; output?: string; temperature?: number };

/** The feature layer: 'pooled' (conv models) if present, else 'fc7' (every classifier has it). */
export function featureLayerOf(model: tfTypes.LayersModel, where: string): string {
  const names = new Set(model.layers.map((l) => l.name));
  const layer = ['pooled', 'fc7'].find((n) => names.has(n));
  if (!layer) throw new Error(`${where}: model has neither a 'pooled' nor an 'fc7' layer to read features from`);
  return layer;
}

/** One forward pass per batch of 128 through `both` (outputs: [head, features]); the head's rows go through `head`. */
function forwardInBatches(
  tf: Tf,
  both: tfTypes.LayersModel,
  norm: { mean: number[]; std: number[] },
  size: number,
  images: Uint8Array,
  n: number,
  head: (out: tfTypes.Tensor, m: number) => tfTypes.Tensor,
): { head: Float32Array; features: Float32Array; dim: number } {
  const heads: Float32Array[] = [];
  const chunks: Float32Array[] = [];
  let dim = 0;
  for (let start = 0; start < n; start += 128) {
    const m = Math.min(128, n - start);
    const [h, f] = tf.tidy(() => {
      const x = tf.tensor4d(images.subarray(start * size * size * 3, (start + m) * size * size * 3), [m, size, size, 3], 'float32');
      const input = tf.div(tf.sub(tf.div(x, 255), tf.tensor1d(norm.mean)), tf.tensor1d(norm.std)); // [m, 32, 32, 3]
      const [out, feats] = both.predict(input) as tfTypes.Tensor[];
      return [head(out!, m).dataSync() as Float32Array, feats!.reshape([m, -1]).dataSync() as Float32Array];
    });
    heads.push(h);
    dim = f.length / m;
    chunks.push(f);
  }
  const join = (parts: Float32Array[]) => {
    const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    let offset = 0;
    for (const p of parts) { out.set(p, offset); offset += p.length; }
    return out;
  };
  return { head: join(heads), features: join(chunks), dim };
}

/** Wrap a loaded classifier: outputs [p, features] from one forward pass, in batches. */
export function judgeFromModel(tf: Tf, name: string, model: tfTypes.LayersModel, metadata: JudgeMetadata, where: string): Judge {
  const featureLayer = featureLayerOf(model, where);
  const norm = metadata.normalization;
  const size = metadata.inputSize ?? 32;
  const softmax = metadata.output === 'softmax';
  const both = tf.model({ inputs: model.inputs, outputs: [model.outputs[0]!, model.getLayer(featureLayer).output as tfTypes.SymbolicTensor] });
  return {
    name,
    featureLayer,
    temperature: metadata.temperature ?? 1,
    judge(images, n) {
      const r = forwardInBatches(tf, both, norm, size, images, n, (out, m) => (softmax ? tf.slice(out, [0, 1], [m, 1]) : out).reshape([m]));
      return { pCrocodile: r.head, features: r.features, dim: r.dim };
    },
  };
}

/** A full model of the classifier stage in `dir` (`<modelsDir>/<model>/full`). */
async function judgeFromDir(tf: Tf, dir: string): Promise<Judge> {
  const { model, metadata } = await loadClassifierModel(dir);
  return judgeFromModel(tf, `${basename(dirname(dir))}/full`, model, metadata, join(dir, 'model.json'));
}

/** A full model of the classifier stage by name. */
export async function loadClassifierJudge(tf: Tf, modelsDir: string, modelName: string): Promise<Judge> {
  const dir = join(modelsDir, modelName, 'full');
  if (!existsSync(join(dir, 'model.json'))) throw new Error(`${join(dir, 'model.json')}: classifier model "${modelName}" has no full model`);
  return judgeFromDir(tf, dir);
}

/** The best full model named by `<modelsDir>/best.json` (the classifier stage's contract). */
export async function loadBestJudge(tf: Tf, modelsDir: string): Promise<Judge> {
  return judgeFromDir(tf, bestModelDir(modelsDir));
}

// The object-aware judge: a k-way softmax classifier over other objects and the dataset's classes
// (the object-judge stage's model: CIFAR-10's ten classes + clock + crocodile).

export interface ObjectJudgement {
  /** Softmax probabilities [n, classes.length] row-major. */
  probs: Float32Array;
  features: Float32Array;
  dim: number;
}

export interface ObjectJudge {
  name: string;
  featureLayer: string;
  classes: string[];
  /** Columns of clock and crocodile in `probs`. */
  clock: number;
  crocodile: number;
  /** What the model's metadata says about its held-out accuracy (copied into the metrics). */
  accuracy: ObjectJudgeModelMetadata['accuracy'];
  judge(images: Uint8Array, n: number): ObjectJudgement;
}

/** What the object judge reads of its metadata (the object-judge stage's schema). */
type ObjectJudgeMetadata = Pick<ObjectJudgeModelMetadata, 'classes' | 'normalization' | 'accuracy'> & { output: string; inputSize?: number };

export function objectJudgeFromModel(tf: Tf, name: string, model: tfTypes.LayersModel, metadata: ObjectJudgeMetadata, where: string): ObjectJudge {
  const classes = metadata.classes;
  const k = model.outputs[0]!.shape[1];
  if (!Array.isArray(classes) || classes.length !== k) throw new Error(`${where}: metadata "classes" must name each of the model's ${String(k)} outputs`);
  const clock = classes.indexOf('clock');
  const crocodile = classes.indexOf('crocodile');
  if (clock < 0 || crocodile < 0) throw new Error(`${where}: metadata "classes" must include clock and crocodile (got ${classes.join(', ')})`);
  if (metadata.output !== 'logits') throw new Error(`${where}: metadata "output" must be "logits" (got ${String(metadata.output)})`);
  const featureLayer = featureLayerOf(model, where);
  const norm = metadata.normalization;
  const size = metadata.inputSize ?? 32;
  const both = tf.model({ inputs: model.inputs, outputs: [model.outputs[0]!, model.getLayer(featureLayer).output as tfTypes.SymbolicTensor] });
  return {
    name,
    featureLayer,
    classes,
    clock,
    crocodile,
    accuracy: metadata.accuracy,
    judge(images, n) {
      const r = forwardInBatches(tf, both, norm, size, images, n, (out) => tf.softmax(out));
      return { probs: r.head, features: r.features, dim: r.dim };
    },
  };
}

/** The object-judge stage's model folder. */
export async function loadObjectJudge(tf: Tf, dir: string): Promise<ObjectJudge> {
  if (!existsSync(join(dir, 'model.json'))) throw new Error(`${join(dir, 'model.json')}: no object-judge model; run the object-judge stage first`);
  const { model, metadata } = await loadModel(dir, objectJudgeModelMetadata);
  return objectJudgeFromModel(tf, 'object-judge', model, metadata, join(dir, 'model.json'));
}
