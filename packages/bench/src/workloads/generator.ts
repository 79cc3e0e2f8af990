// vae / gan / diffusion: N training steps of the generator stage's model at the pipeline's
// params (its own `step()`: losses, spectral norm, DiffAugment, EMA and all), batch 64 of the
// training split in [0, 1] with one-hot labels, built per step as the stage's trainer does.
// Two warm-up steps first; figure = wall time of the N timed steps (--steps, default 24).
import { createRng, shuffled } from '@cvc/core';
import { stageParams, trainingSplit } from '../data.ts';
import { counters, median, round, since, threadSplit, weightsFnv } from '../measure.ts';
import { createGeneratorModel, generatorParams } from '../models.ts';
import type { RunOptions, WorkloadResult } from './types.ts';

export type GeneratorKind = 'vae' | 'gan' | 'diffusion';
const WARMUP = 2;

export function generatorConfig(kind: GeneratorKind) {
  return generatorParams.parse(stageParams('generator'))[kind];
}

export async function generatorWorkload(kind: GeneratorKind, o: RunOptions): Promise<WorkloadResult> {
  const { tf } = o;
  const config = generatorConfig(kind);
  const steps = Math.max(1, o.steps ?? 24);
  const data = trainingSplit(o.synthetic);
  const px = 32 * 32 * 3;
  const pixels = Float32Array.from(data.images, (v) => v / 255);
  const model = createGeneratorModel(tf, kind, config, createRng(300));
  const stepRng = createRng(400);
  const orderRng = createRng(500);
  let order: number[] = [];
  const batch = config.batchSize;
  const times: number[] = [];
  const losses: Record<string, number>[] = [];
  let c0 = counters(o.addon);
  let tStart = 0;
  for (let s = 0; s < WARMUP + steps; s++) {
    if (s === WARMUP) { c0 = counters(o.addon); tStart = performance.now(); }
    const t = performance.now();
    if (order.length < batch) order = shuffled(data.labels.map((_, i) => i), orderRng);
    const idx = order.splice(0, batch);
    const xs = new Float32Array(idx.length * px);
    idx.forEach((i, k) => xs.set(pixels.subarray(i * px, (i + 1) * px), k * px));
    const x = tf.tensor4d(xs, [idx.length, 32, 32, 3]);
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d(idx.map((i) => data.labels[i]!), 'int32'), 2).toFloat() as ReturnType<typeof tf.tensor2d>);
    const l = model.step({ x, y }, stepRng);
    tf.dispose([x, y]);
    if (s >= WARMUP) { times.push((performance.now() - t) / 1000); losses.push(l); }
  }
  const seconds = (performance.now() - tStart) / 1000;
  const d = since(c0, counters(o.addon));
  const keys = Object.keys(losses[0]!);
  const meanLoss = Object.fromEntries(keys.map((k) => [k, round(losses.reduce((a, l) => a + l[k]!, 0) / losses.length, 5)]));
  const hash = weightsFnv(model.stores.flatMap((st) => [...st.vars.values()]));
  model.dispose();
  return {
    seconds, unit: `${steps} steps of batch ${batch} (after ${WARMUP} warm-up steps)`, images: steps * batch,
    loss: meanLoss[keys[0]!]!, weightsFnv: hash, data: data.source,
    extra: { losses: meanLoss, stepSecondsMedian: round(median(times), 4), ...threadSplit(d, o.threads, !!o.addon) },
    twin: { script: `${kind}.py`, args: ['--config', JSON.stringify(config), '--steps', String(steps), '--warmup', String(WARMUP)], data },
  };
}
