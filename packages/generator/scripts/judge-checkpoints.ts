// Measure trained generators from their saved checkpoints with the stage's metrics and judges,
// without retraining (not part of the stage): same params, same seeded draws (the stage's rng
// purposes) and same evaluation as `cvc stage generator`, so the figures are those the stage would
// write for these weights. Used to put models trained by another run in the same table.
//   npx tsx packages/generator/scripts/judge-checkpoints.ts pipelines/clocks-vs-crocodiles.yaml vae=artifacts/generator/vae/checkpoint … [--profile smoke] [--out /tmp/m.json]
import { writeFileSync } from 'node:fs';
import { createRng, deriveSeed, getStage, loadPipeline, readImageDataset, resolveFromRoot } from '@cvc/core';
import { initCompute, tf } from '@cvc/core/backend';
import { buildReference, evaluateModel, type Judges } from '../src/evaluate.ts';
import { restoreGenerator } from '../src/generator-artifact.ts';
import { loadBestJudge, loadClassifierJudge, loadObjectJudge } from '../src/judge.ts';
import { generatorParams } from '../src/params.ts';
import { sampleAtMix, sampleHybrids } from '../src/sample.ts';
import { referenceLine, summaryLines } from '../src/summary-line.ts';

const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args.splice(at, 2)[1] : undefined;
};
const out = option('--out');
const profile = option('--profile');
const [pipelineFile, ...pairs] = args;
if (!pipelineFile || pairs.length === 0) throw new Error('usage: judge-checkpoints.ts <pipeline.yaml> <model>=<checkpoint dir> … [--profile name] [--out file.json]');

await initCompute(() => {});
const pipeline = loadPipeline(pipelineFile, profile ? { profile } : {});
const spec = getStage(pipeline, 'generator');
const params = generatorParams.parse(spec.params);
const seed = deriveSeed(pipeline.seed, 'generator');
const rng = (purpose: string) => createRng(deriveSeed(seed, purpose));
const path = (artifact: string) => resolveFromRoot(pipeline, pipeline.artifacts[artifact]!.path);

const dataset = readImageDataset(path('dataset'));
const { manifest } = dataset;
const judges: Judges = {
  best: await loadBestJudge(tf, path('classifier_models')),
  second: await loadClassifierJudge(tf, path('classifier_models'), params.secondJudge),
  object: await loadObjectJudge(tf, path('object_judge_model')),
};
const ref = buildReference(judges, dataset.images, manifest.shape[0], manifest.labels, manifest.splits.train, manifest.splits.test, rng('reference-kid'), params.hybridRange);
console.log(referenceLine(ref, params.hybridRange));
const results: Record<string, unknown> = {};
for (const pair of pairs) {
  const [kind, dir] = pair.split('=') as [string, string];
  const { model, info } = restoreGenerator(tf, dir);
  if (info.kind !== kind) throw new Error(`${dir}: holds a ${info.kind}, not a ${kind}`);
  const started = performance.now();
  const hybrids = sampleHybrids(tf, model, params.hybrids, rng(`${kind}/hybrids`)); // the model's own hybrids, as the stage draws them
  const samples = {
    clock: sampleAtMix(tf, model, params.samplesPerClass, 0, rng(`${kind}/samples-clock`)),
    crocodile: sampleAtMix(tf, model, params.samplesPerClass, 1, rng(`${kind}/samples-crocodile`)),
  };
  model.dispose();
  const m = evaluateModel(judges, ref, hybrids, samples, { hybridRange: params.hybridRange, best: params.bestHybrids, rng: rng(`${kind}/kid`), precisionRecallK: params.precisionRecallK });
  for (const line of summaryLines(kind, m, ref, params.hybridRange)) console.log(line);
  console.log(`${kind}: ${info.epochs} epochs; sampling and metrics ${((performance.now() - started) / 1000).toFixed(0)} s`);
  results[kind] = { type: 'learned', epochs: info.epochs, ...m };
}
if (out) writeFileSync(out, `${JSON.stringify({ judges: { best: judges.best.name, second: judges.second.name, object: judges.object.name }, reference: { testVsTrain: ref.realFloor, testVsTrainObjectFeatures: ref.objectFloor, testToNearestTrainPixelRms: ref.testToTrain, realTest: ref.realTest }, models: results }, null, 1)}\n`);
