// Epoch times of the last runs, for the next run's ETA: per stage, seconds per unit of work per
// cost key (kept across profiles: a smoke run does not erase the full run's times) and the
// stage's time outside training per params digest. Wall times are not reproducible, so they live
// in artifacts/.runs/ beside the runner's other records, outside every stage folder and cache.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from './files.ts';
import type { PlanTimes } from './training-plan.ts';

export interface StageEpochTimes {
  stage: string;
  rates: Record<string, number>;
  overheadSeconds: Record<string, number>;
}

const fileOf = (root: string, stage: string) => join(root, 'artifacts', '.runs', 'epoch-times', `${stage}.json`);

export function readEpochTimes(root: string, stage: string): StageEpochTimes {
  const file = fileOf(root, stage);
  const empty = { stage, rates: {}, overheadSeconds: {} };
  if (!existsSync(file)) return empty;
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<StageEpochTimes>;
    return { stage, rates: data.rates ?? {}, overheadSeconds: data.overheadSeconds ?? {} };
  } catch {
    return empty; // only an estimate: a damaged file costs the ETA of one run, never the run
  }
}

/**
 * What the last runs say about this one: epoch rates, the time outside training, and the last
 * run's whole stage time (its runner record, when made with these params — or, for a record from
 * before records named their params, under the same profile).
 */
export function planTimesFor(root: string, stage: string, paramsDigest: string, profile: string | null): PlanTimes {
  const times = readEpochTimes(root, stage);
  const overhead = times.overheadSeconds[paramsDigest];
  let stageSeconds: number | undefined;
  const file = join(root, 'artifacts', '.runs', `${stage}.json`);
  if (existsSync(file)) {
    try {
      const record = JSON.parse(readFileSync(file, 'utf8')) as { seconds?: number; paramsDigest?: string; profile?: string | null };
      const same = record.paramsDigest !== undefined ? record.paramsDigest === paramsDigest : (record.profile ?? null) === profile;
      if (same && typeof record.seconds === 'number') stageSeconds = record.seconds;
    } catch {
      // only an estimate
    }
  }
  return { rates: times.rates, ...(overhead !== undefined ? { overheadSeconds: overhead } : {}), ...(stageSeconds !== undefined ? { stageSeconds } : {}) };
}

/** Merge this run's measurements into the stage's record. */
export function recordEpochTimes(root: string, stage: string, paramsDigest: string, measured: { rates: Record<string, number>; trainingSeconds: number }, stageSeconds: number): void {
  const times = readEpochTimes(root, stage);
  writeJsonAtomic(fileOf(root, stage), {
    stage,
    rates: { ...times.rates, ...measured.rates },
    overheadSeconds: { ...times.overheadSeconds, [paramsDigest]: Number(Math.max(0, stageSeconds - measured.trainingSeconds).toFixed(1)) },
  });
}
