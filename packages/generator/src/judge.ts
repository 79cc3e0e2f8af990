// The classifier stage's best full model as a judge: p(crocodile) of images and their features in
// its `pooled` layer (the embedder's feature space), where KID/FID and realism are measured.
import { basename, dirname } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import type { ClassifierModelMetadata } from '@cvc/artifacts/classifier-models';
import { bestModelDir, loadClassifierModel } from '@cvc/vision/classifier-model';
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

/** What the judge reads of a model's metadata (a classifier's, or a 'softmax' model whose column 1 is p(crocodile)). */
type JudgeMetadata = Pick<ClassifierModelMetadata, 'normalization'> & { inputSize?: number; output?: string };

/** Wrap a loaded classifier: outputs [p, features] from one forward pass, in batches. */
/** The feature layer: 'pooled' (conv models) if present, else 'fc7' (every classifier has it). */
export function featureLayerOf(model: tfTypes.LayersModel, where: string): string {
  const names = new Set(model.layers.map((l) => l.name));
  const layer = ['pooled', 'fc7'].find((n) => names.has(n));
  if (!layer) throw new Error(`${where}: model has neither a 'pooled' nor an 'fc7' layer to read features from`);
  return layer;
}

export function judgeFromModel(tf: Tf, name: string, model: tfTypes.LayersModel, metadata: JudgeMetadata, where: string): Judge {
  const featureLayer = featureLayerOf(model, where);
  const norm = metadata.normalization;
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
  const dir = bestModelDir(modelsDir);
  const { model, metadata } = await loadClassifierModel(dir);
  return judgeFromModel(tf, `${basename(dirname(dir))}/full`, model, metadata, `${dir}/model.json`);
}
