// resnet-pretrain: one CIFAR-10 epoch of the pretrain stage — its own loop (trainSoftmaxClassifier) (seeded
// flips + pad-4 crops in JS, SGD Nesterov 0.9 with warm-up + cosine LR and decoupled weight decay,
// label smoothing) at the pipeline's params: 50,000 images, batch 128, 391 steps.
// Timed: from the call until the epoch's last step (model build and step 1 included, the test
// evaluation after the epoch not); the per-step median is reported too.
import { createRng } from '@cvc/core';
import { cifar10Images, normalised, stageParams } from '../data.ts';
import { counters, median, round, since, threadSplit, weightsFnv } from '../measure.ts';
import { pretrainParams, trainSoftmaxClassifier } from '../models.ts';
import type { RunOptions, WorkloadResult } from './types.ts';
import { softmaxRecipe } from '@cvc/vision/softmax-recipe';

export async function resnetPretrain(o: RunOptions): Promise<WorkloadResult> {
  const params = pretrainParams.parse(stageParams('pretrain'));
  const n = o.images ?? params.limit.train;
  const data = await cifar10Images(n, o.synthetic);
  const x = normalised(data);
  const ticks: number[] = [];
  const c0 = counters(o.addon);
  const t0 = performance.now();
  const { model, history } = await trainSoftmaxClassifier({
    architecture: params.architecture,
    classes: 10,
    train: { x, labels: data.labels },
    test: { x: x.subarray(0, 32 * 32 * 3 * 8), labels: data.labels.slice(0, 8) },
    size: 32,
    epochs: 1,
    ...softmaxRecipe(params),
    initSeed: 1234,
    rng: createRng(5678),
    report: { resume: () => {}, batch: () => void ticks.push(performance.now()), epoch: () => {} },
  });
  const seconds = (ticks.at(-1)! - t0) / 1000;
  const d = since(c0, counters(o.addon));
  d.wall = seconds;
  const steps = ticks.map((t, i) => (t - (i === 0 ? t0 : ticks[i - 1]!)) / 1000);
  const hash = weightsFnv(model.weights.map((w: { read(): import("@tensorflow/tfjs").Tensor }) => w.read()));
  model.dispose();
  const config = { ...params.architecture, ...softmaxRecipe(params) };
  return {
    seconds, unit: `one epoch: ${steps.length} steps of batch ${params.batchSize}`, images: n, loss: history[0]!.trainLoss, weightsFnv: hash, data: data.source,
    extra: { stepSecondsMedian: round(median(steps.slice(1)), 4), firstStepSeconds: round(steps[0]!, 3), ...threadSplit(d, o.threads, !!o.addon) },
    twin: { script: 'resnet_pretrain.py', args: ['--config', JSON.stringify(config)], data },
  };
}
