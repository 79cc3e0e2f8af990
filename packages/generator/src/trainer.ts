// The epoch loop shared by all models: seeded shuffling per epoch, batches, one report per epoch,
// a checkpoint every N epochs, and resume from the last one.
import { performance } from 'node:perf_hooks';
import { shuffled, type EpochReporter, type Rng } from '@cvc/core';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import type { TrainableModel } from './model.ts';
import type { Tf } from './weights.ts';

export interface TrainingImages {
  /** [n, 32, 32, 3] in [0, 1], row-major. */
  pixels: Float32Array;
  labels: number[];
  size: number;
}

export interface EpochRecord {
  epoch: number;
  losses: Record<string, number>;
}

export interface TrainOptions {
  model: TrainableModel;
  data: TrainingImages;
  epochs: number;
  batchSize: number;
  checkpointEvery: number;
  /** Folder of this run's checkpoint (already keyed by the params digest). */
  checkpointDir: string;
  /** Seeded generator for a purpose, e.g. "epoch-3/shuffle". */
  rng: (purpose: string) => Rng;
  log: (message: string) => void;
  /** One line per epoch (and a live bar) through the stage's training plan. */
  report?: EpochReporter;
  /** Stop (as if interrupted) once this many epochs are done; for tests. */
  stopAfter?: number;
  /** Resume from the checkpoint if there is one (default). False retrains from scratch (cvc verify). */
  resume?: boolean;
}

export interface TrainResult {
  history: EpochRecord[];
  resumedFrom: number;
  /** Mean seconds per epoch trained in this call (logged, never written to artifacts). */
  secondsPerEpoch: number;
}

export async function train(tf: Tf, opts: TrainOptions): Promise<TrainResult> {
  const { model, data } = opts;
  const n = data.labels.length;
  const pixelsPerImage = data.size * data.size * 3;
  const state = opts.resume === false ? undefined : await loadCheckpoint<EpochRecord>(tf, opts.checkpointDir, opts.model);
  const history = state?.history ?? [];
  const start = state?.epoch ?? 0;
  if (start > 0) opts.log(`resuming from checkpoint at epoch ${start}/${opts.epochs} (${opts.checkpointDir})`);
  const end = Math.min(opts.epochs, opts.stopAfter ?? opts.epochs);
  const stepsPerEpoch = Math.ceil(n / opts.batchSize);
  if (start > 0) opts.report?.resume(start);
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  for (let epoch = start; epoch < end; epoch++) {
    const order = shuffled(Array.from({ length: n }, (_, i) => i), opts.rng(`epoch-${epoch}/shuffle`));
    const stepRng = opts.rng(`epoch-${epoch}/steps`);
    const sums: Record<string, number> = {};
    for (let s = 0; s < stepsPerEpoch; s++) {
      const idx = order.slice(s * opts.batchSize, (s + 1) * opts.batchSize);
      const xs = new Float32Array(idx.length * pixelsPerImage);
      idx.forEach((i, k) => xs.set(data.pixels.subarray(i * pixelsPerImage, (i + 1) * pixelsPerImage), k * pixelsPerImage));
      const x = tf.tensor4d(xs, [idx.length, data.size, data.size, 3]);
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d(idx.map((i) => data.labels[i]!), 'int32'), 2).toFloat() as ReturnType<typeof tf.tensor2d>);
      const losses = model.step({ x, y }, stepRng);
      tf.dispose([x, y]);
      for (const [k, v] of Object.entries(losses)) {
        if (!Number.isFinite(v)) throw new Error(`training diverged: ${k} = ${v} at epoch ${epoch + 1}, step ${s + 1}`);
        sums[k] = (sums[k] ?? 0) + v;
      }
      opts.report?.batch(epoch + 1, s + 1, stepsPerEpoch, losses);
    }
    const losses = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, Number((v / stepsPerEpoch).toPrecision(6))]));
    history.push({ epoch: epoch + 1, losses });
    opts.report?.epoch(epoch + 1, losses);
    if ((epoch + 1) % opts.checkpointEvery === 0 || epoch + 1 === end) {
      await saveCheckpoint(opts.checkpointDir, model, { epoch: epoch + 1, history });
    }
  }
  const trained = end - start;
  const secondsPerEpoch = trained > 0 ? (performance.now() - started) / 1000 / trained : 0;
  // Process CPU time (all threads) is what the epoch would take alone on one core; wall time depends on the machine's load.
  const cpu = process.cpuUsage(cpuStarted);
  const cpuPerStep = trained > 0 ? (cpu.user + cpu.system) / 1e6 / (trained * stepsPerEpoch) : 0;
  if (trained > 0) opts.log(`trained epochs ${start + 1}–${end}: ${secondsPerEpoch.toFixed(1)} s/epoch, ${(secondsPerEpoch / stepsPerEpoch).toFixed(3)} s/step wall, ${cpuPerStep.toFixed(3)} s/step process CPU`);
  return { history, resumedFrom: start, secondsPerEpoch };
}
