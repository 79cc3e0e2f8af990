// Exponential moving averages of weights (Polyak averaging): evaluation and sampling use the
// average; training continues on the raw weights. Every average here warms up the same way.
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '@cvc/core/backend';
import { emaUpdateNative } from '@cvc/compute';

/** The decay at `step` (1-based): min(decay, (1 + step)/(10 + step)), so early averages are not stuck at the initial weights. */
export function emaDecayAt(step: number, decay: number): number {
  return Math.min(decay, (1 + step) / (10 + step));
}

/**
 * average ← d·average + (1 − d)·weight for each pair, with d = emaDecayAt(step, decay); the
 * variables stay on the backend (one native call for all pairs when available, same bits).
 */
export function updateAverages(pairs: Iterable<[average: tfTypes.Variable, weight: tfTypes.Variable]>, step: number, decay: number): void {
  const d = emaDecayAt(step, decay);
  const list = [...pairs];
  if (emaUpdateNative(tf, list, d)) return;
  tf.tidy(() => {
    for (const [average, weight] of list) average.assign(tf.add(tf.mul(average, d), tf.mul(weight, 1 - d)));
  });
}

/**
 * The average of a layers model's weights (trainable and batch-norm statistics), kept in JS
 * arrays: per-variable tfjs ops cost more here than a plain loop.
 */
export class WeightAverage {
  private readonly variables: tfTypes.Variable[];
  private readonly shadows: Float32Array[];

  constructor(model: tfTypes.LayersModel, private readonly decay: number) {
    this.variables = model.weights.map((w) => w.read() as tfTypes.Variable);
    this.shadows = this.variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  }

  /** shadow ← d·shadow + (1 − d)·weight, d = emaDecayAt(step, decay). */
  update(step: number): void {
    const d = emaDecayAt(step, this.decay);
    this.variables.forEach((v, i) => {
      const w = v.dataSync() as Float32Array;
      const s = this.shadows[i]!;
      for (let j = 0; j < s.length; j++) s[j] = d * s[j]! + (1 - d) * w[j]!;
    });
  }

  /** Run `fn` with the averaged weights in the model, then restore the raw ones. */
  async withAverage<T>(fn: () => Promise<T>): Promise<T> {
    const raw = this.variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
    this.copyIn();
    try {
      return await fn();
    } finally {
      this.variables.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(raw[i]!, v.shape))));
    }
  }

  /** Put the averaged weights into the model for good. */
  copyIn(): void {
    this.variables.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(this.shadows[i]!, v.shape))));
  }
}
