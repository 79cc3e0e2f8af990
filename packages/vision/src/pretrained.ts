// Starting a network from the pretrain stage's model (a resnet trained on CIFAR-10 with a 10-way
// head named PRETRAINED_HEAD on its fc7 features): every layer with weights except the logit gets
// the pretrained layer of the same name. In an ensemble each member starts from the same weights
// (members differ in their logit's seed and their data order).
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '@cvc/core/backend';
import { checkJson } from '@cvc/core';
import type { Normalization } from '@cvc/artifacts/model-files';
import { pretrainedModelMetadata, type PretrainedModelMetadata } from '@cvc/artifacts/pretrained-model';
import { architecture, type ArchitectureOptions } from './architecture.ts';
import { loadModel, saveModel } from './saved-model.ts';

/** Name of the pretrained model's 10-way classification layer (not transferred). */
export const PRETRAINED_HEAD = 'pretrain_logits';

export interface PretrainedModel {
  model: tfTypes.LayersModel;
  /** Where it was read from, for error messages. */
  dir: string;
  architecture: ArchitectureOptions;
  normalization: Normalization;
}

const memberPrefix = /^m\d+_/;
const isLogit = (name: string) => name === 'logit' || /^m\d+_logit$/.test(name);

/** Check that `model` (built from `architecture` on data normalised with `norm`) can start from `pretrained`; throws naming the field. */
export function checkPretrainedFits(pretrained: PretrainedModel, architecture: ArchitectureOptions, norm: Normalization): void {
  const want = JSON.stringify(architecture);
  const have = JSON.stringify(pretrained.architecture);
  if (want !== have) throw new Error(`${pretrained.dir}/metadata.json: architecture ${have} differs from the classifier's ${want}; give the pretrain stage the same architecture`);
  const close = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]!) < 1e-6);
  if (!close(pretrained.normalization.mean, norm.mean) || !close(pretrained.normalization.std, norm.std)) {
    throw new Error(`${pretrained.dir}/metadata.json: normalization differs from the dataset's (pretrained on other statistics); rerun the pretrain stage`);
  }
}

/** Copy the pretrained weights into every member of `model`; returns how many layers were set. */
export function initFromPretrained(model: tfTypes.LayersModel, pretrained: PretrainedModel): number {
  let copied = 0;
  for (const layer of model.layers) {
    const own = layer.getWeights();
    if (own.length === 0 || isLogit(layer.name)) continue;
    const base = layer.name.replace(memberPrefix, '');
    let source: tfTypes.layers.Layer;
    try {
      source = pretrained.model.getLayer(base);
    } catch {
      throw new Error(`${pretrained.dir}: the pretrained model has no layer "${base}" (for ${layer.name})`);
    }
    const weights = source.getWeights();
    const shapes = (ws: tfTypes.Tensor[]) => ws.map((w) => w.shape.join('x')).join(', ');
    if (shapes(weights) !== shapes(own)) throw new Error(`${pretrained.dir}: layer "${base}" has weights [${shapes(weights)}], ${layer.name} needs [${shapes(own)}]`);
    // Fresh buffers (not clones, which share data): the in-place optimiser may then update them.
    const copies = weights.map((w) => tf.tensor(Float32Array.from(w.dataSync() as Float32Array), w.shape));
    layer.setWeights(copies);
    copies.forEach((t) => t.dispose());
    copied++;
  }
  return copied;
}

/** The pretrain stage's saved model and the metadata the classifier checks (errors name the file and field). */
export async function readPretrained(dir: string): Promise<PretrainedModel> {
  const { model, metadata } = await loadModel(dir, pretrainedModelMetadata);
  const arch = checkJson(`${dir}/metadata.json (architecture)`, architecture, metadata.architecture);
  return { model, dir, architecture: arch, normalization: metadata.normalization };
}

/** Save the pretraining network with its metadata (checked against the artifact's schema first). */
export function savePretrained(model: tfTypes.LayersModel, dir: string, metadata: Omit<PretrainedModelMetadata, 'parameterCount' | 'layers'>): Promise<void> {
  return saveModel(model, dir, pretrainedModelMetadata, metadata);
}
