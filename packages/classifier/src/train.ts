// One training run: seeded shuffling and augmentation per epoch, Adam (native fused when
// available), constant or warm-up + cosine learning rate, sigmoid cross-entropy on the logit
// with optional label smoothing. Optionally evaluates a held-out set after every epoch.
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '@cvc/core/backend';
import { fastAdam } from '@cvc/compute';
import { shuffled, type Progress, type Rng } from '@cvc/core';
import { augmentInto } from './augment.ts';
import { logitModel } from './models.ts';
import { predictLogits } from './predict.ts';
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
  progress?: Progress;
  /** Called with the validation logits after every epoch (e.g. to calibrate the chosen epoch's model). */
  onValidation?: (epoch: number, logits: Float32Array) => void;
}

export function learningRateAt(step: number, totalSteps: number, warmupSteps: number, base: number, schedule: 'constant' | 'cosine'): number {
  if (schedule === 'constant') return base;
  if (step < warmupSteps) return (base * (step + 1)) / warmupSteps;
  const t = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
  return 0.5 * base * (1 + Math.cos(Math.PI * Math.min(1, t)));
}

export async function train(run: TrainRun): Promise<EpochRecord[]> {
  const { model, x, size, labels, training } = run;
  const pixels = size * size * 3;
  const logits = logitModel(model);
  const optimizer = fastAdam(tf, training.learningRate);
  const variables = model.trainableWeights.map((w) => w.read() as tfTypes.Variable);
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
      const data = new Float32Array(batch.length * pixels);
      batch.forEach((index, j) => augmentInto(x.subarray(index * pixels, (index + 1) * pixels), data, j * pixels, size, training.augment, run.rng));
      const targets = Float32Array.from(batch, (index) => labels[index]!);
      // tfjs keeps learningRate protected, but its Adam reads it on every step: the schedule sets it here.
      (optimizer as unknown as { learningRate: number }).learningRate = learningRateAt(step, totalSteps, warmupSteps, training.learningRate, training.schedule);
      const [loss, hits] = tf.tidy(() => {
        const xs = tf.tensor4d(data, [batch.length, size, size, 3]);
        const ys = tf.tensor2d(targets, [batch.length, 1]);
        let batchLogits: tfTypes.Tensor | undefined;
        const { value, grads } = tf.variableGrads(() => {
          const z = logits.apply(xs, { training: true }) as tfTypes.Tensor; // [batch, 1]
          batchLogits = tf.keep(z);
          return tf.losses.sigmoidCrossEntropy(ys, z, undefined, training.labelSmoothing) as tfTypes.Scalar;
        }, variables);
        optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
        const hitCount = tf.sum(tf.equal(tf.greater(batchLogits!, 0), tf.greater(ys, 0.5)));
        batchLogits!.dispose();
        return [value, hitCount];
      });
      lossSum += (await loss.data())[0]! * batch.length;
      correct += (await hits.data())[0]!;
      loss.dispose();
      hits.dispose();
      step++;
    }
    const record: EpochRecord = { epoch, trainLoss: lossSum / order.length, trainAccuracy: correct / order.length };
    if (run.validation && run.validation.length > 0) {
      const z = await predictLogits(logits, x, size, run.validation, { tta: training.tta });
      const y = run.validation.map((i) => labels[i]!);
      record.validationLoss = binaryLogLoss(z, y);
      record.validationAccuracy = accuracy(z, y);
      run.onValidation?.(epoch, z);
    }
    history.push(record);
    run.progress?.tick(1, `epoch ${epoch} loss ${record.trainLoss.toFixed(3)}${record.validationAccuracy !== undefined ? ` val acc ${record.validationAccuracy.toFixed(3)}` : ''}`);
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
