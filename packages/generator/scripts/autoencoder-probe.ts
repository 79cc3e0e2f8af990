// Probe the autoencoder generator (src/autoencoder.ts; not part of the stage): trains N steps on the
// prepared data and at checkpoints fits the ex-post density, writes a grid (real | reconstruction
// rows, clock samples, crocodile samples, and one row per hybrid method) and dumps sample sets
// (uint8 .u8 files) for scripts/judge-samples.ts.
// CVC_THREADS=1 nice -n 10 npx tsx packages/generator/scripts/autoencoder-probe.ts 2000 250 '{}' /tmp/gen/F
// env: PROBE_TRUNK (tfjs resnet dir), PROBE_PRETRAINED=1 (PROBE_TRUNK is a pretrain stage model, as the stage reads it), PROBE_N (samples per set, default 128), PROBE_RESUME (weights dir), PROBE_SAVE
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createRng, readImageDataset, shuffled } from '@cvc/core';
import { initCompute, tf } from '@cvc/core/backend';
import { loadLayersModel } from '@cvc/core/formats/tfjs-model';
import '@cvc/vision'; // registers the batch-norm layer class a saved trunk may use
import { createAutoencoder, type AutoencoderConfig } from '../src/autoencoder.ts';
import { boundaryHybridCodes, fitLinearBoundary } from '../src/latent-boundary.ts';
import { writeGrid } from '../src/figures.ts';
import { imageAt, toBytes } from '../src/sample.ts';
import { pixelDiversity } from '../src/diversity.ts';
import { mixLabels, normalLatents } from '../src/model.ts';
import { loadStores, saveStores } from '../src/weights.ts';
import { createFeatureTrunk, loadFeatureTrunk, resnetWeightsOf, type ResnetArchitecture } from '../src/feature-trunk.ts';

const [stepsArg = '2000', everyArg = '250', overrides = '{}', outDir = '/tmp/gen/F'] = process.argv.slice(2);
await initCompute();
const env = process.env;
const cfg: AutoencoderConfig & { batchSize: number } = {
  codeDim: 128, embedDim: 32, encoderWidths: [32, 64, 128], decoderWidths: [128, 64, 32, 16], perceptualWeight: 1, codePenalty: 0.001,
  learningRate: 0.0005, beta1: 0.9, beta2: 0.99, flip: true, shrinkage: 0.1, hybrid: 'boundary', batchSize: 32, ...JSON.parse(overrides),
};
console.log(JSON.stringify(cfg));
const trunkDir = env['PROBE_TRUNK'] ?? '/tmp/gen/own-trunk';
// PROBE_PRETRAINED=1: the trunk folder is a pretrain stage model (what the stage reads as pretrained_model).
async function readTrunk() {
  if (env['PROBE_PRETRAINED'] === '1') return (await loadFeatureTrunk(tf, trunkDir)).trunk;
  const { model: tm, metadata } = await loadLayersModel<{ architecture: ResnetArchitecture; normalization: { mean: number[]; std: number[] } }>(tf, trunkDir);
  const own = createFeatureTrunk(tf, resnetWeightsOf(tm, metadata.architecture, metadata.normalization, trunkDir));
  tm.dispose();
  return own;
}
const trunk = await readTrunk();

const P = 32 * 32 * 3;
const dataset = readImageDataset('artifacts/data-prep/dataset');
const trainIdx = dataset.manifest.splits.train;
const pixels = new Float32Array(trainIdx.length * P);
trainIdx.forEach((i, k) => pixels.set(Float32Array.from(imageAt(dataset.images, i), (v) => v / 255), k * P));
const labels = trainIdx.map((i) => dataset.manifest.labels[i]!);

const model = createAutoencoder(tf, cfg, createRng(1), trunk);
if (env['PROBE_RESUME']) loadStores(tf, env['PROBE_RESUME'], 'weights', model.stores);
mkdirSync(outDir, { recursive: true });

async function sample(step: number): Promise<void> {
  model.fitDensity(pixels, labels);
  const n = Number(env['PROBE_N'] ?? 128);
  const d = model.codeDim;
  const z = normalLatents(tf, n, 2 * d, createRng(7));
  const bytes = (t: tf.Tensor4D) => { const b = toBytes(t); t.dispose(); return b; };
  const at = (m: number) => bytes(model.decode(z, mixLabels(tf, Array(n).fill(m))));
  const clock = at(0), croc = at(1), mean = at(0.5);
  const codeClock = model.classCodes(0, tf.slice(z, [0, 0], [n, d]) as tf.Tensor2D);
  const codeCroc = model.classCodes(1, tf.slice(z, [0, d], [n, d]) as tf.Tensor2D);
  const yClock = mixLabels(tf, Array(n).fill(0)), yCroc = mixLabels(tf, Array(n).fill(1));
  const clockLayout = bytes(model.decodeCodes([codeClock, codeClock, codeCroc, codeCroc], [yClock, yClock, yCroc, yCroc]));
  const crocLayout = bytes(model.decodeCodes([codeCroc, codeCroc, codeClock, codeClock], [yCroc, yCroc, yClock, yClock]));
  // The point on the segment clock code → crocodile code where a linear classifier of the training codes is undecided.
  const trainCodes = model.encodeImages(tf.tensor4d(pixels, [labels.length, 32, 32, 3]));
  const boundary = fitLinearBoundary(trainCodes.dataSync() as Float32Array, labels, d, cfg.shrinkage);
  const { codes: bCodes, mixes } = boundaryHybridCodes(boundary, codeClock.dataSync() as Float32Array, codeCroc.dataSync() as Float32Array, d, [0.2, 0.8]);
  const yB = mixLabels(tf, mixes);
  const bCodeT = tf.tensor2d(bCodes, [n, d]);
  const onBoundary = bytes(model.decodeCodes([bCodeT], [yB]));
  tf.dispose([z, codeClock, codeCroc, yClock, yCroc, trainCodes, yB, bCodeT]);
  const show = [...labels.flatMap((l, i) => (l === 0 ? [i] : [])).slice(0, 8), ...labels.flatMap((l, i) => (l === 1 ? [i] : [])).slice(0, 8)];
  const real = new Uint8Array(16 * P);
  show.forEach((i, k) => real.set(Uint8Array.from(pixels.subarray(i * P, (i + 1) * P), (v) => Math.round(v * 255)), k * P));
  const recon = tf.tidy(() => {
    const x = tf.tensor4d(Float32Array.from(real, (v) => v / 255), [16, 32, 32, 3]);
    return toBytes(model.decodeCodes([model.encodeImages(x)], [mixLabels(tf, show.map((i) => labels[i]!))]));
  });
  const rows = (a: Uint8Array, k: number) => a.subarray(0, k * 8 * P);
  await writeGrid(`${outDir}/step-${step}.png`, new Uint8Array([
    ...real.subarray(0, 8 * P), ...recon.subarray(0, 8 * P), ...real.subarray(8 * P), ...recon.subarray(8 * P),
    ...rows(clock, 2), ...rows(croc, 2), ...rows(mean, 1), ...rows(onBoundary, 1), ...rows(clockLayout, 1), ...rows(crocLayout, 1),
  ]), 8);
  const dump = `${outDir}/sets-${step}`;
  mkdirSync(dump, { recursive: true });
  for (const [name, set] of Object.entries({ clock, crocodile: croc, 'hybrid-mean': mean, 'hybrid-boundary': onBoundary, 'hybrid-clock-layout': clockLayout, 'hybrid-crocodile-layout': crocLayout })) writeFileSync(`${dump}/${name}.u8`, set);
  const sortedMixes = [...mixes].sort((a, b) => a - b);
  console.log(`  diversity clock ${pixelDiversity(clock).toFixed(3)} crocodile ${pixelDiversity(croc).toFixed(3)}; boundary mixes median ${sortedMixes[n >> 1]!.toFixed(2)} (train-code boundary accuracy ${boundary.accuracy.toFixed(3)})`);
  if (env['PROBE_SAVE']) saveStores(env['PROBE_SAVE'], 'weights', model.stores);
}

const rng = createRng(2);
const steps = Number(stepsArg), every = Number(everyArg), bs = cfg.batchSize;
if (steps === 0) await sample(0);
let order: number[] = [];
let t0 = performance.now(), c0 = process.cpuUsage();
const sums: Record<string, number> = {};
for (let s = 1; s <= steps; s++) {
  if (order.length < bs) order = shuffled(Array.from({ length: labels.length }, (_, i) => i), rng);
  const idx = order.splice(0, bs);
  const xs = new Float32Array(bs * P);
  idx.forEach((i, k) => xs.set(pixels.subarray(i * P, (i + 1) * P), k * P));
  const x = tf.tensor4d(xs, [bs, 32, 32, 3]);
  const y = mixLabels(tf, idx.map((i) => labels[i]!));
  const losses = model.step({ x, y }, rng);
  tf.dispose([x, y]);
  for (const [k, v] of Object.entries(losses)) sums[k] = (sums[k] ?? 0) + v / every;
  if (s % every === 0 || s === steps) {
    const cpu = process.cpuUsage(c0);
    console.log(`step ${s}: ${((performance.now() - t0) / 1000 / every).toFixed(3)} s/step wall, ${((cpu.user + cpu.system) / 1e6 / every).toFixed(3)} s/step CPU ${Object.entries(sums).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(' ')} tensors ${tf.memory().numTensors}`);
    for (const k of Object.keys(sums)) sums[k] = 0;
    await sample(s);
    t0 = performance.now(); c0 = process.cpuUsage();
  }
}
