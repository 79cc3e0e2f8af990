// Stage classifier: trains the configured models (the study's shallow net and CNN, and a small
// ResNet) with epochs chosen on validation, cross-validates them, calibrates them, and writes
// saved models, out-of-fold probabilities, metrics, a model card and pictures.
import { join } from 'node:path';
import { defineStage, readImageDataset, writeFileAtomic, writeJsonArtifact } from '@cvc/core';
import { classifierParams } from './params.ts';
import { runModel, type ModelRuns } from './run-model.ts';
import { classifierPlan } from './plan.ts';
import { evaluateModel, outOfFoldImages } from './evaluate.ts';
import { misclassifiedPng, reliabilityPng, trainingCurvesPng } from './plots.ts';
import { modelCard } from './model-card.ts';
import { bestModel } from '@cvc/artifacts/classifier-models';
import { classifierMetrics } from '@cvc/artifacts/classifier-metrics';
import { classifierOof } from '@cvc/artifacts/classifier-oof';
import { modelInputs } from '@cvc/vision/normalize';
import { checkPretrainedFits, readPretrained } from '@cvc/vision/pretrained';

export default defineStage({
  name: 'classifier',
  params: classifierParams,
  usesTensorflow: true,
  outputSchemas: { classifier_metrics: classifierMetrics, classifier_oof: classifierOof },
  async run(ctx) {
    const { params } = ctx;
    const dataset = readImageDataset(ctx.input('dataset'));
    const { manifest } = dataset;
    if (manifest.classNames.length !== 2) throw new Error(`${ctx.input('dataset')}: the classifier is binary; the dataset has ${manifest.classNames.length} classes (${manifest.classNames.join(', ')})`);
    if (manifest.splits.validation.length === 0) throw new Error(`${ctx.input('dataset')}: the validation split is empty; epochs and temperature are chosen on it`);
    const classPair: [string, string] = [manifest.classNames[0]!, manifest.classNames[1]!];
    const { x, norm } = modelInputs(dataset);
    const modelsDir = ctx.output('classifier_models');
    const plotsDir = ctx.output('classifier_plots');

    // Checked before any training, so a mismatch fails in seconds, not after the other models.
    const pretrainedSpecs = params.models.filter((m) => m.init === 'pretrained');
    const pretrained = pretrainedSpecs.length > 0 ? await readPretrained(ctx.input('pretrained_model')) : undefined;
    for (const spec of pretrainedSpecs) {
      checkPretrainedFits(pretrained!, spec.architecture, norm);
      ctx.log(`${spec.name}: every layer but the logit starts from the pretrain stage's model (${pretrained!.dir})`);
    }

    const plan = ctx.plan(classifierPlan(params.models, manifest.splits, params.batchSize));
    const all: ModelRuns[] = [];
    for (const spec of params.models) {
      all.push(
        await runModel(
          { dataset, x, norm, batchSize: params.batchSize, modelsDir, rng: ctx.rng, plan, log: ctx.log, ...(pretrained ? { pretrained } : {}) },
          spec,
        ),
      );
    }

    const metrics = all.map((runs) => evaluateModel(runs, manifest, params.calibrationBins));
    const best = metrics.reduce((a, b) => (b.crossValidation.mean > a.crossValidation.mean ? b : a)).model;
    for (const m of metrics) {
      ctx.log(
        `${m.model}: CV ${(100 * m.crossValidation.mean).toFixed(1)}% ± ${(100 * m.crossValidation.std).toFixed(1)}, test ${(100 * m.test.accuracy).toFixed(1)}% (full), ` +
          `${(100 * m.testFoldEnsemble.accuracy).toFixed(1)}% (fold ensemble), AUC ${m.test.auc.toFixed(3)}, ECE ${m.outOfFold.ece.raw.toFixed(3)} → ${m.outOfFold.ece.calibrated.toFixed(3)}`,
      );
    }
    writeJsonArtifact(join(modelsDir, 'best.json'), bestModel, { model: best, folds: manifest.splits.folds.length });

    const images = outOfFoldImages(all, manifest);
    writeJsonArtifact(ctx.output('classifier_oof'), classifierOof, {
      classes: classPair,
      models: all.map((r) => r.spec.name),
      folds: manifest.splits.folds.length,
      temperature: Object.fromEntries(all.map((r) => [r.spec.name, Number(r.temperature.toFixed(6))])),
      note: 'pCrocodile: temperature-scaled, out-of-fold (dev images: own fold model; test images: mean of fold models). foldProbabilities: raw p of every fold model (only entry [fold] is out-of-fold for dev images).',
      images,
    });
    writeJsonArtifact(ctx.output('classifier_metrics'), classifierMetrics, {
      classes: classPair,
      dataset: manifest.contentHash,
      splits: { train: manifest.splits.train.length, validation: manifest.splits.validation.length, test: manifest.splits.test.length, folds: manifest.splits.folds.length },
      best,
      models: metrics,
      history: Object.fromEntries(all.map((r) => [r.spec.name, r.validationHistory])),
    });
    writeFileAtomic(ctx.output('classifier_card'), modelCard(manifest, params.models, metrics, best, params.batchSize));

    for (const runs of all) {
      writeFileAtomic(join(plotsDir, `curves-${runs.spec.name}.png`), await trainingCurvesPng(runs.spec.name, runs.validationHistory, runs.epochs, runs.spec.training));
      writeFileAtomic(join(plotsDir, `misclassified-${runs.spec.name}.png`), await misclassifiedPng(runs.spec.name, dataset, images, params.galleryMax));
    }
    writeFileAtomic(join(plotsDir, 'reliability.png'), await reliabilityPng(metrics));
    pretrained?.model.dispose();
  },
});
