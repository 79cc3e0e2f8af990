// reference-cnn: the workload of ../shared/bench/README.md with tfjs-layers model.fit (1000
// seeded random 32x32x3 images, random 0/1 labels, the 5-conv network, Adam 1e-3 — fastAdam on
// the native path —, batch 32, shuffle off, 4 epochs; figure = median of epochs 2..4) plus
// inference of the 1000 images in one batch (median of 3 after a warm-up). The line also carries
// the per-epoch thread split (see packages/compute/README.md, "Benchmark").
import { enableKernelProfiling, fastAdam, kernelProfileTable, profilingRequested, referenceData, referenceModel, resetKernelProfile } from '@cvc/compute';
import { counters, median, round, since, threadSplit, weightsFnv, type Counters } from '../measure.ts';
import type { RunOptions } from './types.ts';

export interface ReferenceResult { line: Record<string, unknown>; epochSeconds: number; inferenceSeconds: number; profile?: string }

export async function referenceCnn(o: RunOptions & { backendName: string; backendDetail: string }): Promise<ReferenceResult> {
  const { tf, addon } = o;
  const epochs = Math.max(2, o.epochs ?? 4);
  const n = Math.max(32, o.images ?? 1000);
  const profiling = profilingRequested();
  if (profiling) enableKernelProfiling(tf, tf.getBackend(), addon ? () => addon.poolStats() : undefined);
  const d = referenceData(n, 1);
  const xs = tf.tensor4d(d.x, d.shape), ys = tf.tensor2d(d.y, [n, 1]);
  const model = referenceModel(tf, 42);
  const native = o.backendName === 'native';
  model.compile({ optimizer: native ? fastAdam(tf, 1e-3) : tf.train.adam(1e-3), loss: 'binaryCrossentropy' });
  const times: number[] = [];
  const perEpoch: Counters[] = [];
  let c0 = counters(addon);
  const hist = await model.fit(xs, ys, {
    batchSize: 32, epochs, shuffle: false, verbose: 0, yieldEvery: 'never',
    callbacks: {
      onEpochBegin: async (epoch) => {
        if (profiling && epoch === 1) resetKernelProfile();
        c0 = counters(addon);
      },
      onEpochEnd: async () => {
        const d = since(c0, counters(addon));
        times.push(d.wall);
        perEpoch.push(d);
      },
    },
  });
  const epochSeconds = median(times.slice(1));
  const timed = perEpoch.slice(1);
  const wall = timed.reduce((s, e) => s + e.wall, 0), cpu = timed.reduce((s, e) => s + e.cpu, 0);
  const profile = profiling
    ? `${kernelProfileTable(`kernels over epochs 2..${epochs}`)}\nepochs 2..${epochs}: ${(wall * 1000).toFixed(0)} ms wall, ${(cpu * 1000).toFixed(0)} ms process CPU (time outside kernels = tfjs/tfjs-layers bookkeeping + GC)`
    : undefined;
  const inf: number[] = [];
  for (let r = 0; r < 4; r++) {
    const t = performance.now();
    const p = model.predict(xs, { batchSize: n }) as import('@tensorflow/tfjs').Tensor;
    p.dataSync();
    p.dispose();
    if (r > 0) inf.push((performance.now() - t) / 1000);
  }
  const inferenceSeconds = median(inf);
  // Medians over the timed epochs of each thread figure.
  const split = Object.fromEntries(Object.keys(threadSplit(timed[0]!, o.threads, !!addon)).map((k) => [k, round(median(timed.map((e) => threadSplit(e, o.threads, !!addon)[k]!)), 3)]));
  const line = {
    workload: 'reference-cnn', backend: o.backendName, threads: o.threads, epochSeconds: round(epochSeconds), imagesPerSecond: round(n / epochSeconds, 1),
    inferenceSeconds: round(inferenceSeconds), inferenceImagesPerSecond: round(n / inferenceSeconds, 1),
    epochs: times.map((t) => round(t, 3)), ...split, loss: round(Number(hist.history['loss']!.at(-1)), 5),
    weightsFnv: weightsFnv(model.getWeights()),
    loop: 'tfjs-layers model.fit', optimizer: native ? 'fastAdam (fused native Adam)' : 'tf.train.adam', detail: o.backendDetail,
  };
  tf.dispose([xs, ys]);
  return { line, epochSeconds, inferenceSeconds, ...(profile ? { profile } : {}) };
}
