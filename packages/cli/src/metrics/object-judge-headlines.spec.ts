// The object judge's headline figures: CIFAR-10 top-1 and each dataset class's test top-1, read
// from a metrics.json shaped like the object-judge stage's (only the fields the reader needs).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '@cvc/core/testing';
import { HEADLINES } from './headlines.ts';

const reader = HEADLINES.find((h) => h.stage === 'object-judge')!;

describe('object-judge headlines', () => {
  it('shows CIFAR-10 top-1, each class\'s test top-1 and the epochs', () => {
    const file = join(tempDir('object-judge-headlines-'), 'metrics.json');
    const perClass = (c: number, k: number) => ({ clock: { count: 45, top1: c }, crocodile: { count: 45, top1: k } });
    writeFileSync(file, JSON.stringify({ epochs: 15, cifar10Test: { count: 10000, top1: 0.8169, perClass: {} }, datasetTest: { count: 90, top1: 0.69, perClass: perClass(0.7111, 0.6667) } }));
    expect(reader.artifact).toBe('object_judge_metrics');
    expect(reader.figures(file)).toEqual([
      { name: 'CIFAR-10 test top-1 (12-way)', value: 0.8169, unit: 'percent', better: 'higher' },
      { name: 'test clocks top-1', value: 0.7111, unit: 'percent', better: 'higher' },
      { name: 'test crocodiles top-1', value: 0.6667, unit: 'percent', better: 'higher' },
      { name: 'epochs', value: 15, unit: 'count' },
    ]);
  });

  it('names the file and the field when the metrics lack one', () => {
    const file = join(tempDir('object-judge-headlines-'), 'metrics.json');
    writeFileSync(file, JSON.stringify({ epochs: 15, cifar10Test: { top1: 0.8, perClass: {} } }));
    expect(() => reader.figures(file)).toThrow(/metrics\.json[\s\S]*datasetTest/);
  });
});
