// Probe a regularised autoencoder with an ex-post latent density (Ghosh et al. 2020, "From variational
// to deterministic autoencoders"): encoder → z (no sampling), conditional decoder (class embedding +
// z, pixel norm + FiLM, as the projected GAN's generator), loss = L1 pixels + a perceptual term on a
// frozen CIFAR-10 resnet's features + λ‖z‖². New images: z drawn from a per-class Gaussian fitted to
// the training images' codes; hybrids: the mean of a clock code and a crocodile code, label (½, ½).
// CVC_THREADS=1 nice -n 10 npx tsx packages/generator/scripts/rae-probe.ts 2000 250 '{}' /tmp/gen/E
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type * as tfTypes from '@tensorflow/tfjs';
import { createRng, readImageDataset, shuffled, type Rng } from '@cvc/core';
import { initCompute, tf } from '@cvc/core/backend';
import { loadLayersModel } from '@cvc/core/formats/tfjs-model';
import { fastAdam } from '@cvc/compute';
import '@cvc/vision'; // registers the batch-norm layer class the saved trunk uses
import { writeGrid } from '../src/figures.ts';
import { imageAt, toBytes } from '../src/sample.ts';
import { pixelDiversity } from '../src/diversity.ts';
import { addConv, addConvTranspose, addDense, conv, convTranspose, dense, pixelNorm } from '../src/layers.ts';
import { spread } from '../src/native-ops.ts';
import { WeightStore, loadStores, saveStores } from '../src/weights.ts';
import { createFeatureTrunk, resnetWeightsOf, type ResnetArchitecture } from '../src/feature-trunk.ts';

type T4 = tfTypes.Tensor4D;
type T2 = tfTypes.Tensor2D;
const [stepsArg = '2000', everyArg = '250', overrides = '{}', outDir = '/tmp/gen/E'] = process.argv.slice(2);
await initCompute();
const cfg = { latent: 128, embed: 32, widths: [128, 64, 32, 16], enc: [32, 64, 128], perceptual: 1, zPenalty: 0.001, lr: 0.0005, batch: 32, flip: true, ...JSON.parse(overrides) };
console.log(JSON.stringify(cfg));
const trunkDir = process.env['PROBE_TRUNK'] ?? '/tmp/gen/own-trunk';
const { model: tm, metadata } = await loadLayersModel<{ architecture: ResnetArchitecture; normalization: { mean: number[]; std: number[] } }>(tf, trunkDir);
const trunk = createFeatureTrunk(tf, resnetWeightsOf(tm, metadata.architecture, metadata.normalization, trunkDir));

const rng = createRng(1);
const w = new WeightStore(tf, 'rae');
const [w0, w1, w2, w3] = cfg.widths as number[];
const [e0, e1, e2] = cfg.enc as number[];
addConv(w, 'enc0', 3, e0!, rng); // 4x4 stride 2 → 16x16
addConv(w, 'enc1', e0!, e1!, rng); // → 8x8
addConv(w, 'enc2', e1!, e2!, rng); // → 4x4
addDense(w, 'encz', 16 * e2!, cfg.latent, rng, 1);
w.add('embed', [2, cfg.embed], rng, 1);
w.add('fc/z', [cfg.latent, 16 * w0!], rng, Math.sqrt(1 / cfg.latent));
w.add('fc/e', [cfg.embed, 16 * w0!], rng, Math.sqrt(1 / cfg.embed));
w.add('fc/bias', [16 * w0!], rng, 0);
const widths = [w0!, w1!, w2!, w3!];
const films: [string, number][] = [['film0', w0!]];
for (let l = 1; l < 4; l++) films.push([`film${l}a`, widths[l]!], [`film${l}b`, widths[l]!]);
for (const [name, c] of films) {
  w.add(`${name}/gain`, [cfg.embed, c], rng, 0);
  w.add(`${name}/bias`, [cfg.embed, c], rng, 0);
}
for (let l = 1; l < 4; l++) {
  addConvTranspose(w, `up${l}`, widths[l - 1]!, widths[l]!, rng);
  addConv(w, `conv${l}`, widths[l]!, widths[l]!, rng, 3);
}
addConv(w, 'rgb', w3!, 3, rng, 3);
const opt = fastAdam(tf, cfg.lr, 0.9, 0.99);

const lrelu = (t: tfTypes.Tensor) => tf.leakyRelu(t, 0.2) as T4;
const encode = (x: T4): T2 => {
  const n = x.shape[0];
  let t = lrelu(conv(tf, x, w.get('enc0/kernel'), w.get('enc0/bias'), 2));
  t = lrelu(conv(tf, t, w.get('enc1/kernel'), w.get('enc1/bias'), 2));
  t = lrelu(conv(tf, t, w.get('enc2/kernel'), w.get('enc2/bias'), 2));
  return dense(tf, t.reshape([n, -1]) as T2, w.get('encz/kernel'), w.get('encz/bias'));
};
const film = (name: string, x: T4, e: T2): T4 => {
  const [, h, wd] = x.shape;
  const gain = tf.add(tf.matMul(e, w.get(`${name}/gain`)), 1) as T2;
  const bias = tf.matMul(e, w.get(`${name}/bias`)) as T2;
  return lrelu(tf.add(tf.mul(pixelNorm(tf, x), spread(tf, gain, h, wd)), spread(tf, bias, h, wd)));
};
/** z [n, latent], y [n, 2] → [n, 32, 32, 3] in [-1, 1]. */
const decode = (z: T2, y: T2): T4 => {
  const n = z.shape[0];
  const e = tf.matMul(y, w.get('embed')) as T2;
  let t = tf.add(tf.add(tf.matMul(z, w.get('fc/z')), tf.matMul(e, w.get('fc/e'))), w.get('fc/bias')).reshape([n, 4, 4, w0!]) as T4;
  t = film('film0', t, e);
  for (let l = 1; l < 4; l++) {
    t = film(`film${l}a`, convTranspose(tf, w, `up${l}`, t), e);
    t = film(`film${l}b`, conv(tf, t, w.get(`conv${l}/kernel`), w.get(`conv${l}/bias`), 1), e);
  }
  return tf.sub(tf.mul(tf.sigmoid(tf.mul(conv(tf, t, w.get('rgb/kernel'), w.get('rgb/bias'), 1), 2)), 2), 1) as T4;
};

const P = 32 * 32 * 3;
const dataset = readImageDataset('artifacts/data-prep/dataset');
const trainIdx = dataset.manifest.splits.train;
const pixels = new Float32Array(trainIdx.length * P);
trainIdx.forEach((i, k) => pixels.set(Float32Array.from(imageAt(dataset.images, i), (v) => v / 127.5 - 1), k * P));
const labels = trainIdx.map((i) => dataset.manifest.labels[i]!);

function batchOf(idx: number[], r: Rng | undefined): { x: T4; y: T2 } {
  const xs = new Float32Array(idx.length * P);
  idx.forEach((i, k) => {
    const src = pixels.subarray(i * P, (i + 1) * P);
    if (r && cfg.flip && r.next() < 0.5) {
      for (let a = 0; a < 32; a++) for (let b = 0; b < 32; b++) for (let c = 0; c < 3; c++) xs[k * P + (a * 32 + b) * 3 + c] = src[(a * 32 + 31 - b) * 3 + c]!;
    } else xs.set(src, k * P);
  });
  return { x: tf.tensor4d(xs, [idx.length, 32, 32, 3]), y: tf.oneHot(tf.tensor1d(idx.map((i) => labels[i]!), 'int32'), 2).toFloat() as T2 };
}

/** Codes of every training image (no flip): [n, latent]. */
function allCodes(): Float32Array {
  const out = new Float32Array(labels.length * cfg.latent);
  for (let s = 0; s < labels.length; s += 120) {
    const idx = Array.from({ length: Math.min(120, labels.length - s) }, (_, k) => s + k);
    const codes = tf.tidy(() => encode(batchOf(idx, undefined).x).dataSync() as Float32Array);
    out.set(codes, s * cfg.latent);
  }
  return out;
}

/** Per-class Gaussian (mean, Cholesky factor of the shrunk covariance) over the codes. */
function fitGaussian(codes: Float32Array, members: number[], d: number): { mean: Float64Array; chol: Float64Array } {
  const n = members.length;
  const mean = new Float64Array(d);
  for (const i of members) for (let j = 0; j < d; j++) mean[j]! += codes[i * d + j]! / n;
  const cov = new Float64Array(d * d);
  for (const i of members) for (let a = 0; a < d; a++) { const da = codes[i * d + a]! - mean[a]!; for (let b = 0; b <= a; b++) cov[a * d + b]! += (da * (codes[i * d + b]! - mean[b]!)) / (n - 1); }
  let trace = 0;
  for (let a = 0; a < d; a++) trace += cov[a * d + a]!;
  const shrink = 0.1;
  for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) cov[a * d + b] = (1 - shrink) * cov[a * d + b]! + (a === b ? (shrink * trace) / d : 0);
  const L = new Float64Array(d * d);
  for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) {
    let s = cov[a * d + b]!;
    for (let k = 0; k < b; k++) s -= L[a * d + k]! * L[b * d + k]!;
    L[a * d + b] = a === b ? Math.sqrt(Math.max(s, 1e-12)) : s / L[b * d + b]!;
  }
  return { mean, chol: L };
}
function drawGaussian(g: { mean: Float64Array; chol: Float64Array }, n: number, d: number, r: Rng): Float32Array {
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const eps = Array.from({ length: d }, () => r.normal());
    for (let a = 0; a < d; a++) { let s = g.mean[a]!; for (let k = 0; k <= a; k++) s += g.chol[a * d + k]! * eps[k]!; out[i * d + a] = s; }
  }
  return out;
}

async function sample(step: number): Promise<void> {
  const d = cfg.latent;
  const codes = allCodes();
  const clockIdx = labels.flatMap((l, i) => (l === 0 ? [i] : []));
  const crocIdx = labels.flatMap((l, i) => (l === 1 ? [i] : []));
  const r = createRng(7);
  const gClock = fitGaussian(codes, clockIdx, d), gCroc = fitGaussian(codes, crocIdx, d);
  const n = Number(process.env['PROBE_N'] ?? 64);
  const zc = drawGaussian(gClock, n, d, r), zk = drawGaussian(gCroc, n, d, r);
  const zh = zc.map((v, i) => 0.5 * (v + zk[i]!));
  const lab = (m: number) => tf.tensor2d(Array.from({ length: n }, () => [1 - m, m]).flat(), [n, 2]);
  const dec = (z: Float32Array, m: number) => tf.tidy(() => toBytes(tf.div(tf.add(decode(tf.tensor2d(z, [n, d]), lab(m)), 1), 2) as T4));
  const clock = dec(zc, 0), croc = dec(zk, 1), mix = dec(zh, 0.5);
  // reconstructions of 8 training clocks and 8 crocodiles (top: real, below: reconstruction)
  const show = [...clockIdx.slice(0, 8), ...crocIdx.slice(0, 8)];
  const real = tf.tidy(() => toBytes(tf.div(tf.add(batchOf(show, undefined).x, 1), 2) as T4));
  const recon = tf.tidy(() => { const b = batchOf(show, undefined); return toBytes(tf.div(tf.add(decode(encode(b.x), b.y), 1), 2) as T4); });
  const rows = (a: Uint8Array, k: number) => a.subarray(0, k * 8 * P);
  await writeGrid(`${outDir}/step-${step}.png`, new Uint8Array([...real.subarray(0, 8 * P), ...recon.subarray(0, 8 * P), ...real.subarray(8 * P), ...recon.subarray(8 * P), ...rows(clock, 2), ...rows(croc, 2), ...rows(mix, 2)]), 8);
  if (process.env['PROBE_DUMP']) {
    const dump = `${process.env['PROBE_DUMP']}/step-${step}`;
    mkdirSync(dump, { recursive: true });
    writeFileSync(`${dump}/clock.u8`, clock);
    writeFileSync(`${dump}/crocodile.u8`, croc);
    writeFileSync(`${dump}/hybrid-mean-code.u8`, mix);
  }
  console.log(`  diversity clock ${pixelDiversity(clock).toFixed(3)} crocodile ${pixelDiversity(croc).toFixed(3)}`);
  if (process.env['PROBE_SAVE']) saveStores(process.env['PROBE_SAVE'], 'weights', [w]);
}

mkdirSync(outDir, { recursive: true });
if (process.env['PROBE_RESUME']) loadStores(tf, process.env['PROBE_RESUME'], 'weights', [w]);
if (Number(stepsArg) === 0) await sample(0);
const vars = w.trainable();
const steps = Number(stepsArg), every = Number(everyArg);
let order: number[] = [];
let t0 = performance.now(), c0 = process.cpuUsage();
const sums = { pixel: 0, perceptual: 0, z: 0 };
for (let s = 1; s <= steps; s++) {
  if (order.length < cfg.batch) order = shuffled(Array.from({ length: labels.length }, (_, i) => i), rng);
  const { x, y } = batchOf(order.splice(0, cfg.batch), rng);
  const realF = tf.tidy(() => trunk.features(x));
  const parts: number[] = [];
  const loss = opt.minimize(() => {
    const z = encode(x);
    const out = decode(z, y);
    const pixel = tf.mean(tf.abs(tf.sub(out, x)));
    const fakeF = trunk.features(out);
    let perceptual = tf.scalar(0);
    fakeF.forEach((f, k) => { perceptual = tf.add(perceptual, tf.mean(tf.square(tf.sub(f, realF[k]!)))); });
    const zl = tf.mean(tf.square(z));
    parts.push(...[pixel, perceptual, zl].map((t) => t.dataSync()[0]!));
    return tf.add(tf.add(pixel, tf.mul(cfg.perceptual, perceptual)), tf.mul(cfg.zPenalty, zl)) as tfTypes.Scalar;
  }, true, vars)!;
  loss.dispose();
  tf.dispose([x, y, ...realF]);
  sums.pixel += parts[0]!; sums.perceptual += parts[1]!; sums.z += parts[2]!;
  if (s % every === 0 || s === steps) {
    const cpu = process.cpuUsage(c0);
    console.log(`step ${s}: ${((performance.now() - t0) / 1000 / every).toFixed(3)} s/step wall, ${((cpu.user + cpu.system) / 1e6 / every).toFixed(3)} s/step CPU; L1 ${(sums.pixel / every).toFixed(4)} perceptual ${(sums.perceptual / every).toFixed(4)} z² ${(sums.z / every).toFixed(3)} tensors ${tf.memory().numTensors}`);
    sums.pixel = sums.perceptual = sums.z = 0;
    await sample(s);
    t0 = performance.now(); c0 = process.cpuUsage();
  }
}
