// Compare ResNet recipes cheaply: train one config on chosen cross-validation folds (the stage's
// code path: buildModel + train + predictLogits) and print held-out accuracy and s/epoch.
// The held-out fold is evaluated after every epoch for the curve only; the reported figure is
// the last epoch (nothing is chosen on it).
//   CVC_THREADS=1 nice -n 5 npx tsx packages/classifier/scripts/experiment.ts \
//     --folds 0,3 --set 'training.maxEpochs=40' --set 'architecture.stemPool=false' [--tag name] [--members 3]
//     [--pretrained artifacts/pretrain/model]
// --members N trains N independently seeded networks per fold (member 0 = the single model's
// seeds) and prints each member's held-out accuracy and that of their mean logit (the ensemble).
// --pretrained <dir> starts every network from the pretrain stage's model (init: pretrained).
import { createRng, deriveSeed, readImageDataset } from '@cvc/core';
import { initCompute } from '@cvc/core/backend';
import { buildModel, logitModel } from '../src/models.ts';
import { train } from '../src/train.ts';
import { predictLogits } from '../src/predict.ts';
import { accuracy } from '../src/metrics.ts';
import { modelInputs } from '../src/data.ts';
import { modelSpec } from '../src/params.ts';
import { checkPretrainedFits, initFromPretrained, readPretrained } from '../src/pretrained.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : fallback;
};
const sets = args.flatMap((a, i) => (a === '--set' ? [args[i + 1]!] : []));

// The pipeline's resnet recipe; --set path=value (value as JSON, else a string) overrides it.
const base: Record<string, unknown> = {
  name: 'resnet',
  architecture: { kind: 'resnet', widths: [24, 48, 96], blocksPerStage: 1, dense: 64, dropout: 0.2, stemPool: true },
  training: { maxEpochs: 40, optimizer: 'sgd', learningRate: 0.05, weightDecay: 0.0005, schedule: 'cosine', warmupEpochs: 2, labelSmoothing: 0.05, augment: { flip: true, pad: 3, cutout: 8 }, tta: true },
};
for (const s of sets) {
  const [path, raw] = [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)];
  const keys = path.split('.');
  let node = base as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) node = (node[k] ??= {}) as Record<string, unknown>;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  node[keys[keys.length - 1]!] = value;
}
const spec = modelSpec.parse(base);
const folds = arg('folds', '0,3').split(',').map(Number);
const datasetDir = arg('dataset', 'artifacts/data-prep/dataset');
const seed = Number(arg('seed', '20261129'));
const tag = arg('tag', sets.join(' ') || 'baseline');
const members = Number(arg('members', '1'));
// The stage's seed purposes: member 0 = the single model's, member m > 0 = `<run>/member-<m>`.
const memberRun = (run: string, m: number) => (m === 0 ? run : `${run}/member-${m}`);

await initCompute(() => {});
const dataset = readImageDataset(datasetDir);
const { manifest } = dataset;
const { x, norm } = modelInputs(dataset);
const pretrainedDir = arg('pretrained', '');
const pretrained = pretrainedDir ? await readPretrained(pretrainedDir) : undefined;
if (pretrained) checkPretrainedFits(pretrained, spec.architecture, norm);
const size = manifest.shape[1];
const rng = (purpose: string) => createRng(deriveSeed(seed, purpose));

const results: number[] = [];
const memberResults: number[][] = [];
for (const k of folds) {
  const heldOut = manifest.splits.folds[k];
  if (!heldOut) throw new Error(`--folds: no fold ${k} (the dataset has ${manifest.splits.folds.length})`);
  const trainIdx = manifest.splits.folds.flatMap((fold, j) => (j === k ? [] : fold));
  const y = heldOut.map((i) => manifest.labels[i]!);
  const sum = new Float32Array(heldOut.length);
  const accs: number[] = [];
  for (let m = 0; m < members; m++) {
    const run = memberRun(`${spec.name}/fold-${k}`, m);
    const model = buildModel(spec.architecture, rng(`${run}/init`).int(2 ** 31), size);
    if (pretrained) initFromPretrained(model, pretrained);
    const t0 = performance.now();
    const history = await train({
      model, x, size, labels: manifest.labels, train: trainIdx, validation: heldOut,
      epochs: spec.training.maxEpochs, batchSize: 32, training: spec.training, rng: rng(`${run}/data`),
    });
    const seconds = (performance.now() - t0) / 1000;
    const z = await predictLogits(logitModel(model), x, size, heldOut, { tta: spec.training.tta, shift: spec.training.ttaShift });
    z.forEach((v, i) => (sum[i] += v / members));
    const acc = accuracy(z, y);
    accs.push(acc);
    const curve = history.map((h) => ((h.validationAccuracy ?? 0) * 100).toFixed(0)).join(' ');
    console.log(`[${tag}] fold ${k} member ${m}: held-out ${(100 * acc).toFixed(1)}% (last epoch), ${(seconds / spec.training.maxEpochs).toFixed(2)} s/epoch incl. eval, train acc ${(100 * history.at(-1)!.trainAccuracy).toFixed(1)}%`);
    console.log(`[${tag}] fold ${k} member ${m} curve: ${curve}`);
    model.dispose();
  }
  const acc = accuracy(sum, y);
  results.push(acc);
  memberResults.push(accs);
  if (members > 1) console.log(`[${tag}] fold ${k}: ensemble of ${members} ${(100 * acc).toFixed(1)}% (members ${accs.map((a) => (100 * a).toFixed(1)).join(' / ')})`);
}
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
if (members > 1) console.log(`[${tag}] single members, mean over folds: ${Array.from({ length: members }, (_, m) => (100 * mean(memberResults.map((r) => r[m]!))).toFixed(1)).join(' / ')}`);
console.log(`[${tag}] RESULT${members > 1 ? ` (ensemble of ${members})` : ''} folds ${folds.join(',')}: ${results.map((a) => (100 * a).toFixed(1)).join(' / ')} mean ${((100 * results.reduce((a, b) => a + b, 0)) / results.length).toFixed(1)}%`);
