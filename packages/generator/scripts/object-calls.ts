// What the 12-way object judge calls each PNG in a directory (a probe aid, not part of the stage):
// CVC_THREADS=1 npx tsx packages/generator/scripts/object-calls.ts <dir of 32x32 PNGs> [object judge model dir]
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type * as tfTypes from '@tensorflow/tfjs';
import { initCompute, tf } from '@cvc/core/backend';
import { loadLayersModel } from '@cvc/core/formats/tfjs-model';

await initCompute();
const [dir, judgeDir = 'artifacts/object-judge/model'] = process.argv.slice(2);
if (!dir) throw new Error('usage: object-calls.ts <dir of PNGs> [object judge model dir]');
const { model, metadata } = await loadLayersModel<{ normalization: { mean: number[]; std: number[] }; classes: string[] }>(tf, judgeDir);
const files = readdirSync(dir).filter((f) => f.endsWith('.png')).sort();
const pixels = new Float32Array(files.length * 3072);
for (const [i, f] of files.entries()) pixels.set(Float32Array.from(await sharp(join(dir, f)).removeAlpha().raw().toBuffer()), i * 3072);
const probs = tf.tidy(() => {
  const x = tf.div(tf.sub(tf.div(tf.tensor4d(pixels, [files.length, 32, 32, 3]), 255), tf.tensor1d(metadata.normalization.mean)), tf.tensor1d(metadata.normalization.std));
  return tf.softmax(model.predict(x) as tfTypes.Tensor2D).arraySync() as number[][];
});
const counts = new Map<string, number>();
for (const p of probs) { const c = metadata.classes[p.indexOf(Math.max(...p))]!; counts.set(c, (counts.get(c) ?? 0) + 1); }
console.log(`${files.length} images in ${dir}: ` + [...counts].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', '));
