// An n-way classifier trained with softmax cross-entropy (the pretrain stage's CIFAR-10 run, and
// any other many-class network): one of buildModel's networks (member 0's layer names) with an
// n-way head on its fc7 features; SGD + Nesterov, warm-up + cosine LR, decoupled weight decay,
// label smoothing, flips and pad + crop. The test split is scored after every epoch.
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '@cvc/core/backend';
import { shuffled, type EpochReporter, type Rng } from '@cvc/core';
import type { ArchitectureOptions } from './architecture.ts';
import { augmentBatch } from './augment.ts';
import { buildModel } from './models.ts';
import { PRETRAINED_HEAD } from './pretrained.ts';
import { learningRateAt } from './schedule.ts';
import { makeOptimizer, readStep, supervisedStep, trainableVariables } from './train-step.ts';

export interface SoftmaxEpoch {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
}

export interface SoftmaxTrainingRun {
  architecture: ArchitectureOptions;
  classes: number;
  /** Normalised images float32 [n, size, size, 3] and labels 0..classes-1. */
  train: { x: Float32Array; labels: number[] };
  test: { x: Float32Array; labels: number[] };
  size: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  warmupEpochs: number;
  weightDecay: number;
  labelSmoothing: number;
  augment: { flip: boolean; pad: number };
  initSeed: number;
  rng: Rng;
  /** One line per epoch (and a live bar) through the stage's training plan. */
  report?: EpochReporter;
}

/** buildModel's network up to fc7 (after its dropout) → dense(classes) named `head` (the pretrain stage's: PRETRAINED_HEAD). */
export function softmaxModel(architecture: ArchitectureOptions, classes: number, seed: number, size = 32, head = PRETRAINED_HEAD): tfTypes.LayersModel {
  const base = buildModel(architecture, seed, size);
  const features = base.getLayer(base.layers.some((l) => l.name === 'fc7_dropout') ? 'fc7_dropout' : 'fc7').output as tfTypes.SymbolicTensor; // [batch, dense]
  // The head's seed follows the trunk's (buildModel draws seed, seed + 1, ... in layer order; 1000 is past them).
  const logits = tf.layers.dense({ units: classes, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1000 }), name: head }).apply(features) as tfTypes.SymbolicTensor; // [batch, classes]
  return tf.model({ inputs: base.inputs, outputs: logits, name: `${architecture.kind}_softmax` });
}

/** Softmax cross-entropy and accuracy of `model` on a labelled set (no augmentation). */
export async function evaluateSoftmax(model: tfTypes.LayersModel, set: { x: Float32Array; labels: number[] }, size: number, classes: number, batchSize = 256): Promise<{ loss: number; accuracy: number }> {
  const pixels = size * size * 3;
  let lossSum = 0, correct = 0;
  const n = set.labels.length;
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const [loss, hits] = tf.tidy(() => {
      const xs = tf.tensor4d(set.x.subarray(start * pixels, (start + count) * pixels), [count, size, size, 3]);
      const labels = tf.tensor1d(set.labels.slice(start, start + count), 'int32');
      const z = model.predict(xs) as tfTypes.Tensor2D; // [count, classes]
      const loss = tf.sum(tf.losses.softmaxCrossEntropy(tf.oneHot(labels, classes), z, undefined, 0, tf.Reduction.NONE));
      return [loss, tf.sum(tf.cast(tf.equal(tf.argMax(z, 1), labels), 'float32'))];
    });
    lossSum += (await loss.data())[0]!;
    correct += (await hits.data())[0]!;
    loss.dispose();
    hits.dispose();
  }
  return { loss: lossSum / n, accuracy: correct / n };
}

export async function trainSoftmaxClassifier(run: SoftmaxTrainingRun): Promise<{ model: tfTypes.LayersModel; history: SoftmaxEpoch[] }> {
  const { size, classes, batchSize } = run;
  const pixels = size * size * 3;
  const model = softmaxModel(run.architecture, classes, run.initSeed, size);
  const { optimizer, setLearningRate } = makeOptimizer('sgd', run.learningRate);
  // Decay conv and dense kernels only, as in the classifier.
  const { variables, decayed } = trainableVariables(model.trainableWeights, run.weightDecay);
  const n = run.train.labels.length;
  const stepsPerEpoch = Math.ceil(n / batchSize);
  const totalSteps = stepsPerEpoch * run.epochs;
  const indices = Array.from({ length: n }, (_, i) => i);
  const augment = { flip: run.augment.flip, pad: run.augment.pad, cutout: 0 };
  const history: SoftmaxEpoch[] = [];
  let step = 0;
  for (let epoch = 1; epoch <= run.epochs; epoch++) {
    const order = shuffled(indices, run.rng);
    let lossSum = 0, correct = 0;
    for (let start = 0; start < n; start += batchSize) {
      const batch = order.slice(start, start + batchSize);
      const data = augmentBatch(run.train.x, batch, size, augment, run.rng); // [batch, size, size, 3]
      const lr = learningRateAt(step, totalSteps, stepsPerEpoch * run.warmupEpochs, run.learningRate, 'cosine');
      setLearningRate(lr);
      const xs = tf.tensor4d(data, [batch.length, size, size, 3]);
      const labels = tf.tensor1d(batch.map((i) => run.train.labels[i]!), 'int32');
      const result = await readStep(
        supervisedStep(
          { optimizer, variables, decayed, learningRate: lr, weightDecay: run.weightDecay },
          () => model.apply(xs, { training: true }) as tfTypes.Tensor, // [batch, classes]
          (z) => tf.losses.softmaxCrossEntropy(tf.oneHot(labels, classes), z, undefined, run.labelSmoothing) as tfTypes.Scalar,
          (z) => tf.sum(tf.cast(tf.equal(tf.argMax(z, 1), labels), 'float32')),
        ),
      );
      tf.dispose([xs, labels]);
      lossSum += result.loss * batch.length;
      correct += result.hits;
      step++;
      const seen = Math.min(n, start + batch.length);
      run.report?.batch(epoch, step - (epoch - 1) * stepsPerEpoch, stepsPerEpoch, { loss: lossSum / seen, acc: correct / seen });
    }
    const test = await evaluateSoftmax(model, run.test, size, classes);
    history.push({ epoch, trainLoss: lossSum / n, trainAccuracy: correct / n, testLoss: test.loss, testAccuracy: test.accuracy });
    run.report?.epoch(epoch, { loss: lossSum / n, acc: correct / n, test_loss: test.loss, test_acc: test.accuracy });
  }
  optimizer.dispose();
  return { model, history };
}
