import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readFloatTensor, writeFloatTensor } from './float-tensor.ts';
import { loadLayersModel, saveLayersModel } from './tfjs-model.ts';
import { tempDir } from '../../testing/fixtures.ts';

describe('float-tensor', () => {
  it('round-trips data, shape and row descriptions, and rejects a tampered file by name', () => {
    const dir = join(tempDir(), 'emb');
    const data = Float32Array.from({ length: 12 }, (_, i) => i / 3);
    writeFloatTensor(dir, data, [3, 4], { rows: ['a', 'b', 'c'] });
    const back = readFloatTensor<{ format: 'float-tensor'; shape: number[]; dtype: 'float32'; sha256: string; rows: string[] }>(dir);
    expect(Array.from(back.data)).toEqual(Array.from(data));
    expect(back.manifest.rows).toEqual(['a', 'b', 'c']);
    expect(() => writeFloatTensor(dir, data, [5, 4])).toThrow('12 values do not fill shape [5,4]');
    writeFileSync(join(dir, 'data.f32'), Buffer.alloc(48));
    expect(() => readFloatTensor(dir)).toThrow(`${join(dir, 'data.f32')}: sha256 does not match`);
  });
});

describe('tfjs-model', () => {
  it('saves and loads a layers model with identical predictions on any backend', async () => {
    await tf.setBackend('cpu');
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [3], units: 4, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }), tf.layers.dense({ units: 1 })],
    });
    const dir = join(tempDir(), 'model');
    await saveLayersModel(tf, model, dir, { classes: ['clock', 'crocodile'] });
    const { model: loaded, metadata } = await loadLayersModel(tf, dir);
    const x = tf.tensor2d([[0.1, -0.2, 0.3], [1, 2, 3]]);
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(x) as tf.Tensor).dataSync()));
    expect(metadata).toEqual({ classes: ['clock', 'crocodile'] });
    await expect(loadLayersModel(tf, join(dir, 'nope'))).rejects.toThrow(`${join(dir, 'nope', 'model.json')}: model file not found`);
  });
});
