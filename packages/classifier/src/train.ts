// One training run: seeded shuffling and augmentation per epoch (and optional mixup/CutMix),
// Adam (native fused when available) or SGD with Nesterov momentum, optional decoupled weight
// decay, constant or warm-up + cosine learning rate, sigmoid cross-entropy on the logit with
// optional label smoothing, optional weight averaging (EMA). Optionally evaluates a held-out set
// after every epoch (with the averaged weights when EMA is on).
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '@cvc/core/backend';
import { shuffled, type EpochReporter, type Rng } from '@cvc/core';
import { augmentBatch } from '@cvc/vision/augment';
import { WeightAverage } from '@cvc/vision/ema';
import { logitModel, memberLogitModel } from '@cvc/vision/models';
import { predictLogits } from '@cvc/vision/predict';
import { learningRateAt } from '@cvc/vision/schedule';
import { makeOptimizer, readStep, supervisedStep, trainableVariables } from '@cvc/vision/train-step';
import { mixBatch } from './mix.ts';
import { binaryLogLoss, accuracy } from './metrics.ts';
import type { TrainingSpec } from './params.ts';

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  validationLoss?: number;
  validationAccuracy?: number;
}

export interface TrainRun {
  model: tfTypes.LayersModel;
  x: Float32Array;
  size: number;
  labels: readonly number[];
  train: readonly number[];
  validation?: readonly number[];
  epochs: number;
  batchSize: number;
  training: TrainingSpec;
  rng: Rng;
  /** One line per epoch (and a live bar) through the stage's training plan. */
  report?: EpochReporter;
  /** Train only this member of an ensemble model (its weights alone; the others are untouched). */
  member?: number;
  /** Called with the validation logits after every epoch (e.g. to calibrate the chosen epoch's model). */
  onValidation?: (epoch: number, logits: Float32Array) => void;
}

export async function train(run: TrainRun): Promise<EpochRecord[]> {
  const { model, x, size, labels, training } = run;
  const pixels = size * size * 3;
  // The network being trained: the whole model, or one member of an ensemble (a sub-model sharing its layers).
  const net = run.member === undefined ? model : memberLogitModel(model, run.member);
  const logits = run.member === undefined ? logitModel(model) : net;
  const { optimizer, setLearningRate } = makeOptimizer(training.optimizer, training.learningRate);
  const { variables, decayed } = trainableVariables(net.trainableWeights, training.weightDecay);
  const average = training.ema > 0 ? new WeightAverage(net, training.ema) : undefined;
  const stepsPerEpoch = Math.ceil(run.train.length / run.batchSize);
  const totalSteps = stepsPerEpoch * run.epochs;
  const warmupSteps = stepsPerEpoch * training.warmupEpochs;
  const history: EpochRecord[] = [];
  let step = 0;
  for (let epoch = 1; epoch <= run.epochs; epoch++) {
    const order = shuffled(run.train, run.rng);
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < order.length; start += run.batchSize) {
      const batch = order.slice(start, start + run.batchSize);
      const data = augmentBatch(x, batch, size, training.augment, run.rng); // [batch, size, size, 3]
      const targets = Float32Array.from(batch, (index) => labels[index]!);
      mixBatch(data, targets, size, training.mix, run.rng);
      const lr = learningRateAt(step, totalSteps, warmupSteps, training.learningRate, training.schedule);
      setLearningRate(lr);
      const xs = tf.tensor4d(data, [batch.length, size, size, 3]);
      const ys = tf.tensor2d(targets, [batch.length, 1]);
      const result = await readStep(
        supervisedStep(
          { optimizer, variables, decayed, learningRate: lr, weightDecay: training.weightDecay },
          () => logits.apply(xs, { training: true }) as tfTypes.Tensor, // [batch, 1]
          (z) => tf.losses.sigmoidCrossEntropy(ys, z, undefined, training.labelSmoothing) as tfTypes.Scalar,
          (z) => tf.sum(tf.equal(tf.greater(z, 0), tf.greater(ys, 0.5))),
        ),
      );
      tf.dispose([xs, ys]);
      lossSum += result.loss * batch.length;
      correct += result.hits;
      step++;
      average?.update(step);
      run.report?.batch(epoch, step - (epoch - 1) * stepsPerEpoch, stepsPerEpoch, { loss: lossSum / Math.min(order.length, start + batch.length) });
    }
    const record: EpochRecord = { epoch, trainLoss: lossSum / order.length, trainAccuracy: correct / order.length };
    if (run.validation && run.validation.length > 0) {
      const validation = run.validation;
      const predict = () => predictLogits(logits, x, size, validation, { tta: training.tta, shift: training.ttaShift });
      const z = average ? await average.withAverage(predict) : await predict();
      const y = run.validation.map((i) => labels[i]!);
      record.validationLoss = binaryLogLoss(z, y);
      record.validationAccuracy = accuracy(z, y);
      run.onValidation?.(epoch, z);
    }
    history.push(record);
    run.report?.epoch(epoch, {
      loss: record.trainLoss,
      acc: record.trainAccuracy,
      ...(record.validationAccuracy !== undefined ? { val_loss: record.validationLoss!, val_acc: record.validationAccuracy } : {}),
    });
  }
  if (average) {
    average.copyIn();
  }
  optimizer.dispose();
  return history;
}

/** The epoch with the best validation accuracy averaged over a 3-epoch window (ties: lower validation loss, then earlier). */
export function chooseEpochs(history: EpochRecord[]): number {
  const acc = history.map((h) => h.validationAccuracy ?? 0);
  let best = history[0]!;
  let bestScore = -Infinity;
  history.forEach((h, i) => {
    const window = acc.slice(Math.max(0, i - 1), i + 2);
    const score = window.reduce((a, b) => a + b, 0) / window.length;
    if (score > bestScore + 1e-9 || (Math.abs(score - bestScore) <= 1e-9 && (h.validationLoss ?? 0) < (best.validationLoss ?? 0))) {
      best = h;
      bestScore = score;
    }
  });
  return best.epoch;
}
