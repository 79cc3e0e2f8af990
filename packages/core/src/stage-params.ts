// A stage's params checked before it runs: unknown keys are errors (with the nearest known key),
// then the stage's schema; every message names the file that holds the bad value — the pipeline
// file, the profile that overrides it, or the command line's --set.
import type { z } from 'zod';
import type { Pipeline, StageSpec } from './pipeline-file.ts';
import { displayPath, unknownKeys } from './schema-walk.ts';

type Segment = string | number;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether `override` sets something at `path` (a list replaces wholesale, so anything under it counts). */
function sets(override: unknown, path: Segment[]): boolean {
  let node = override;
  for (const seg of path) {
    if (Array.isArray(node)) return true;
    if (!isRecord(node) || typeof seg !== 'string' || !(seg in node)) return false;
    node = node[seg];
  }
  return true;
}

export function checkStageParams(pipeline: Pipeline, spec: StageSpec, schema: z.ZodType, set?: Record<string, unknown>): unknown {
  const source = (path: Segment[]): string =>
    set && sets(set, path) ? '--set' : spec.profileParams && sets(spec.profileParams, path) ? pipeline.profileFile! : pipeline.file;
  const label = (path: Segment[]) => displayPath(`stages.${spec.name}.params`, path, spec.params);
  const unknown = unknownKeys(schema, spec.params);
  if (unknown.length > 0) {
    throw new Error(unknown.map((u) => `${source(u.path)}: ${label(u.path)}: unknown param${u.suggestion ? ` (did you mean "${u.suggestion}"?)` : ''}`).join('\n'));
  }
  const parsed = schema.safeParse(spec.params);
  if (!parsed.success) {
    const issues = (parsed.error as z.ZodError).issues;
    throw new Error(issues.map((i) => `${source(i.path as Segment[])}: ${label(i.path as Segment[])}: ${i.message}`).join('\n'));
  }
  return parsed.data;
}
