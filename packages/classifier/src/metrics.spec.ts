import { describe, expect, it } from 'vitest';
import { createRng } from '@cvc/core';
import { accuracy, binaryLogLoss, confusionMatrix, expectedCalibrationError, fitTemperature, meanStd, rocAuc } from './metrics.ts';

describe('metrics', () => {
  it('accuracy, confusion matrix and AUC on a hand-checked example', () => {
    const logits = [-2, -1, 0.5, 3, 1, -0.5];
    const labels = [0, 0, 0, 1, 1, 1];
    expect(accuracy(logits, labels)).toBeCloseTo(4 / 6);
    expect(confusionMatrix(logits, labels)).toEqual([[2, 1], [1, 2]]);
    // Positive scores 3, 1, −0.5 vs negatives −2, −1, 0.5: 8 of 9 pairs ordered correctly.
    expect(rocAuc(logits, labels)).toBeCloseTo(8 / 9);
    expect(rocAuc([1, 1], [0, 1])).toBeCloseTo(0.5);
  });

  it('ECE is 0 for calibrated bins and large for overconfident ones', () => {
    expect(expectedCalibrationError([0.25, 0.25, 0.25, 0.25], [0, 0, 0, 1], 10)).toBeCloseTo(0);
    expect(expectedCalibrationError([0.99, 0.99], [0, 1], 10)).toBeCloseTo(0.49);
  });

  it('temperature scaling recovers the temperature that generated the labels', () => {
    const rng = createRng(4);
    const logits: number[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const z = rng.normal() * 6;
      logits.push(z);
      labels.push(rng.next() < 1 / (1 + Math.exp(-z / 3)) ? 1 : 0); // true temperature 3
    }
    const t = fitTemperature(logits, labels);
    expect(t).toBeGreaterThan(2.5);
    expect(t).toBeLessThan(3.6);
    expect(binaryLogLoss(logits, labels, t)).toBeLessThan(binaryLogLoss(logits, labels, 1));
    expect(meanStd([1, 2, 3])).toEqual({ mean: 2, std: 1 });
  });
});
