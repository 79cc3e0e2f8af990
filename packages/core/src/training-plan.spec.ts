// The training plan's lines: one per epoch with figures, seconds, the plan position and an ETA
// from this run's epochs or, before any, from the last run's times; the live bar only on a terminal.
import { describe, expect, it } from 'vitest';
import { costKey, createTrainingPlan, type PlanItem } from './training-plan.ts';
import { createStageOutput, outputStyleFlag, type StageOutput } from './terminal.ts';

function recorder(interactive = false): StageOutput & { lines: string[]; statuses: string[] } {
  const lines: string[] = [];
  const statuses: string[] = [];
  return { interactive, lines, statuses, line: (t) => lines.push(t), status: (t) => statuses.push(t), clearStatus: () => {} };
}

const items: PlanItem[] = [
  { id: 'a/run', label: 'model 1/2 a', epochs: 2, costKey: 'a', size: 100 },
  { id: 'b/run', label: 'model 2/2 b', epochs: 3, costKey: 'b', size: 50 },
];

describe('training plan', () => {
  it('prints one Keras-style line per epoch with the plan position, seconds and the stage ETA', () => {
    let t = 0;
    const out = recorder();
    const plan = createTrainingPlan(items, { out, prefix: '[s]', previous: { rates: { a: 0.01, b: 0.02 } }, stageStarted: 0, now: () => t });
    // Last run: a = 0.01 s per image-epoch (1 s an epoch), b = 0.02 (1 s an epoch): 5 s in all.
    expect(out.lines[0]).toBe('[s] plan: 2 training runs, 5 epochs; ETA 5 s (epoch times of the last run)');
    const a = plan.start('a/run');
    t = 2000; // this run is twice as slow: 2 s for a's first epoch
    a.epoch(1, { loss: 0.5, acc: 0.75 });
    // Left: a 1 epoch at this run's 0.02 s/image (2 s) + b 3 epochs at the last run's 0.02 (3 s) = 5 s; 2 of 7 s done.
    expect(out.lines[1]).toBe('[s] model 1/2 a · epoch 1/2 - 2.0s - loss: 0.5000 - acc: 0.7500 - stage 28%, ETA 5 s');
    expect(plan.measured()).toEqual({ rates: { a: 0.02 }, trainingSeconds: 2 });
  });

  it('says when no earlier run gives an ETA, and revises epochs chosen later', () => {
    let t = 0;
    const out = recorder();
    const plan = createTrainingPlan(items, { out, prefix: '[s]', stageStarted: 0, now: () => t });
    expect(out.lines[0]).toMatch(/ETA after the first epochs/);
    plan.setEpochs('b/run', 1);
    const a = plan.start('a/run');
    t = 1000;
    a.epoch(1, { loss: 1 });
    // b has no rate yet: the ETA is a lower bound (a's last epoch, 1 s); 1 of 3 planned epochs done.
    expect(out.lines[1]).toBe('[s] model 1/2 a · epoch 1/2 - 1.0s - loss: 1.0000 - stage 33% of epochs, ETA > 1 s');
    expect(() => plan.start('c/run')).toThrow(/no item "c\/run"/);
  });

  it('before any epoch time, counts down from the last run\'s whole stage time', () => {
    let t = 0;
    const out = recorder();
    const plan = createTrainingPlan(items, { out, prefix: '[s]', previous: { rates: {}, stageSeconds: 600 }, stageStarted: 0, now: () => t });
    expect(out.lines[0]).toBe("[s] plan: 2 training runs, 5 epochs; ETA 10 min (the last run's stage time)");
    const a = plan.start('a/run');
    t = 120_000;
    a.epoch(1, { loss: 1 });
    expect(out.lines[1]).toBe("[s] model 1/2 a · epoch 1/2 - 120.0s - loss: 1.0000 - stage 20%, ETA 8 min (last run's stage time)");
  });

  it('counts epochs restored from a checkpoint as done', () => {
    let t = 0;
    const out = recorder();
    const plan = createTrainingPlan([items[0]!], { out, prefix: '[s]', previous: { rates: { a: 0.01 } }, stageStarted: 0, now: () => t });
    const a = plan.start('a/run');
    a.resume(1);
    t = 1000;
    a.epoch(2, { loss: 0.1 });
    expect(out.lines[1]).toBe('[s] model 1/2 a · epoch 2/2 - 1.0s - loss: 0.1000 - stage 100%, ETA 0 s');
  });

  it('draws the batch bar only when a terminal is watching', () => {
    const lines = recorder(false);
    createTrainingPlan(items, { out: lines, prefix: '[s]', now: () => 0 }).start('a/run').batch(1, 3, 10, { loss: 0.3 });
    expect(lines.statuses).toEqual([]);
    const tty = recorder(true);
    createTrainingPlan(items, { out: tty, prefix: '[s]', now: () => 0 }).start('a/run').batch(1, 3, 10, { loss: 0.3 });
    expect(tty.statuses[0]).toMatch(/^\[s\] model 1\/2 a · epoch 1\/2 \[#####-----------\] 3\/10 - loss: 0\.3000 - /);
  });

  it('keys epoch costs by what sets them', () => {
    expect(costKey('resnet', { widths: [8] })).toBe(costKey('resnet', { widths: [8] }));
    expect(costKey('resnet', { widths: [8] })).not.toBe(costKey('resnet', { widths: [16] }));
  });
});

describe('stage output', () => {
  function fakeStream() {
    const chunks: string[] = [];
    return { chunks, stream: { write: (c: string) => chunks.push(c) } as unknown as NodeJS.WriteStream };
  }

  it('writes plain lines and no status when no terminal watches', () => {
    const { chunks, stream } = fakeStream();
    const out = createStageOutput(stream, null);
    out.status('bar');
    out.line('epoch 1');
    expect(chunks.join('')).toBe('epoch 1\n');
  });

  it('on a terminal, prints lines above the status line and redraws it', () => {
    const { chunks, stream } = fakeStream();
    const out = createStageOutput(stream, 40);
    out.status('bar 1', true);
    out.line('epoch 1');
    expect(chunks.join('')).toBe('\rbar 1\x1b[K\r\x1b[Kepoch 1\nbar 1\x1b[K');
    out.status('x'.repeat(60), true);
    expect(chunks.at(-1)).toBe(`\r${'x'.repeat(38)}…\x1b[K`); // never wider than the terminal
  });

  it('reads the output style of an nx command line', () => {
    expect(outputStyleFlag(['nx', 'run', 'pipeline:all', '--output-style=static'])).toBe('static');
    expect(outputStyleFlag(['nx', 'run', 'x', '--output-style', 'stream'])).toBe('stream');
    expect(outputStyleFlag(['nx', 'run', 'x'])).toBeUndefined();
  });
});
