// Which stages ran in "this run" and which came from cache, from the run records and the
// start of the nx invocation; and reading a process start time from a /proc-like folder.
import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@cvc/core/testing';
import { classifyRuns, type StageRunRecord } from './run-times.ts';
import { nxInvocation, processStartTime } from './nx-invocation.ts';

const record = (stage: string, finishedAt: string, seconds = 1): [string, StageRunRecord] => [stage, { stage, finishedAt, seconds, backend: 'native', profile: 'smoke' }];
const stages = ['data-prep', 'classifier', 'ranker', 'report'];

describe('classifyRuns', () => {
  const nxRun = { startedAt: '2026-11-29T10:00:00.000Z', kind: 'nx' as const, nxPid: 4242 };

  it('marks stages that finished before the nx run started as from cache, the others as ran', () => {
    const records = new Map([
      record('data-prep', '2026-11-29T09:00:00.000Z'),
      record('classifier', '2026-11-29T10:05:00.000Z'),
      record('report', '2026-11-29T10:06:00.000Z'),
    ]);
    const rows = classifyRuns(stages, records, nxRun, { reportStage: 'report', building: false });
    expect(rows.map((r) => [r.stage, r.status])).toEqual([['data-prep', 'cached'], ['classifier', 'ran'], ['ranker', 'no-record'], ['report', 'ran']]);
    expect(rows[1]).toMatchObject({ seconds: 1, backend: 'native', profile: 'smoke' });
  });

  it('tells a stage executed meanwhile by another, concurrent nx run (its record names another nx pid)', () => {
    const records = new Map([
      ['classifier', { ...record('classifier', '2026-11-29T10:03:00.000Z')[1], nxInvocation: 999 }],
      ['ranker', { ...record('ranker', '2026-11-29T10:04:00.000Z')[1], nxInvocation: 4242 }],
      ['report', { ...record('report', '2026-11-29T10:06:00.000Z')[1], nxInvocation: 4242 }],
    ] as const);
    const rows = classifyRuns(stages, new Map(records), nxRun, { reportStage: 'report', building: false });
    expect(rows.map((r) => [r.stage, r.status])).toEqual([['data-prep', 'no-record'], ['classifier', 'other-run'], ['ranker', 'ran'], ['report', 'ran']]);
  });

  it('flags a stage that ran after the report was built (a later run where the report came from cache)', () => {
    const records = new Map([record('classifier', '2026-11-29T11:00:00.000Z'), record('report', '2026-11-29T10:06:00.000Z')]);
    const rows = classifyRuns(stages, records, nxRun, { reportStage: 'report', building: false });
    expect(rows.find((r) => r.stage === 'classifier')!.status).toBe('later');
  });

  it('while the report builds, its own row is this build and nothing is later', () => {
    const records = new Map([record('classifier', '2026-11-29T10:05:00.000Z'), record('report', '2026-11-29T08:00:00.000Z')]);
    const rows = classifyRuns(stages, records, nxRun, { reportStage: 'report', building: true });
    expect(rows.map((r) => r.status)).toEqual(['no-record', 'ran', 'no-record', 'building']);
    expect(rows[3]).toMatchObject({ seconds: null, finishedAt: null }); // not the previous build's time
  });

  it('outside nx, older stages were not run (no cache involved); without a run record the status is unknown', () => {
    const records = new Map([record('data-prep', '2026-11-29T09:00:00.000Z')]);
    const direct = { ...nxRun, kind: 'direct' as const, nxPid: null };
    expect(classifyRuns(stages, records, direct, { reportStage: 'report', building: false })[0]!.status).toBe('not-run');
    expect(classifyRuns(stages, records, null, { reportStage: 'report', building: false })[0]!.status).toBe('unknown');
  });
});

describe('nx invocation start', () => {
  it('reads the outermost nx pid from the env and its start from /proc (boot time + ticks / 100)', () => {
    const proc = tempDir('cvc-proc-');
    mkdirSync(join(proc, '4242'));
    // Field 2 may hold spaces and parentheses; field 22 (start time) is 12345 ticks = 123 s after boot.
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[19] = '12345';
    writeFileSync(join(proc, '4242', 'stat'), `4242 (node (nx) x) ${fields.join(' ')}\n`);
    writeFileSync(join(proc, 'stat'), 'cpu  1 2 3\nbtime 1800000000\nprocesses 9\n');
    expect(processStartTime(4242, proc)?.toISOString()).toBe(new Date((1800000000 + 123) * 1000).toISOString());
    expect(nxInvocation({ NX_INVOCATION_ANCESTOR_PIDS: '4242,5000' }, proc)).toEqual({ pid: 4242, startedAt: '2027-01-15T08:02:03.000Z' });
    expect(nxInvocation({}, proc)).toBeNull();
    expect(nxInvocation({ NX_INVOCATION_ANCESTOR_PIDS: '999' }, proc)).toEqual({ pid: 999, startedAt: null });
  });
});
