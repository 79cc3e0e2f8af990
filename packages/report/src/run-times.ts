// Wall times and "came from cache" for the page. Nothing here goes into artifacts/report: times
// differ on every run and the report must stay byte-for-byte reproducible. Instead this writes
// artifacts/.runs/report-runs.js (beside the runner's per-stage records, outside every stage
// folder, so outside Nx's cache and `cvc verify`), which the page loads with a <script> tag.
//
// "This run" = the Nx invocation that last executed the report stage: the stage records the
// start time of the outermost nx process (see nx-invocation.ts) in report-invocation.json.
// A stage whose latest record (artifacts/.runs/<stage>.json, written by the runner only when
// the stage really executes) finished before that start did not execute in this run: Nx
// restored it from its cache (or left its matching outputs as they were). A stage that
// finished after the report was built ran in a later run in which the report came from cache.
// The runner records the nx pid of each execution, so a stage executed meanwhile by another,
// concurrent nx run in the same workspace is told apart.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '@cvc/core';
import type { NxInvocation } from './nx-invocation.ts';

export const RUNS_DIR = join('artifacts', '.runs');
export const INVOCATION_FILE = 'report-invocation.json';
export const RUNS_SCRIPT = 'report-runs.js';
/** How the page finds the script: relative to artifacts/report/index.html. */
export const RUNS_SCRIPT_FROM_PAGE = `../.runs/${RUNS_SCRIPT}`;

export interface StageRunRecord {
  stage: string;
  finishedAt: string;
  seconds: number;
  backend: string | null;
  profile: string | null;
  /** Pid of the outermost nx process that ran the stage (null outside Nx; absent in older records). */
  nxInvocation?: number | null;
}

/** Written by the report stage each time it executes: which run it was built in. */
export interface ReportInvocation {
  /** Start of this run; under Nx the outermost nx process's start, else the report stage's own start. */
  startedAt: string;
  /** "nx" when run by `nx run …` (then stages that did not execute came from Nx's cache), "direct" for `cvc stage report`. */
  kind: 'nx' | 'direct';
  nxPid: number | null;
}

export type RunStatus = 'ran' | 'cached' | 'not-run' | 'later' | 'other-run' | 'building' | 'no-record' | 'unknown';

export interface StageRunRow {
  stage: string;
  seconds: number | null;
  finishedAt: string | null;
  backend: string | null;
  profile: string | null;
  status: RunStatus;
}

export interface RunInfo {
  run: ReportInvocation | null;
  /** When this file was written, and by whom ("report stage" or "cvc report"). */
  writtenAt: string;
  writtenBy: string;
  stages: StageRunRow[];
}

export function readRunRecords(root: string): Map<string, StageRunRecord> {
  const dir = join(root, RUNS_DIR);
  const records = new Map<string, StageRunRecord>();
  if (!existsSync(dir)) return records;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json') && f !== INVOCATION_FILE).sort()) {
    try {
      const record = JSON.parse(readFileSync(join(dir, file), 'utf8')) as StageRunRecord;
      if (typeof record.stage === 'string' && typeof record.finishedAt === 'string') records.set(record.stage, record);
    } catch (err) {
      throw new Error(`${join(dir, file)}: not a valid run record: ${(err as Error).message}`);
    }
  }
  return records;
}

export function readInvocation(root: string): ReportInvocation | null {
  const file = join(root, RUNS_DIR, INVOCATION_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ReportInvocation) : null;
}

export function invocationFor(nx: NxInvocation | null, stageStart: Date): ReportInvocation {
  if (nx?.startedAt) return { startedAt: nx.startedAt, kind: 'nx', nxPid: nx.pid };
  return { startedAt: stageStart.toISOString(), kind: 'direct', nxPid: nx?.pid ?? null };
}

/** Pure: each pipeline stage's last record, classified against the run that built the report. */
export function classifyRuns(
  stages: string[],
  records: Map<string, StageRunRecord>,
  run: ReportInvocation | null,
  opts: { reportStage: string; building: boolean },
): StageRunRow[] {
  const start = run ? Date.parse(run.startedAt) : NaN;
  const report = records.get(opts.reportStage);
  const reportBuilt = report && !opts.building && Date.parse(report.finishedAt) >= start ? Date.parse(report.finishedAt) : NaN;
  return stages.map((stage) => {
    const r = records.get(stage);
    const row = { stage, seconds: r?.seconds ?? null, finishedAt: r?.finishedAt ?? null, backend: r?.backend ?? null, profile: r?.profile ?? null };
    // While building, the report's own record is the previous build's: show no time for it.
    if (stage === opts.reportStage && opts.building) return { ...row, seconds: null, finishedAt: null, backend: null, status: 'building' as const };
    if (!r) return { ...row, status: 'no-record' as const };
    if (!run || Number.isNaN(start)) return { ...row, status: 'unknown' as const };
    const finished = Date.parse(r.finishedAt);
    if (finished < start) return { ...row, status: run.kind === 'nx' ? ('cached' as const) : ('not-run' as const) };
    // Executed meanwhile by another nx run in the same workspace (its records name their nx pid).
    if (run.kind === 'nx' && typeof r.nxInvocation === 'number' && r.nxInvocation !== run.nxPid && !(finished > reportBuilt)) return { ...row, status: 'other-run' as const };
    if (stage !== opts.reportStage && finished > reportBuilt) return { ...row, status: 'later' as const };
    return { ...row, status: 'ran' as const };
  });
}

export function writeRunsScript(root: string, info: RunInfo): string {
  const file = join(root, RUNS_DIR, RUNS_SCRIPT);
  // A JSONP-style call: a page opened from disk may load a script beside it but not fetch JSON.
  writeFileAtomic(file, `// Written by ${info.writtenBy}; not part of any artifact (times change every run).\ncvcShowRuns(${JSON.stringify(info, null, 1)});\n`);
  return file;
}

export function writeInvocation(root: string, run: ReportInvocation): void {
  writeJsonAtomic(join(root, RUNS_DIR, INVOCATION_FILE), run);
}

/** Rebuild the page's run-times script from the records on disk now. */
export function refreshRunTimes(root: string, stages: string[], opts: { writtenBy: string; reportStage: string; building?: boolean; now?: Date }): { file: string; info: RunInfo } {
  const run = readInvocation(root);
  const info: RunInfo = {
    run,
    writtenAt: (opts.now ?? new Date()).toISOString(),
    writtenBy: opts.writtenBy,
    stages: classifyRuns(stages, readRunRecords(root), run, { reportStage: opts.reportStage, building: opts.building ?? false }),
  };
  return { file: writeRunsScript(root, info), info };
}
