// Stage pretrain: the classifier's resnet learns general image features on CIFAR-10's 50,000
// training images (airplane … truck: no clock, no crocodile), so the classifier starts from them
// instead of from random weights. Writes the model (tfjs format; the classifier reads it by layer
// name), per-epoch metrics on CIFAR-10's test split, and the curves.
import { join } from 'node:path';
import { costKey, defineStage, readImageDataset, writeFileAtomic, writeJsonArtifact } from '@cvc/core';
import { pretrainMetrics } from '@cvc/artifacts/pretrain-metrics';
import { tf } from '@cvc/core/backend';
import { normalizeImages } from '@cvc/vision/normalize';
import { savePretrained } from '@cvc/vision/pretrained';
import { trainSoftmaxClassifier } from '@cvc/vision/softmax-training';
import { pretrainParams } from './params.ts';
import { CIFAR10_CLASSES, CIFAR10_PACKAGE, readCifar10 } from '@cvc/cifar10';
import { pretrainCurvesPng } from './plots.ts';
import { softmaxRecipe } from '@cvc/vision/softmax-recipe';

export default defineStage({
  name: 'pretrain',
  params: pretrainParams,
  usesTensorflow: true,
  outputSchemas: { pretrain_metrics: pretrainMetrics },
  async run(ctx) {
    const { params } = ctx;
    // The clocks-vs-crocodiles dataset's normalisation, so pretrained layers see inputs exactly as the classifier feeds them.
    const { manifest } = readImageDataset(ctx.input('dataset'));
    const norm = { mean: manifest.mean, std: manifest.std };
    const cifar = await readCifar10(params.cifar10, params.limit);
    ctx.log(`CIFAR-10 from ${params.cifar10}: ${cifar.train.labels.length} training, ${cifar.test.labels.length} test images`);
    const size = 32;
    const plan = ctx.plan([{ id: 'pretrain', label: `resnet on CIFAR-10 (${cifar.train.labels.length} images)`, epochs: params.epochs, costKey: costKey('resnet', [params.architecture, params.batchSize, params.augment]), size: cifar.train.labels.length }]);
    const { model, history } = await trainSoftmaxClassifier({
      architecture: params.architecture,
      classes: CIFAR10_CLASSES.length,
      train: { x: normalizeImages(cifar.train.images, norm), labels: cifar.train.labels },
      test: { x: normalizeImages(cifar.test.images, norm), labels: cifar.test.labels },
      size,
      epochs: params.epochs,
      ...softmaxRecipe(params),
      initSeed: ctx.rng('init').int(2 ** 31),
      rng: ctx.rng('data'),
      report: plan.start('pretrain'),
    });
    const last = history.at(-1)!;
    ctx.log(`CIFAR-10 test accuracy ${(100 * last.testAccuracy).toFixed(1)}% after ${params.epochs} epoch${params.epochs === 1 ? '' : 's'}`);

    const data = { package: CIFAR10_PACKAGE.spec, integrity: CIFAR10_PACKAGE.integrity, classes: [...CIFAR10_CLASSES], train: cifar.train.labels.length, test: cifar.test.labels.length };
    await savePretrained(model, ctx.output('pretrained_model'), {
      architecture: params.architecture,
      normalization: norm,
      inputSize: size,
      output: `logits over ${CIFAR10_CLASSES.length} CIFAR-10 classes`,
      data,
      epochs: params.epochs,
      testAccuracy: last.testAccuracy,
    });
    model.dispose();
    writeJsonArtifact(ctx.output('pretrain_metrics'), pretrainMetrics, { data, epochs: params.epochs, testAccuracy: last.testAccuracy, history });
    writeFileAtomic(join(ctx.output('pretrain_plots'), 'curves.png'), await pretrainCurvesPng(history, `resnet on CIFAR-10 (${data.train.toLocaleString('en')} training images): test accuracy ${(100 * last.testAccuracy).toFixed(1)}%`));
  },
});
