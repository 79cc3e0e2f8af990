// Compare the autoencoder's hybrid rules on one trained checkpoint, without retraining (not part of
// the stage): each rule's hybrids are drawn as the stage draws them (rng purpose `autoencoder/hybrids`,
// `params.hybrids` of them) and measured by the stage's three judges beside the two baselines, under
// one real reference. A second, larger draw (`--n`, another rng purpose) checks that the shares hold.
// Writes <out>/<rule>.png (the hybrid grid, 8 per row, 3x) and <out>/<rule>-nearest.png (first 16
// hybrids above their nearest training image).
//   npx tsx packages/generator/scripts/hybrid-candidates.ts <pipeline.yaml> <autoencoder checkpoint dir> <out dir> [--profile p] [--rules a,b] [--n 256]
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRng, deriveSeed, getStage, loadPipeline, readImageDataset, resolveFromRoot } from '@cvc/core';
import { initCompute, tf } from '@cvc/core/backend';
import { runBaseline, BASELINE_KINDS } from '../src/baselines.ts';
import { buildReference, evaluateModel, pixelNearest, type Judges, type ModelMetrics, type RealReference } from '../src/evaluate.ts';
import { writeGrid, writeNearestStrip } from '../src/figures.ts';
import { CONFIG_FILE, type GeneratorConfigFile } from '../src/generator-artifact.ts';
import { HYBRID_RULES, type HybridRule } from '../src/hybrid-rules.ts';
import { loadBestJudge, loadClassifierJudge, loadObjectJudge } from '../src/judge.ts';
import { createModel } from '../src/models.ts';
import { generatorParams } from '../src/params.ts';
import { imageAt, sampleAtMix, sampleHybrids, toBytes } from '../src/sample.ts';
import { mixLabels } from '../src/model.ts';
import { summaryLines } from '../src/summary-line.ts';
import { loadStores } from '../src/weights.ts';
import { readJson } from '@cvc/core';
import type { AutoencoderConfig } from '../src/autoencoder.ts';

const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args.splice(at, 2)[1] : undefined;
};
const profile = option('--profile');
const rules = (option('--rules')?.split(',') ?? [...HYBRID_RULES]) as HybridRule[];
const bigN = Number(option('--n') ?? 256);
const [pipelineFile, checkpointDir, outDir] = args;
if (!pipelineFile || !checkpointDir || !outDir) throw new Error('usage: hybrid-candidates.ts <pipeline.yaml> <checkpoint dir> <out dir> [--profile p] [--rules a,b] [--n 256]');
for (const r of rules) if (!HYBRID_RULES.includes(r)) throw new Error(`--rules: unknown rule "${r}" (known: ${HYBRID_RULES.join(', ')})`);
mkdirSync(outDir, { recursive: true });

await initCompute(() => {});
const pipeline = loadPipeline(pipelineFile, profile ? { profile } : {});
const params = generatorParams.parse(getStage(pipeline, 'generator').params);
const seed = deriveSeed(pipeline.seed, 'generator');
const rng = (purpose: string) => createRng(deriveSeed(seed, purpose));
const path = (artifact: string) => resolveFromRoot(pipeline, pipeline.artifacts[artifact]!.path);

const dataset = readImageDataset(path('dataset'));
const { manifest } = dataset;
const trainIdx = manifest.splits.train;
const px = 32 * 32 * 3;
const pixels = new Float32Array(trainIdx.length * px);
trainIdx.forEach((i, k) => pixels.set(Float32Array.from(imageAt(dataset.images, i), (v) => v / 255), k * px));
const data = { pixels, labels: trainIdx.map((i) => manifest.labels[i]!), size: 32 };

const judges: Judges = {
  best: await loadBestJudge(tf, path('classifier_models')),
  second: await loadClassifierJudge(tf, path('classifier_models'), params.secondJudge),
  object: await loadObjectJudge(tf, path('object_judge_model')),
};
const ref: RealReference = buildReference(judges, dataset.images, manifest.shape[0], manifest.labels, trainIdx, manifest.splits.test, rng('reference-kid'), params.hybridRange);
console.log(`test images: nearest-train RMS min ${ref.testToTrain.min}, median ${ref.testToTrain.median}`);

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
/** The figures the targets read, hybrids only (the memorisation check on the hybrids alone). */
function line(name: string, hybrids: Uint8Array, m: ModelMetrics): string {
  const near = pixelNearest(hybrids, ref.trainPixels).rms;
  const sorted = Array.from(near).sort((a, b) => a - b);
  const closer = sorted.filter((d) => d < ref.testToTrain.min).length;
  const t = m.objectAware.hybrids.top1;
  return `${name.padEnd(28)} n=${m.hybrids.count} in-range best ${pct(m.hybrids.shareInRange)} second ${pct(m.hybrids.secondJudge.shareInRange)} | ` +
    `p(croc) median best ${m.hybrids.pCrocodile.median.toFixed(3)} second ${m.hybrids.secondJudge.pCrocodile.median.toFixed(3)} | ` +
    `12-way p(clock)+p(croc) ${m.objectAware.hybrids.meanPClockPlusCrocodile.toFixed(3)} (top-1 clock ${pct(t.clock)} croc ${pct(t.crocodile)} other ${pct(t.other)}) | ` +
    `KID ${m.hybrids.kid.toFixed(4)} | nearest-train min ${sorted[0]!.toFixed(4)} median ${sorted[sorted.length >> 1]!.toFixed(4)}, closer than any test image ${closer}`;
}
const measure = (hybrids: Uint8Array, samples: { clock: Uint8Array; crocodile: Uint8Array }, kind: string, groups?: Record<string, number[]>) =>
  evaluateModel(judges, ref, hybrids, samples, { hybridRange: params.hybridRange, best: params.bestHybrids, rng: rng(`${kind}/kid`), precisionRecallK: params.precisionRecallK, ...(groups ? { groups } : {}) });

// The baselines, as the stage makes them.
const train = manifest.splits.train;
for (const kind of BASELINE_KINDS) {
  const out = runBaseline(
    kind, params.frequency,
    { images: dataset.images, files: manifest.files, clocks: train.filter((i) => manifest.labels[i] === 0), crocodiles: train.filter((i) => manifest.labels[i] === 1) },
    { hybrids: params.hybrids, samplesPerClass: params.samplesPerClass, strips: params.strips, stripSteps: params.stripSteps },
    (purpose) => rng(`${kind}/${purpose}`),
  );
  console.log(line(`baseline ${kind}`, out.hybrids, measure(out.hybrids, out.samples, kind, out.hybridGroups)));
  await writeGrid(join(outDir, `baseline-${kind}.png`), out.hybrids, 8);
}

// The autoencoder under each rule: same weights, same class samples, the stage's hybrid draw.
const info = readJson<GeneratorConfigFile>(join(checkpointDir, CONFIG_FILE));
if (info.kind !== 'autoencoder') throw new Error(`${join(checkpointDir, CONFIG_FILE)}: holds a ${info.kind}, not an autoencoder`);
const restore = (rule: HybridRule) => {
  const config: AutoencoderConfig = { ...(info.config as AutoencoderConfig), hybrid: rule, hybridSigma: params.autoencoder.hybridSigma };
  const model = createModel(tf, 'autoencoder', config, createRng(0));
  loadStores(tf, checkpointDir, 'weights', model.stores);
  model.afterTraining!(data); // refits the density (deterministic: the saved one) and keeps the training images for the projections
  return model;
};
const base = restore('boundary');
const samples = {
  clock: sampleAtMix(tf, base, params.samplesPerClass, 0, rng('autoencoder/samples-clock')),
  crocodile: sampleAtMix(tf, base, params.samplesPerClass, 1, rng('autoencoder/samples-crocodile')),
};
// The class samples and the reconstructions of the test images: does the decoder lean to one class before any hybrid rule?
console.log(summaryLines('autoencoder class samples', measure(samples.clock.slice(0, 64 * px), samples, 'autoencoder'), ref, params.hybridRange)[0]!.replace(/hybrids in .*?; class samples/, 'class samples'));
for (const cls of [0, 1] as const) {
  const idx = manifest.splits.test.filter((i) => manifest.labels[i] === cls);
  const x = new Float32Array(idx.length * px);
  idx.forEach((i, k) => x.set(Float32Array.from(imageAt(dataset.images, i), (v) => v / 255), k * px));
  const recon = tf.tidy(() => {
    const ae = base as unknown as { encodeImages(x: tf.Tensor4D): tf.Tensor2D; decodeCodes(c: tf.Tensor2D[], y: tf.Tensor2D[]): tf.Tensor4D };
    return toBytes(ae.decodeCodes([ae.encodeImages(tf.tensor4d(x, [idx.length, 32, 32, 3]))], [mixLabels(tf, Array(idx.length).fill(cls))]));
  });
  const p = judges.best.judge(recon, idx.length).pCrocodile;
  const p2 = judges.second.judge(recon, idx.length).pCrocodile;
  const real = judges.best.judge(new Uint8Array(Array.from(x, (v) => Math.round(v * 255))), idx.length).pCrocodile;
  const right = (q: Float32Array) => pct(Array.from(q).filter((v) => (cls === 1 ? v >= 0.5 : v < 0.5)).length / idx.length);
  console.log(`reconstructed test ${cls === 0 ? 'clocks' : 'crocodiles'} (${idx.length}): called their class by best ${right(p)} (the originals ${right(real)}), second ${right(p2)}`);
}
base.dispose();
for (const rule of rules) {
  const started = performance.now();
  const model = restore(rule);
  const hybrids = sampleHybrids(tf, model, params.hybrids, rng('autoencoder/hybrids'));
  const m = measure(hybrids, samples, 'autoencoder');
  console.log(line(`autoencoder ${rule}`, hybrids, m));
  const big = sampleHybrids(tf, model, bigN, rng('autoencoder/hybrids-check'));
  console.log(line(`autoencoder ${rule} (check)`, big, measure(big, samples, 'autoencoder')));
  model.dispose();
  await writeGrid(join(outDir, `${rule}.png`), hybrids, 8);
  const first = Array.from({ length: Math.min(16, params.hybrids) }, (_, i) => i);
  const nearest = pixelNearest(hybrids, ref.trainPixels).row;
  await writeNearestStrip(join(outDir, `${rule}-nearest.png`), hybrids, first, dataset.images, first.map((i) => ref.trainIndex[nearest[i]!]!), 8);
  console.log(`  (${((performance.now() - started) / 1000).toFixed(0)} s)`);
}
