// Saved models are portable: a resnet (FastBatchNorm inside) loads with plain tf.loadLayersModel in
// a process that never registered our layer, and predicts exactly what the trained model does.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { initCompute, tf } from '@cvc/core/backend';
import { tempDir } from '@cvc/core/testing';
import { buildModel } from './models.ts';
import { loadClassifierModel, saveClassifierModel } from './classifier-model.ts';
import { describeModel } from './saved-model.ts';
import { tinyMetadata } from '../testing/tiny-classifier.ts';

// Runs in a fresh Node process with only @tensorflow/tfjs: reads model.json + weights.bin and prints the logits of fixed inputs.
const PLAIN_LOADER = `
const tf = require('@tensorflow/tfjs');
const { readFileSync } = require('node:fs');
const dir = process.argv[1];
(async () => {
  await tf.setBackend('cpu');
  const json = JSON.parse(readFileSync(dir + '/model.json', 'utf8'));
  const bin = readFileSync(dir + '/weights.bin');
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) }));
  const x = tf.tensor4d(Float32Array.from({ length: 2 * 32 * 32 * 3 }, (_, i) => Math.sin(i)), [2, 32, 32, 3]);
  process.stdout.write(JSON.stringify({ classes: model.layers.map((l) => l.getClassName()), p: Array.from(model.predict(x).dataSync()) }));
})();`;

describe('saved models', () => {
  beforeAll(async () => {
    await initCompute(() => {});
  });

  it('load in a plain TF.js process (standard BatchNormalization) with the same predictions, and describe themselves', async () => {
    const model = buildModel({ kind: 'resnet', widths: [4, 8], blocksPerStage: 1, dense: 6, dropout: 0, stemPool: true }, 5);
    // Non-trivial batch-norm statistics, as after training.
    for (const layer of model.layers.filter((l) => l.getClassName() === 'FastBatchNorm')) {
      layer.setWeights(layer.getWeights().map((w, i) => tf.add(w, tf.mul(tf.sin(tf.range(0, w.size).reshape(w.shape)), 0.1 * (i + 1)))));
    }
    const dir = join(tempDir('cvc-saved-model-'), 'model');
    await saveClassifierModel(model, dir, tinyMetadata('resnet'));
    const x = tf.tensor4d(Float32Array.from({ length: 2 * 32 * 32 * 3 }, (_, i) => Math.sin(i)), [2, 32, 32, 3]);
    const expected = Array.from((model.predict(x) as tf.Tensor).dataSync());

    const plain = await execa('node', ['-e', PLAIN_LOADER, dir], { cwd: process.cwd() });
    const out = JSON.parse(plain.stdout) as { classes: string[]; p: number[] };
    expect(out.classes).toContain('BatchNormalization');
    expect(out.classes).not.toContain('FastBatchNorm');
    expect(out.p).toEqual(expected);

    const loaded = await loadClassifierModel(dir);
    expect(Array.from((loaded.model.predict(x) as tf.Tensor).dataSync())).toEqual(expected);
    const metadata = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8')) as { parameterCount: number; layers: { name: string; className: string; parameters: number }[] };
    expect(metadata.parameterCount).toBe(model.weights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0));
    expect(metadata.layers.find((l) => l.name === 'stem_bn')).toEqual({ name: 'stem_bn', className: 'BatchNormalization', outputShape: [32, 32, 4], parameters: 16 });
    // One line per layer of the portable model (fused batch-norm activations as their LeakyReLU layers).
    expect(describeModel(model).layers.map((l) => l.name)).toEqual(loaded.model.layers.map((l) => l.name));
    expect(metadata.layers.find((l) => l.name === 'stem_act')).toEqual({ name: 'stem_act', className: 'LeakyReLU', outputShape: [32, 32, 4], parameters: 0 });
  });

  it('refuse metadata that breaks its schema before writing anything, naming the field', async () => {
    const model = buildModel({ kind: 'cnn', filters: [2, 2, 2, 2, 2], dense: 4, dropout: 0 }, 1);
    const dir = join(tempDir('cvc-saved-model-'), 'model');
    await expect(saveClassifierModel(model, dir, { ...tinyMetadata('cnn'), temperature: -1 })).rejects.toThrow(`${join(dir, 'metadata.json')}: (root).temperature: `);
    expect(() => readFileSync(join(dir, 'model.json'))).toThrow();
  });
});
