// embedder on a tiny dataset and a tiny classifier saved like the real one: the artifact it writes,
// that rows are the model's own activations, byte-identical reruns, and errors naming the culprit.
import { beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { hashTree, writeJsonAtomic } from '@cvc/core';
import { saveClassifierModel } from '@cvc/vision/classifier-model';
import { tinyMetadata } from '@cvc/vision/testing';
import { runStage } from '@cvc/core/runner';
import { readEmbeddingIndex, readEmbeddings } from '@cvc/artifacts/embeddings';
import { TINY_NORMALIZATION, embedderWorkspace, writeTinyClassifierModels, writeTinyDataset } from '../testing/fixtures.ts';

const quiet = () => {};

describe('embedder stage', () => {
  let ws: { root: string; pipelineFile: string };
  let model: tf.LayersModel;

  beforeAll(async () => {
    ws = embedderWorkspace('cvc-embedder-', 42, '{ layers: [fc7, pooled], batchSize: 5 }');
    const dataset = writeTinyDataset(join(ws.root, 'artifacts', 'data-prep', 'dataset'), 6);
    model = await writeTinyClassifierModels(join(ws.root, 'artifacts', 'classifier', 'models'));
    // OOF predictions: "tiny" right on 10 of 12 images, "flat" (a model without 'pooled') on all.
    writeJsonAtomic(join(ws.root, 'artifacts', 'classifier', 'oof-predictions.json'), {
      images: dataset.manifest.labels.map((label, index) => ({ index, label, fold: index % 2, pCrocodile: { tiny: index < 2 ? 1 - label : label, flat: label } })),
    });
    await runStage({ pipelineFile: ws.pipelineFile, stage: 'embedder', log: quiet });
  });

  it('writes one float-tensor per layer, rows in dataset order, equal to the model activations', async () => {
    const dir = join(ws.root, 'artifacts', 'embedder', 'embeddings');
    const index = readEmbeddingIndex(dir);
    expect(index.model).toBe('tiny');
    expect(index.variant).toBe('full');
    expect(index.selection).toBe('best.json');
    expect(index.layers).toEqual([{ name: 'fc7', dim: 6 }, { name: 'pooled', dim: 4 }]);
    const fc7 = readEmbeddings(dir, 'fc7');
    expect([fc7.rows, fc7.dim]).toEqual([12, 6]);
    expect(fc7.manifest.files[7]).toBe('crocodile/crocodile.1.png');
    expect(fc7.manifest.labels[7]).toBe(1);

    // Row 7 (second batch, batch size 5) equals fc7 of image 7 computed directly.
    await tf.setBackend('cpu');
    const { readImageDataset } = await import('@cvc/core');
    const ds = readImageDataset(join(ws.root, 'artifacts', 'data-prep', 'dataset'));
    const probe = tf.model({ inputs: model.inputs, outputs: model.getLayer('fc7').output as tf.SymbolicTensor });
    const x = tf.tensor4d(Float32Array.from(ds.images.subarray(7 * 3072, 8 * 3072)), [1, 32, 32, 3])
      .div(255).sub(tf.tensor1d(TINY_NORMALIZATION.mean)).div(tf.tensor1d(TINY_NORMALIZATION.std));
    const expected = Array.from((probe.predict(x) as tf.Tensor).dataSync());
    const row = Array.from(fc7.data.subarray(7 * 6, 8 * 6));
    row.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));
    // The images differ, so the rows do.
    expect(Array.from(fc7.data.subarray(0, 6))).not.toEqual(row);
  });

  it('gives byte-identical artifacts when run again', async () => {
    const dir = join(ws.root, 'artifacts', 'embedder');
    const before = hashTree(dir);
    await runStage({ pipelineFile: ws.pipelineFile, stage: 'embedder', log: quiet });
    expect(hashTree(dir)).toEqual(before);
  });

  it('falls back from a best model without a requested layer to the most accurate model that has it', async () => {
    const modelsDir = join(ws.root, 'artifacts', 'classifier', 'models');
    const flat = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [32, 32, 3] }), tf.layers.dense({ units: 3, name: 'fc7' }), tf.layers.dense({ units: 1, name: 'logit' }), tf.layers.activation({ activation: 'sigmoid', name: 'probability' })] });
    await saveClassifierModel(flat, join(modelsDir, 'flat', 'full'), tinyMetadata('flat'));
    writeJsonAtomic(join(modelsDir, 'best.json'), { model: 'flat', folds: 2 });
    try {
      await runStage({ pipelineFile: ws.pipelineFile, stage: 'embedder', log: quiet });
      const index = readEmbeddingIndex(join(ws.root, 'artifacts', 'embedder', 'embeddings'));
      expect(index.model).toBe('tiny');
      expect(index.selection).toBe(`best.json's "flat" has no layer pooled; "tiny" has the highest out-of-fold accuracy (0.833) of the models that have [fc7, pooled]`);
      // With only fc7 asked for, best.json's model is used.
      await runStage({ pipelineFile: ws.pipelineFile, stage: 'embedder', set: { layers: ['fc7'] }, log: quiet });
      expect(readEmbeddingIndex(join(ws.root, 'artifacts', 'embedder', 'embeddings')).model).toBe('flat');
    } finally {
      writeJsonAtomic(join(modelsDir, 'best.json'), { model: 'tiny', folds: 2 });
    }
  });

  it('names a missing layer, a missing model and bad metadata', async () => {
    await expect(runStage({ pipelineFile: ws.pipelineFile, stage: 'embedder', set: { layers: ['fc7', 'conv9'] }, log: quiet })).rejects.toThrow(
      /models: no model has every layer of \[fc7, conv9\] \(best.json's "tiny" lacks conv9\)/,
    );
    await expect(runStage({ pipelineFile: ws.pipelineFile, stage: 'embedder', set: { model: 'tiny', layers: ['conv9'] }, log: quiet })).rejects.toThrow(
      /tiny\/full: model has no layer "conv9" \(layers: image, conv1, pooled, fc7, logit, probability\)/,
    );
    await expect(runStage({ pipelineFile: ws.pipelineFile, stage: 'embedder', set: { model: 'resnet' }, log: quiet })).rejects.toThrow(
      /models\/resnet\/full\/model\.json: no such model/,
    );
    const metadataFile = join(ws.root, 'artifacts', 'classifier', 'models', 'tiny', 'full', 'metadata.json');
    writeFileSync(metadataFile, JSON.stringify({ classes: ['clock', 'crocodile'], normalization: { mean: [0.5, 0.5] } }));
    const run = runStage({ pipelineFile: ws.pipelineFile, stage: 'embedder', log: quiet });
    await expect(run).rejects.toThrow(`${metadataFile}: `);
    await expect(run).rejects.toThrow(/\(root\)\.normalization\.mean: /);
  });
});
