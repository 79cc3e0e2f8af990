// Exponential moving average of a model's weights (trainable and batch-norm statistics).
// Evaluation and the saved model use the average; training continues on the raw weights.
// The average lives in JS arrays: per-variable tfjs ops cost more here than a plain loop.
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '@cvc/core/backend';

export class WeightAverage {
  private readonly variables: tfTypes.Variable[];
  private readonly shadows: Float32Array[];

  constructor(model: tfTypes.LayersModel, private readonly decay: number) {
    this.variables = model.weights.map((w) => w.read() as tfTypes.Variable);
    this.shadows = this.variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  }

  /** shadow ← d·shadow + (1 − d)·weight; early steps use a smaller d so the average is not stuck at the initial weights. */
  update(step: number): void {
    const d = Math.min(this.decay, (1 + step) / (10 + step));
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
