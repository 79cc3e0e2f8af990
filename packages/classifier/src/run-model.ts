// Everything trained for one model spec: a run on the train split (validation curves, the epoch
// count, the temperature), one model per cross-validation fold, and the full model on
// train ∪ validation. Returns logits only; the stage turns them into metrics and artifacts.
import { join } from 'node:path';
import type { Dataset, Rng, TrainingPlan } from '@cvc/core';
import { saveClassifierModel } from '@cvc/vision/classifier-model';
import { buildModel, logitModel } from '@cvc/vision/models';
import { type Normalization } from '@cvc/vision/normalize';
import { predictLogits } from '@cvc/vision/predict';
import { checkPretrainedFits, initFromPretrained, type PretrainedModel } from '@cvc/vision/pretrained';
import { accuracy, binaryLogLoss, fitTemperature } from './metrics.ts';
import { chooseEpochs, train, type EpochRecord } from './train.ts';
import type { ModelSpec } from './params.ts';
import { planItemId } from './plan.ts';

export interface ModelRuns {
  spec: ModelSpec;
  /** Per-epoch curves of the run on the train split, evaluated on the validation split. */
  validationHistory: EpochRecord[];
  /** Epochs for the fold and full models, chosen on the validation split. */
  epochs: number;
  /** Temperature fitted on the validation split's logits of the train-split run. */
  temperature: number;
  /** Logits of the train-split run at the chosen epoch for the validation split (in splits.validation order). */
  validationLogits: Float32Array;
  /** foldLogits[k][i]: logit of image i (every image of the dataset) from the model of fold k. */
  foldLogits: Float32Array[];
  /** Logits of the full model for every image (only test images are unseen by it). */
  fullLogits: Float32Array;
}

export interface RunContext {
  dataset: Dataset;
  x: Float32Array;
  norm: Normalization;
  batchSize: number;
  modelsDir: string;
  rng(purpose: string): Rng;
  /** The stage's training plan (plan.ts): one line per epoch, the stage's ETA. */
  plan: TrainingPlan;
  log(message: string): void;
  /** The pretrain stage's model, for specs with init: pretrained. */
  pretrained?: PretrainedModel;
}

const allIndices = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Seed purposes of ensemble member m: member 0 = the single network's, so `ensemble: 1` is unchanged. */
export const memberRun = (run: string, m: number): string => (m === 0 ? run : `${run}/member-${m}`);

async function trainOne(ctx: RunContext, spec: ModelSpec, run: string, trainIdx: number[], epochs: number, validation?: number[], onValidation?: (epoch: number, logits: Float32Array) => void) {
  const { manifest } = ctx.dataset;
  const size = manifest.shape[1];
  const members = spec.ensemble;
  const seeds = Array.from({ length: members }, (_, m) => ctx.rng(`${spec.name}/${memberRun(run, m)}/init`).int(2 ** 31));
  const model = buildModel(spec.architecture, members === 1 ? seeds[0]! : seeds, size);
  if (spec.init === 'pretrained') initFromPretrained(model, ctx.pretrained!);
  // Members train one after another, each on its own seeded data order; the ensemble's validation
  // logits per epoch are the mean of the members' (so epochs are chosen on the ensemble's curve).
  const histories: EpochRecord[][] = [];
  const validationSums: Float32Array[] = [];
  for (let m = 0; m < members; m++) {
    histories.push(
      await train({
        model,
        x: ctx.x,
        size,
        labels: manifest.labels,
        train: trainIdx,
        ...(validation ? { validation } : {}),
        ...(validation ? { onValidation: (epoch: number, z: Float32Array) => {
          const sum = (validationSums[epoch - 1] ??= new Float32Array(z.length));
          z.forEach((v, i) => (sum[i] = sum[i]! + v / members));
        } } : {}),
        ...(members > 1 ? { member: m } : {}),
        epochs,
        batchSize: ctx.batchSize,
        training: spec.training,
        rng: ctx.rng(`${spec.name}/${memberRun(run, m)}/data`),
        report: ctx.plan.start(planItemId(spec.name, run, m)),
      }),
    );
  }
  const history = members === 1 ? histories[0]! : ensembleHistory(histories, validationSums, validation?.map((i) => manifest.labels[i]!));
  if (validation && onValidation) validationSums.forEach((z, e) => onValidation(e + 1, z));
  return { model, history };
}

/** Per epoch: the members' mean training loss and accuracy; validation figures of the mean logits. */
function ensembleHistory(histories: EpochRecord[][], validationSums: Float32Array[], y?: number[]): EpochRecord[] {
  const mean = (f: (h: EpochRecord) => number, e: number) => histories.reduce((s, h) => s + f(h[e]!), 0) / histories.length;
  return histories[0]!.map((first, e) => ({
    epoch: first.epoch,
    trainLoss: mean((h) => h.trainLoss, e),
    trainAccuracy: mean((h) => h.trainAccuracy, e),
    ...(y && validationSums[e] ? { validationLoss: binaryLogLoss(validationSums[e], y), validationAccuracy: accuracy(validationSums[e], y) } : {}),
  }));
}

export async function runModel(ctx: RunContext, spec: ModelSpec): Promise<ModelRuns> {
  const { manifest } = ctx.dataset;
  const { splits } = manifest;
  const size = manifest.shape[1];
  const n = manifest.labels.length;
  const { tta, ttaShift } = spec.training;
  if (spec.init === 'pretrained') {
    if (!ctx.pretrained) throw new Error(`model ${spec.name}: init: pretrained, but no pretrained model was given`);
    checkPretrainedFits(ctx.pretrained, spec.architecture, ctx.norm);
  }

  // 1. Train split only, validation after every epoch: curves, epoch count, temperature.
  const logitsByEpoch: Float32Array[] = [];
  const probe = await trainOne(ctx, spec, 'validation-run', splits.train, spec.training.maxEpochs, splits.validation, (_, z) => logitsByEpoch.push(z));
  const epochs = chooseEpochs(probe.history);
  for (let k = 0; k < splits.folds.length; k++) for (let m = 0; m < spec.ensemble; m++) ctx.plan.setEpochs(planItemId(spec.name, `fold-${k}`, m), epochs);
  for (let m = 0; m < spec.ensemble; m++) ctx.plan.setEpochs(planItemId(spec.name, 'full', m), epochs);
  // Calibrate the model as it was at the chosen epoch: later epochs are more confident than the
  // fold and full models (trained for `epochs`), so their temperature would over-soften those.
  const validationLogits = logitsByEpoch[epochs - 1]!;
  const temperature = fitTemperature(validationLogits, splits.validation.map((i) => manifest.labels[i]!));
  probe.model.dispose();
  ctx.log(`${spec.name}: ${epochs} epochs chosen on validation (of ${spec.training.maxEpochs}); temperature ${temperature.toFixed(3)}`);

  const metadata = (fold: number | 'full', trainedOn: number) => ({
    classes: [manifest.classNames[0]!, manifest.classNames[1]!] as [string, string], // the stage checked: two classes
    inputSize: size,
    normalization: ctx.norm,
    output: 'sigmoid' as const,
    model: spec.name,
    fold,
    epochs,
    trainedOn,
    temperature,
    tta,
    ttaShift,
    ensemble: spec.ensemble,
    params: spec,
    dataset: manifest.contentHash,
  });

  // 2. One model per fold, trained on the other folds; scores every image.
  const foldLogits: Float32Array[] = [];
  for (let k = 0; k < splits.folds.length; k++) {
    const trainIdx = splits.folds.flatMap((fold, j) => (j === k ? [] : fold));
    const { model } = await trainOne(ctx, spec, `fold-${k}`, trainIdx, epochs);
    foldLogits.push(await predictLogits(logitModel(model), ctx.x, size, allIndices(n), { tta, shift: ttaShift }));
    await saveClassifierModel(model, join(ctx.modelsDir, spec.name, `fold-${k}`), metadata(k, trainIdx.length));
    model.dispose();
  }

  // 3. The full model on train ∪ validation, for users (CLI) and the test-split figure.
  const devIdx = [...splits.train, ...splits.validation].sort((a, b) => a - b);
  const { model } = await trainOne(ctx, spec, 'full', devIdx, epochs);
  const fullLogits = await predictLogits(logitModel(model), ctx.x, size, allIndices(n), { tta });
  await saveClassifierModel(model, join(ctx.modelsDir, spec.name, 'full'), metadata('full', devIdx.length));
  model.dispose();

  return { spec, validationHistory: probe.history, epochs, temperature, validationLogits, foldLogits, fullLogits };
}
