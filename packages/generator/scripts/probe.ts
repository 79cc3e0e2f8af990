// Probe a model on the prepared dataset (not part of the stage): trains N steps, prints s/step,
// writes a class-sample grid and the within-class diversity at checkpoints.
// CVC_THREADS=1 nice -n 5 npx tsx packages/generator/scripts/probe.ts gan 600 150 '{"dSteps":1}'
import { mkdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createRng, readImageDataset } from '@cvc/core';
import { initCompute, tf } from '@cvc/core/backend';
import { enableKernelProfiling, kernelProfileTable, profilingRequested } from '@cvc/compute';
import { generatorParams } from '../src/params.ts';
import { createModel } from '../src/models.ts';
import { writeGrid } from '../src/figures.ts';
import { imageAt, sampleAtMix } from '../src/sample.ts';
import { pixelDiversity } from '../src/diversity.ts';

const [kind = 'gan', stepsArg = '300', everyArg = '100', overrides = '{}', outArg = '/tmp/probe'] = process.argv.slice(2);
await initCompute();
if (profilingRequested()) enableKernelProfiling(tf, tf.getBackend());
const params = generatorParams.parse({});
const config = { ...(params as Record<string, object>)[kind], ...JSON.parse(overrides) };
console.log(kind, JSON.stringify(config));
const dataset = readImageDataset('artifacts/data-prep/dataset');
const trainIdx = dataset.manifest.splits.train;
const P = 32 * 32 * 3;
const pixels = new Float32Array(trainIdx.length * P);
trainIdx.forEach((i, k) => pixels.set(Float32Array.from(imageAt(dataset.images, i), (v) => v / 255), k * P));
const labels = trainIdx.map((i) => dataset.manifest.labels[i]!);
const realBytes = new Uint8Array(trainIdx.length * P);
trainIdx.forEach((i, k) => realBytes.set(imageAt(dataset.images, i), k * P));
const real = (c: number) => { const idx = labels.flatMap((l, k) => (l === c ? [k] : [])); const out = new Uint8Array(idx.length * P); idx.forEach((k, j) => out.set(realBytes.subarray(k * P, (k + 1) * P), j * P)); return out; };
console.log(`real diversity clock ${pixelDiversity(real(0)).toFixed(4)} crocodile ${pixelDiversity(real(1)).toFixed(4)}`);
const model = createModel(tf, kind as 'gan', config, createRng(1));
mkdirSync(outArg, { recursive: true });
const rng = createRng(2);
const steps = Number(stepsArg), every = Number(everyArg), bs = 64;
let t0 = performance.now();
let order: number[] = [];
for (let s = 1; s <= steps; s++) {
  if (order.length < bs) order = Array.from({ length: labels.length }, (_, i) => i).sort(() => rng.next() - 0.5);
  const idx = order.splice(0, bs);
  const xs = new Float32Array(bs * P);
  idx.forEach((i, k) => xs.set(pixels.subarray(i * P, (i + 1) * P), k * P));
  const x = tf.tensor4d(xs, [bs, 32, 32, 3]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(idx.map((i) => labels[i]!), 'int32'), 2).toFloat() as tf.Tensor2D);
  const losses = model.step({ x, y }, rng);
  tf.dispose([x, y]);
  if (process.env['PROBE_NOSAMPLE'] === '1' && (s % every === 0 || s === steps)) {
    console.log(`step ${s}: ${((performance.now() - t0) / 1000 / every).toFixed(3)} s/step ${JSON.stringify(losses)}`);
    if (profilingRequested()) console.log(kernelProfileTable());
    t0 = performance.now();
  } else if (s % every === 0 || s === steps) {
    const dt = (performance.now() - t0) / 1000;
    const clock = sampleAtMix(tf, model, 64, 0, createRng(7));
    const croc = sampleAtMix(tf, model, 64, 1, createRng(7));
    const mix = sampleAtMix(tf, model, 16, 0.5, createRng(7));
    await writeGrid(`${outArg}/step-${s}.png`, new Uint8Array([...clock.subarray(0, 16 * P), ...croc.subarray(0, 16 * P), ...mix]), 8);
    console.log(`step ${s}: ${(dt / every).toFixed(3)} s/step ${JSON.stringify(losses)} diversity clock ${pixelDiversity(clock).toFixed(4)} crocodile ${pixelDiversity(croc).toFixed(4)} tensors ${tf.memory().numTensors}`);
    if (profilingRequested()) console.log(kernelProfileTable());
    t0 = performance.now();
  }
}
