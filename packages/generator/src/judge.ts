// The classifier stage's best full model as a judge: p(crocodile) of images and their features in
// its `pooled` layer (the embedder's feature space), where KID/FID and realism are measured.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import '@cvc/classifier'; // registers the classifier's custom layers so its models load
import { readJson } from '@cvc/core';
import { loadLayersModel } from '@cvc/core/formats/tfjs-model';
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
  /** images: uint8 [n, 32, 32, 3]. */
  judge(images: Uint8Array, n: number): Judgement;
}

interface ClassifierMetadata {
  classes?: string[];
  inputSize?: number;
  normalization?: { mean: number[]; std: number[] };
  output?: string;
}

/** Wrap a loaded classifier: outputs [p, features] from one forward pass, in batches. */
/** The feature layer: 'pooled' (conv models) if present, else 'fc7' (every classifier has it). */
export function featureLayerOf(model: tfTypes.LayersModel, where: string): string {
  const names = new Set(model.layers.map((l) => l.name));
  const layer = ['pooled', 'fc7'].find((n) => names.has(n));
  if (!layer) throw new Error(`${where}: model has neither a 'pooled' nor an 'fc7' layer to read features from`);
  return layer;
}

export function judgeFromModel(tf: Tf, name: string, model: tfTypes.LayersModel, metadata: ClassifierMetadata, where: string): Judge {
  const featureLayer = featureLayerOf(model, where);
  const norm = metadata.normalization;
  if (!norm || norm.mean.length !== 3 || norm.std.length !== 3) throw new Error(`${where}: metadata "normalization" must have 3-channel mean and std`);
  const size = metadata.inputSize ?? 32;
  const softmax = metadata.output === 'softmax';
  const both = tf.model({ inputs: model.inputs, outputs: [model.outputs[0]!, model.getLayer(featureLayer).output as tfTypes.SymbolicTensor] });
  return {
    name,
    featureLayer,
    judge(images, n) {
      const p = new Float32Array(n);
      const chunks: Float32Array[] = [];
      let dim = 0;
      for (let start = 0; start < n; start += 128) {
        const m = Math.min(128, n - start);
        const [probs, feats] = tf.tidy(() => {
          const x = tf.tensor4d(images.subarray(start * size * size * 3, (start + m) * size * size * 3), [m, size, size, 3], 'float32');
          const input = tf.div(tf.sub(tf.div(x, 255), tf.tensor1d(norm.mean)), tf.tensor1d(norm.std)); // [m, 32, 32, 3]
          const [out, f] = both.predict(input) as tfTypes.Tensor[];
          const pc = softmax ? tf.slice(out!, [0, 1], [m, 1]) : out!;
          return [pc.reshape([m]).dataSync() as Float32Array, f!.reshape([m, -1])];
        });
        p.set(probs, start);
        dim = feats.shape[1]!;
        chunks.push(feats.dataSync() as Float32Array);
        feats.dispose();
      }
      const features = new Float32Array(n * dim);
      let offset = 0;
      for (const c of chunks) { features.set(c, offset); offset += c.length; }
      return { pCrocodile: p, features, dim };
    },
  };
}

/** The best full model named by `<modelsDir>/best.json` (the classifier stage's contract). */
export async function loadBestJudge(tf: Tf, modelsDir: string): Promise<Judge> {
  const best = readJson<{ model?: string }>(join(modelsDir, 'best.json'));
  if (typeof best.model !== 'string') throw new Error(`${join(modelsDir, 'best.json')}: field "model" must name the best model`);
  const dir = join(modelsDir, best.model, 'full');
  if (!existsSync(join(dir, 'model.json'))) throw new Error(`${join(dir, 'model.json')}: best model "${best.model}" has no full model`);
  const { model, metadata } = await loadLayersModel<ClassifierMetadata>(tf, dir);
  return judgeFromModel(tf, `${best.model}/full`, model, metadata, join(dir, 'model.json'));
}
