// Pure evaluation maths on logits / probabilities and 0/1 labels (1 = crocodile).
import type { ReliabilityBin } from '@cvc/artifacts/classifier-metrics';

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Fraction with (logit > 0) == label. */
export function accuracy(logits: ArrayLike<number>, labels: readonly number[]): number {
  let hits = 0;
  for (let i = 0; i < labels.length; i++) if ((logits[i]! > 0 ? 1 : 0) === labels[i]) hits++;
  return labels.length ? hits / labels.length : NaN;
}

/** Mean binary cross-entropy of sigmoid(logit / temperature), computed stably. */
export function binaryLogLoss(logits: ArrayLike<number>, labels: readonly number[], temperature = 1): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const z = logits[i]! / temperature;
    // −[y log σ(z) + (1−y) log(1−σ(z))] = max(z,0) − z·y + log(1 + e^{−|z|})
    sum += Math.max(z, 0) - z * labels[i]! + Math.log1p(Math.exp(-Math.abs(z)));
  }
  return sum / labels.length;
}

/** ROC AUC by the rank statistic (ties count one half). */
export function rocAuc(scores: ArrayLike<number>, labels: readonly number[]): number {
  const order = Array.from(labels, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSumPositive = 0;
  let positives = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const rank = (i + j) / 2 + 1; // average 1-based rank of the tie group
    for (let k = i; k <= j; k++) if (labels[order[k]!] === 1) {
      rankSumPositive += rank;
      positives++;
    }
    i = j + 1;
  }
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSumPositive - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Confusion matrix [true class][predicted class] at threshold 0.5. */
export function confusionMatrix(logits: ArrayLike<number>, labels: readonly number[]): [[number, number], [number, number]] {
  const m: [[number, number], [number, number]] = [[0, 0], [0, 0]];
  for (let i = 0; i < labels.length; i++) m[labels[i] as 0 | 1][logits[i]! > 0 ? 1 : 0]++;
  return m;
}

export type { ReliabilityBin };

/** Equal-width bins of p(crocodile) with their mean prediction and observed frequency. */
export function reliabilityBins(probabilities: ArrayLike<number>, labels: readonly number[], bins: number): ReliabilityBin[] {
  const out = Array.from({ length: bins }, (_, b) => ({ lower: b / bins, upper: (b + 1) / bins, count: 0, confidence: 0, frequency: 0 }));
  for (let i = 0; i < labels.length; i++) {
    const p = probabilities[i]!;
    const bin = out[Math.min(bins - 1, Math.floor(p * bins))]!;
    bin.count++;
    bin.confidence += p;
    bin.frequency += labels[i]!;
  }
  for (const bin of out) if (bin.count) {
    bin.confidence /= bin.count;
    bin.frequency /= bin.count;
  }
  return out;
}

/** Expected calibration error of p(crocodile): Σ_bins (n_b / n)·|frequency − confidence|. */
export function expectedCalibrationError(probabilities: ArrayLike<number>, labels: readonly number[], bins: number): number {
  return reliabilityBins(probabilities, labels, bins).reduce((sum, b) => sum + (b.count / labels.length) * Math.abs(b.frequency - b.confidence), 0);
}

/** The temperature T > 0 minimising the log loss of sigmoid(logit / T): golden-section search on log T. */
export function fitTemperature(logits: ArrayLike<number>, labels: readonly number[]): number {
  let lo = Math.log(0.05);
  let hi = Math.log(20);
  const phi = (Math.sqrt(5) - 1) / 2;
  const f = (logT: number) => binaryLogLoss(logits, labels, Math.exp(logT));
  let a = hi - phi * (hi - lo);
  let b = lo + phi * (hi - lo);
  let fa = f(a);
  let fb = f(b);
  for (let i = 0; i < 80; i++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - phi * (hi - lo);
      fa = f(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + phi * (hi - lo);
      fb = f(b);
    }
  }
  return Math.exp((lo + hi) / 2);
}

export const probabilities = (logits: ArrayLike<number>, temperature = 1): number[] => Array.from(logits, (z) => sigmoid(z / temperature));

export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, std: Math.sqrt(variance) };
}
