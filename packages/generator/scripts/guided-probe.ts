// Probe guided sampling of the trained autoencoder (not part of the stage): optimise the latent noise
// z (the code is μ + L·z per class) so the decoded image is what a guide classifier (a classifier-stage
// model that is not a judge) calls the class — or, for hybrids, p = ½ — plus a feature-matching term
// toward the class centroid in the pretrain network's features, plus a prior ‖z‖² that keeps codes
// on the fitted density. Writes clock.u8, crocodile.u8, hybrid-guided.u8 + grids into <out>.
// CVC_THREADS=1 nice -n 10 npx tsx packages/generator/scripts/guided-probe.ts <out> '{"steps":40}'
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type * as tfTypes from '@tensorflow/tfjs';
import { createRng, readImageDataset } from '@cvc/core';
import { initCompute, tf } from '@cvc/core/backend';
import { loadClassifierModel } from '@cvc/vision/classifier-model';
import '@cvc/vision';
import { enableKernelProfiling, kernelProfileTable, profilingRequested } from '@cvc/compute';
import { restoreGenerator } from '../src/generator-artifact.ts';
import { createFeatureTrunk, loadFeatureTrunk, resnetWeightsOf, type ResnetArchitecture } from '../src/feature-trunk.ts';
import { mixLabels } from '../src/model.ts';
import { toBytes } from '../src/sample.ts';
import { writeGrid } from '../src/figures.ts';
import { applyView, randomView } from '../src/guide-views.ts';

type T4 = tfTypes.Tensor4D;
type T2 = tfTypes.Tensor2D;
const [out = '/tmp/guide/a', overrides = '{}'] = process.argv.slice(2);
const cfg = { steps: 40, lr: 0.05, cls: 1, feat: 0.0, prior: 0.01, anchor: 0, featMode: 'nearest', margin: 0, folds: false, hybridStart: 'random', extra: [], hybridRealism: 'both', hybridDecode: 'mix', probe: false, hsteps: 0, guide: 'resnet-scratch', augment: 0, foldsOnly: [], hybridMix: 0.5, blendWeight: 0.5, vp: false, n: 128, hybrids: 128, seed: 7, ...JSON.parse(overrides) };
console.log(JSON.stringify(cfg));
await initCompute();
if (profilingRequested()) enableKernelProfiling(tf, tf.getBackend());
mkdirSync(out, { recursive: true });
const { model: ae } = restoreGenerator(tf, 'artifacts/generator/autoencoder/checkpoint');
const d = (ae as unknown as { codeDim: number }).codeDim;
const guideDirs = cfg.folds ? ['full', 'fold-0', 'fold-1', 'fold-2', 'fold-3', 'fold-4'] : ['full'];
const guides: ((x01: T4) => tfTypes.Tensor1D)[] = [];
for (const name of [cfg.guide, ...(cfg.extra as string[])]) for (const sub of guideDirs) {
  if (sub === 'full' && (cfg.foldsOnly as string[]).includes(name)) continue; // diagnostics: a judge's fold siblings, never the judge

  const { model: gm, metadata } = await loadClassifierModel(`artifacts/classifier/models/${name}/${sub}`);
  const arch = (metadata as unknown as { params: { architecture: ResnetArchitecture } }).params.architecture;
  if (arch.kind !== 'resnet') {
    const sub = tf.model({ inputs: gm.inputs, outputs: gm.getLayer('logit').output as tfTypes.SymbolicTensor });
    const mean = tf.tensor1d(metadata.normalization.mean), std = tf.tensor1d(metadata.normalization.std);
    guides.push((x01) => (sub.apply(tf.div(tf.sub(x01, mean), std), { training: false }) as tfTypes.Tensor).reshape([-1]) as tfTypes.Tensor1D);
    continue;
  }
  const guideTrunk = createFeatureTrunk(tf, resnetWeightsOf(gm, arch, metadata.normalization, cfg.guide));
  const fc7 = gm.getLayer('fc7');
  const logitLayer = gm.getLayer('logit');
  /** images in [0, 1] → crocodile logit [n]. */
  guides.push((x01: T4): tfTypes.Tensor1D => {
    const feats = guideTrunk.features(tf.sub(tf.mul(x01, 2), 1) as T4);
    const pooled = tf.mean(feats[feats.length - 1]!, [1, 2]);
    return (logitLayer.apply(fc7.apply(pooled)) as tfTypes.Tensor).reshape([-1]) as tfTypes.Tensor1D;
  });
}
console.log(`${guides.length} guides`);
const { trunk: pre } = await loadFeatureTrunk(tf, 'artifacts/pretrain/model');
const prePooled = (x01: T4): T2 => { const f = pre.features(tf.sub(tf.mul(x01, 2), 1) as T4); return tf.mean(f[f.length - 1]!, [1, 2]) as T2; };

// Class centroids of the pretrain network's pooled features over the training images.
const ds = readImageDataset('artifacts/data-prep/dataset');
const P = 3072;
const realFeatures = (cls: number): T2 => tf.tidy(() => {
  const idx = ds.manifest.splits.train.filter((i) => ds.manifest.labels[i] === cls);
  const px = new Float32Array(idx.length * P);
  idx.forEach((i, k) => px.set(Float32Array.from(ds.images.subarray(i * P, (i + 1) * P), (v) => v / 255), k * P));
  return prePooled(tf.tensor4d(px, [idx.length, 32, 32, 3]));
});
const real = [tf.keep(realFeatures(0)), tf.keep(realFeatures(1))]; // [n_c, f] per class
// Features of pixel blends of random training (clock, crocodile) pairs: what a real two-object image looks like.
const blendFeatures = tf.keep(tf.tidy(() => {
  const clocks = ds.manifest.splits.train.filter((i) => ds.manifest.labels[i] === 0), crocs = ds.manifest.splits.train.filter((i) => ds.manifest.labels[i] === 1);
  const r = createRng(99);
  const px = new Float32Array(360 * P);
  for (let k = 0; k < 360; k++) {
    const a = clocks[r.int(clocks.length)]!, b = crocs[r.int(crocs.length)]!;
    for (let p = 0; p < P; p++) px[k * P + p] = (ds.images[a * P + p]! + ds.images[b * P + p]!) / 510;
  }
  return prePooled(tf.tensor4d(px, [360, 32, 32, 3]));
}));
const mu = real.map((r) => tf.keep(tf.mean(r, 0)));
/** Squared distance [n] of features f [n, k] to their nearest row of r [m, k]. */
const nearestSq = (f: T2, r: T2): tfTypes.Tensor1D =>
  tf.min(tf.add(tf.sub(tf.sum(tf.square(f), 1, true), tf.mul(2, tf.matMul(f, r, false, true))), tf.sum(tf.square(r), 1).reshape([1, -1])), 1) as tfTypes.Tensor1D;
// The realism scale: median over real clocks of the squared distance to their nearest other real clock.
const scale = tf.tidy(() => {
  const r = real[0]!;
  const dd = tf.add(tf.sub(tf.sum(tf.square(r), 1, true), tf.mul(2, tf.matMul(r, r, false, true))), tf.sum(tf.square(r), 1).reshape([1, -1]));
  const masked = tf.add(dd, tf.mul(tf.eye(r.shape[0]), 1e9));
  const v = [...tf.min(masked, 1).dataSync()].sort((a, b) => a - b);
  return v[v.length >> 1]!;
});
console.log(`feature scale (median nearest-real squared distance) ${scale.toFixed(2)}`);
const rng = createRng(cfg.seed);
// Optional guide: a logistic-regression probe on the pretrain network's pooled features of the training images.
if (cfg.probe) {
  const x = tf.keep(tf.concat(real)); // [n, k]
  const yv = tf.keep(tf.concat([tf.zeros([real[0]!.shape[0]]), tf.ones([real[1]!.shape[0]])]));
  const mean = tf.keep(tf.mean(x, 0)), sd = tf.keep(tf.add(tf.sqrt(tf.moments(x, 0).variance), 1e-3));
  const w = tf.variable(tf.zeros([x.shape[1], 1])), b = tf.variable(tf.zeros([1]));
  const opt = tf.train.adam(0.01);
  for (let i = 0; i < 300; i++) opt.minimize(() => tf.add(tf.losses.sigmoidCrossEntropy(yv, tf.add(tf.matMul(tf.div(tf.sub(x, mean), sd), w), b).reshape([-1])), tf.mul(0.01, tf.sum(tf.square(w)))) as tfTypes.Scalar);
  const acc = tf.tidy(() => tf.mean(tf.equal(tf.greater(tf.add(tf.matMul(tf.div(tf.sub(x, mean), sd), w), b).reshape([-1]), 0), tf.cast(yv, 'bool'))).dataSync()[0]);
  console.log(`probe train accuracy ${acc}`);
  guides.push((x01) => tf.add(tf.matMul(tf.div(tf.sub(prePooled(x01), mean), sd), w), b).reshape([-1]) as tfTypes.Tensor1D);
}

/** Optimise z [n, 2d] by Adam for images at crocodile share `mix` toward logit target (−∞/+∞ class, 0 hybrid). */
function guided(n: number, mix: number, target: 'clock' | 'crocodile' | 'half', start?: Float32Array): { bytes: Uint8Array; z: Float32Array } {
  const zv = start ? start.slice() : new Float32Array(n * 2 * d).map(() => rng.normal());
  const m = new Float32Array(zv.length), v = new Float32Array(zv.length);
  const y = mixLabels(tf, Array(n).fill(mix));
  const z0 = tf.tensor2d(zv.slice(), [n, 2 * d]);
  const muT = tf.keep(tf.add(tf.mul(mu[0]!, 1 - mix), tf.mul(mu[1]!, mix)));
  const dec = (z: T2): T4 => {
    if (!(target === 'half' && cfg.hybridDecode === 'levels')) return ae.decode(z, y) as T4;
    // Levels: even hybrids a clock's code at the coarse levels (layout) and a crocodile's at the fine ones (texture); odd the reverse.
    const A = ae as unknown as { classCodes(c: 0 | 1, e: T2): T2; decodeCodes(c: T2[], l: T2[]): T4 };
    const cc = A.classCodes(0, tf.slice(z, [0, 0], [n, d]) as T2), kc = A.classCodes(1, tf.slice(z, [0, d], [n, d]) as T2);
    const even = tf.tensor2d(Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : 0)), [n, 1]);
    const coarse = tf.add(tf.mul(cc, even), tf.mul(kc, tf.sub(1, even))) as T2, fine = tf.add(tf.mul(kc, even), tf.mul(cc, tf.sub(1, even))) as T2;
    const yc = tf.concat([even, tf.sub(1, even)], 1) as T2, yf = tf.concat([tf.sub(1, even), even], 1) as T2;
    return A.decodeCodes([coarse, coarse, fine, fine], [yc, yc, yf, yf]);
  };
  // Blend hybrids: a clock drawn from z's clock half and a crocodile from its crocodile half, averaged in pixels;
  // each part keeps its own realism pull, the guides see the blend.
  const blendMode = target === 'half' && cfg.hybridDecode === 'blend';
  const y0 = mixLabels(tf, Array(n).fill(0)), y1 = mixLabels(tf, Array(n).fill(1));
  const parts = (z: T2): [T4, T4] => [ae.decode(z, y0) as T4, ae.decode(z, y1) as T4];
  // Variance-preserving blend (vp): each part's deviation from its own mean colour, weighted 1/√2, around the mean of
  // the two means — the blend keeps the parts' contrast instead of halving its variance.
  const blendOf = ([a, b]: [T4, T4]): T4 => {
    if (!cfg.vp) return tf.add(tf.mul(a, 1 - cfg.blendWeight), tf.mul(b, cfg.blendWeight)) as T4;
    const ma = tf.mean(a, [1, 2], true), mb = tf.mean(b, [1, 2], true);
    return tf.clipByValue(tf.add(tf.mul(tf.add(ma, mb), 0.5), tf.mul(tf.add(tf.sub(a, ma), tf.sub(b, mb)), Math.SQRT1_2)), 0, 1) as T4;
  };
  const decodeAny = (z: T2): T4 => (blendMode ? blendOf(parts(z)) : dec(z));
  const lossOf = (z: T2): tfTypes.Scalar => {
    const pr = blendMode ? parts(z) : undefined;
    const img = pr ? blendOf(pr) : dec(z); // [n, 32, 32, 3] in [0, 1]
    // Expectation over transformations: each guide sees its own random shift (±augment px, grey padding) and flip,
    // so the latent cannot fool one view of one network (transfers to other classifiers better).
    const views = target === 'half' ? (cfg.hybridAugment ?? cfg.augment) : cfg.augment;
    const view = (x: T4): T4 => (views ? applyView(tf, x, randomView(rng, views as number)) : x);
    const logits = guides.map((g) => g(view(img))); // [n] each
    const cls = tf.mean(tf.stack(logits.map((logit) => (target === 'half' ? tf.square(logit) : tf.softplus(tf.sub(target === 'clock' ? logit : tf.neg(logit), -cfg.margin))))));
    const f = pr ? (undefined as unknown as T2) : prePooled(img);
    const feat = cfg.feat === 0 ? tf.scalar(0) : pr ? tf.mean(tf.add(nearestSq(prePooled(pr[0]), real[0]!), nearestSq(prePooled(pr[1]), real[1]!))) : cfg.featMode === 'centroid'
      ? tf.mean(tf.sum(tf.square(tf.sub(f, muT)), 1))
      : target === 'half' && cfg.hybridRealism === 'blends' ? tf.mean(nearestSq(f, blendFeatures)) : target === 'half' ? (cfg.hybridRealism === 'either' ? tf.mean(tf.minimum(nearestSq(f, real[0]!), nearestSq(f, real[1]!))) : tf.mean(tf.add(nearestSq(f, real[0]!), nearestSq(f, real[1]!)))) : tf.mean(nearestSq(f, real[target === 'clock' ? 0 : 1]!));
    const prior = tf.mean(tf.sum(tf.square(z), 1));
    const anchor = tf.mean(tf.sum(tf.square(tf.sub(z, z0)), 1));
    return tf.addN([tf.mul(cfg.cls, cls), tf.mul(cfg.feat / scale, feat), tf.mul(cfg.prior, prior), tf.mul(cfg.anchor, anchor)]) as tfTypes.Scalar;
  };
  const g = tf.valueAndGrad(lossOf);
  const steps = target === 'half' && cfg.hsteps ? cfg.hsteps : cfg.steps;
  for (let s = 0; s < steps; s++) {
    const { value, grad } = tf.tidy(() => { const r = g(tf.tensor2d(zv, [n, 2 * d])); return { value: r.value.dataSync()[0]!, grad: r.grad.dataSync() as Float32Array }; });
    for (let i = 0; i < zv.length; i++) {
      m[i] = 0.9 * m[i]! + 0.1 * grad[i]!;
      v[i] = 0.999 * v[i]! + 0.001 * grad[i]! * grad[i]!;
      zv[i] -= (cfg.lr * (m[i]! / (1 - 0.9 ** (s + 1)))) / (Math.sqrt(v[i]! / (1 - 0.999 ** (s + 1))) + 1e-8);
    }
    if (s % 20 === 0 || s === steps - 1) console.log(`${target} step ${s} loss ${value.toFixed(4)}`);
  }
  const bytes = tf.tidy(() => toBytes(decodeAny(tf.tensor2d(zv, [n, 2 * d]))));
  tf.dispose([y, muT, z0, y0, y1]);
  return { bytes, z: zv };
}
const t0 = performance.now();
const { bytes: clock, z: zc } = guided(cfg.n, 0, 'clock');
const { bytes: croc, z: zk } = guided(cfg.n, 1, 'crocodile');
// Hybrids start from random z, or from a guided clock's clock half and a guided crocodile's crocodile half.
let start: Float32Array | undefined;
if (cfg.hybridStart === 'guided') {
  start = new Float32Array(cfg.hybrids * 2 * d);
  for (let i = 0; i < cfg.hybrids; i++) {
    start.set(zc.subarray(i * 2 * d, i * 2 * d + d), i * 2 * d);
    start.set(zk.subarray(i * 2 * d + d, (i + 1) * 2 * d), i * 2 * d + d);
  }
}
const { bytes: hyb } = guided(cfg.hybrids, cfg.hybridMix, 'half', start);
console.log(`guided sampling ${((performance.now() - t0) / 1000).toFixed(1)} s`);
if (profilingRequested()) console.log(kernelProfileTable());
writeFileSync(join(out, 'clock.u8'), clock);
writeFileSync(join(out, 'crocodile.u8'), croc);
writeFileSync(join(out, 'hybrid-guided.u8'), hyb);
await writeGrid(join(out, 'samples.png'), new Uint8Array([...clock.subarray(0, 16 * P), ...croc.subarray(0, 16 * P)]), 8);
await writeGrid(join(out, 'hybrids.png'), hyb.subarray(0, 32 * P), 8);
