import { describe, expect, it } from 'vitest';
import { learningRateAt } from './schedule.ts';

describe('learning-rate schedules', () => {
  it('warm-up then cosine decay; constant stays put', () => {
    expect(learningRateAt(0, 100, 10, 1, 'cosine')).toBeCloseTo(0.1);
    expect(learningRateAt(10, 100, 10, 1, 'cosine')).toBeCloseTo(1);
    expect(learningRateAt(55, 100, 10, 1, 'cosine')).toBeCloseTo(0.5);
    expect(learningRateAt(100, 100, 10, 1, 'cosine')).toBeCloseTo(0);
    expect(learningRateAt(99, 100, 10, 1, 'constant')).toBe(1);
  });
});
