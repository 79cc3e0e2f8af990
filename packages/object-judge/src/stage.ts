// Stage object-judge: a 12-way classifier — CIFAR-10's ten classes + the dataset's classes (clock,
// crocodile; training split only) — trained from random weights. The generator asks it whether a
// "clock" sample is a clock at all, rather than only "more clock than crocodile?": a 2-way
// classifier answers that from palette and texture, so colour blobs pass it; this one can say frog.
// Writes the model (logits over the 12 classes, features in 'pooled') and its accuracy on the
// CIFAR-10 test split and on the dataset's held-out clocks and crocodiles.
import type * as tfTypes from '@tensorflow/tfjs';
import { costKey, defineStage, readImageDataset, writeJsonAtomic } from '@cvc/core';
import { tf } from '@cvc/core/backend';
import { objectJudgeModelMetadata } from '@cvc/artifacts/object-judge';
import { accuracyReport } from './accuracy.ts';
import { objectJudgeParams } from './params.ts';
import { twelveWaySet } from './training-set.ts';
import { CIFAR10_CLASSES, CIFAR10_PACKAGE, normalizeImages, readCifar10, saveModel, softmaxRecipe, trainSoftmaxClassifier, type Normalization } from './vision.ts';

const IMAGE_BYTES = 32 * 32 * 3;

/** Logits [n, classes] of normalised images [n, 32, 32, 3], in batches. */
function logitsOf(model: tfTypes.LayersModel, x: Float32Array, n: number, batchSize = 256): Float32Array {
  const classes = model.outputs[0]!.shape[1] as number;
  const out = new Float32Array(n * classes);
  for (let start = 0; start < n; start += batchSize) {
    const m = Math.min(batchSize, n - start);
    const z = tf.tidy(() => (model.predict(tf.tensor4d(x.subarray(start * IMAGE_BYTES, (start + m) * IMAGE_BYTES), [m, 32, 32, 3])) as tfTypes.Tensor).dataSync());
    out.set(z as Float32Array, start * classes);
  }
  return out;
}

const rowsOf = (images: Uint8Array, idx: number[]) => {
  const out = new Uint8Array(idx.length * IMAGE_BYTES);
  idx.forEach((i, k) => out.set(images.subarray(i * IMAGE_BYTES, (i + 1) * IMAGE_BYTES), k * IMAGE_BYTES));
  return out;
};

export default defineStage({
  name: 'object-judge',
  params: objectJudgeParams,
  usesTensorflow: true,
  async run(ctx) {
    const { params } = ctx;
    const dataset = readImageDataset(ctx.input('dataset'));
    const { manifest } = dataset;
    if (manifest.shape[1] !== 32) throw new Error(`${ctx.input('dataset')}: the object judge is built for 32x32 images, dataset has ${manifest.shape[1]}x${manifest.shape[2]}`);
    const clash = manifest.classNames.find((c) => (CIFAR10_CLASSES as readonly string[]).includes(c));
    if (clash) throw new Error(`${ctx.input('dataset')}: class "${clash}" is also a CIFAR-10 class; the 12-way judge needs distinct names`);
    const norm: Normalization = { mean: manifest.mean, std: manifest.std };
    const classNames = [...CIFAR10_CLASSES, ...manifest.classNames];

    const cifar = await readCifar10(params.cifar10, params.limit);
    const set = twelveWaySet(cifar.train, CIFAR10_CLASSES.length, { images: dataset.images, labels: manifest.labels, indices: manifest.splits.train, classes: manifest.classNames.length }, params.balance);
    ctx.log(
      `CIFAR-10 from ${params.cifar10}: ${cifar.train.labels.length} training, ${cifar.test.labels.length} test images; ` +
        manifest.classNames.map((c, k) => `${c}: ${manifest.splits.train.filter((i) => manifest.labels[i] === k).length} training images × ${set.repeats[k]}`).join(', ') +
        ` → ${set.labels.length} images per epoch, ${classNames.length} classes`,
    );

    const plan = ctx.plan([{ id: 'object-judge', label: `12-way resnet (${set.labels.length} images)`, epochs: params.epochs, costKey: costKey('resnet-12way', [params.architecture, params.batchSize, params.augment]), size: set.labels.length }]);
    const cifarTest = { x: normalizeImages(cifar.test.images, norm), labels: cifar.test.labels };
    const { model, history } = await trainSoftmaxClassifier({
      architecture: params.architecture,
      classes: classNames.length,
      train: { x: normalizeImages(set.images, norm), labels: set.labels },
      test: cifarTest,
      size: 32,
      epochs: params.epochs,
      ...softmaxRecipe(params),
      initSeed: ctx.rng('init').int(2 ** 31),
      rng: ctx.rng('data'),
      report: plan.start('object-judge'),
    });

    // Held-out accuracy: CIFAR-10's test split, and the dataset's test and validation images (never trained on).
    const cifarReport = accuracyReport(logitsOf(model, cifarTest.x, cifarTest.labels.length), cifarTest.labels, classNames);
    const heldOut = (split: number[]) =>
      accuracyReport(logitsOf(model, normalizeImages(rowsOf(dataset.images, split), norm), split.length), split.map((i) => CIFAR10_CLASSES.length + manifest.labels[i]!), classNames);
    const test = heldOut(manifest.splits.test);
    const validation = heldOut(manifest.splits.validation);
    ctx.log(`CIFAR-10 test ${(100 * cifarReport.top1).toFixed(1)}%, dataset test ${(100 * test.top1).toFixed(1)}%`);
    for (const [name, acc] of Object.entries(test.perClass)) ctx.log(`test ${name}: top-1 ${(100 * acc.top1).toFixed(1)}% of ${acc.count} (called ${Object.entries(acc.predicted).map(([c, k]) => `${c} ${k}`).join(', ')})`);

    const data = {
      cifar10: { package: CIFAR10_PACKAGE.spec, integrity: CIFAR10_PACKAGE.integrity, train: cifar.train.labels.length, test: cifar.test.labels.length },
      dataset: { contentHash: manifest.contentHash, trainImages: manifest.splits.train.length, repeats: Object.fromEntries(manifest.classNames.map((c, k) => [c, set.repeats[k]!])) },
    };
    const accuracy = { cifar10Test: cifarReport.top1, datasetTest: Object.fromEntries(Object.entries(test.perClass).map(([c, a]) => [c, a.top1])) };
    await saveModel(model, ctx.output('object_judge_model'), objectJudgeModelMetadata, {
      classes: classNames,
      normalization: norm,
      inputSize: 32,
      output: 'logits',
      featureLayer: 'pooled',
      architecture: params.architecture,
      epochs: params.epochs,
      data,
      accuracy,
    });
    model.dispose();
    writeJsonAtomic(ctx.output('object_judge_metrics'), { classes: classNames, data, epochs: params.epochs, accuracy, cifar10Test: cifarReport, datasetTest: test, datasetValidation: validation, history });
  },
});
