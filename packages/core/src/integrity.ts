// Inputs are checked against the lock of the stage that wrote them before a stage runs.
// Why: a stage restored from Nx's cache (local, or the team's remote cache) is never run, so
// nothing else looks at its bytes; a damaged entry would silently feed every stage below it.
// A damaged upstream output also changes the hash of each stage that reads it, so that stage
// misses the cache and runs, and this check is where the damage surfaces.
//
// On a mismatch the stage fails, so Nx caches and uploads nothing made from bad inputs, and
// the message names each differing file. Under Nx a mismatch means a damaged cache entry:
// Nx puts a hand-edited output back from its cache before any consumer runs. We do not rerun
// the producer from here: Nx keeps the damaged entry under the producer's hash and would
// restore it on every later run, behind a cache hit of this stage. The way out is to drop
// the entry (`nx reset --only-cache` for the local cache; the team cache server drops damaged
// entries itself, and Nx then reruns the stage and uploads it again).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashTree } from './files.ts';
import { LOCK_FILE, readLock, stageDir } from './lock.ts';
import { type Pipeline, type StageSpec, relativeToRoot, resolveFromRoot } from './pipeline-file.ts';

export class IntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntegrityError';
  }
}

export interface InputMismatch {
  artifact: string;
  producer: string;
  /** Root-relative path of the artifact. */
  path: string;
  /** Root-relative files that differ from the lock (empty if the lock has no per-file hashes). */
  files: string[];
}

const short = (hash: string | undefined): string => (hash ? `${hash.slice(0, 12)}…` : 'absent');

/** The Nx project of a stage package (its package.json `nx.name`, else its npm name). */
export function nxProject(pipeline: Pipeline, stage: StageSpec): string {
  const file = join(pipeline.root, stage.package, 'package.json');
  if (!existsSync(file)) return stage.name;
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; nx?: { name?: string } };
  return pkg.nx?.name ?? pkg.name ?? stage.name;
}

/**
 * Inputs of `stage` whose digest (as computed for its lock) differs from the output digest in
 * the producer's lock. Inputs whose producer has no lock (written by hand, e.g. test fixtures)
 * have nothing to be checked against and pass.
 */
export function findInputMismatches(pipeline: Pipeline, stage: StageSpec, inputDigests: Record<string, string>): InputMismatch[] {
  const mismatches: InputMismatch[] = [];
  for (const dep of stage.deps) {
    const producer = pipeline.stages.find((s) => s.outs.includes(dep));
    const lock = producer && readLock(pipeline, producer);
    const expected = lock?.outputs[dep];
    if (!producer || !expected || inputDigests[dep] === expected) continue;
    const path = resolveFromRoot(pipeline, pipeline.artifacts[dep]!.path);
    const rel = relativeToRoot(pipeline, path);
    const recorded = lock.outputFiles?.[dep];
    const files: string[] = [];
    if (recorded) {
      const actual = existsSync(path) ? Object.fromEntries(Object.entries(hashTree(path)).map(([f, h]) => [f ? `${rel}/${f}` : rel, h])) : {};
      for (const file of [...new Set([...Object.keys(recorded), ...Object.keys(actual)])].sort()) {
        if (recorded[file] !== actual[file]) files.push(`${file}: sha256 ${short(actual[file])} now, ${short(recorded[file])} in the lock`);
      }
    }
    mismatches.push({ artifact: dep, producer: producer.name, path: rel, files });
  }
  return mismatches;
}

/** Throws an IntegrityError naming each damaged input, its files, and what to run (under Nx: drop the damaged cache entry). */
export function assertInputsIntact(pipeline: Pipeline, stage: StageSpec, inputDigests: Record<string, string>, underNx = Boolean(process.env.NX_TASK_HASH)): void {
  const mismatches = findInputMismatches(pipeline, stage, inputDigests);
  if (!mismatches.length) return;
  const profile = pipeline.profile ? ` -c ${pipeline.profile}` : '';
  const lines = [`stage ${stage.name} did not run: its inputs are not what their stages wrote.`];
  for (const m of mismatches) {
    const lockFile = relativeToRoot(pipeline, join(stageDir(pipeline, pipeline.stages.find((s) => s.name === m.producer)!), LOCK_FILE));
    lines.push(`  input "${m.artifact}" (${m.path}) differs from what stage ${m.producer} recorded in ${lockFile}:`);
    const shown = m.files.slice(0, 8);
    lines.push(...(shown.length ? shown.map((f) => `    ${f}`) : [`    ${m.path}: its tree digest differs`]));
    if (m.files.length > shown.length) lines.push(`    (+${m.files.length - shown.length} more files)`);
  }
  const producers = [...new Set(mismatches.map((m) => m.producer))];
  if (underNx) {
    lines.push(
      'Nx restored them from a damaged cache entry (it would put a hand-edited output back from its cache instead).',
      'Nx keeps that entry and would restore it again: drop the local cache and run again; stages then come',
      'from the team cache if you use one (its server drops damaged entries itself), or are retrained:',
      `  npx nx reset --only-cache && npx nx run pipeline:all${profile}`,
    );
  } else {
    lines.push(
      'They were changed after their stage ran. Rerun the producing stage (Nx restores it from its cache if it can):',
      ...producers.map((p) => `  npx nx run ${nxProject(pipeline, pipeline.stages.find((s) => s.name === p)!)}:stage${profile}`),
    );
  }
  throw new IntegrityError(lines.join('\n'));
}
