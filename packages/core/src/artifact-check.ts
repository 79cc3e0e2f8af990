// Readers outside the runner (`cvc classify`, `cvc similar`, `cvc generate`) check the files they
// load against the lock of the stage that wrote them, as the runner does for a stage's inputs
// (integrity.ts): a model whose weights were overwritten would otherwise load and answer wrongly
// without a word. Only the files actually read are hashed (a model folder, not every model).
import { existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { assertArtifactInside } from './artifact-links.ts';
import { hashTree } from './files.ts';
import { IntegrityError, nxProject } from './integrity.ts';
import { LOCK_FILE, readLock, stageDir } from './lock.ts';
import { type Pipeline, relativeToRoot, resolveFromRoot } from './pipeline-file.ts';

export type LockCheck =
  | { status: 'verified'; artifact: string; producer: string; files: number }
  /** The producer has no lock (or an old one without per-file hashes): nothing to check against. */
  | { status: 'no-lock'; artifact: string; producer: string }
  /** Not inside any catalog artifact (e.g. `--model /somewhere/else`): no lock describes it. */
  | { status: 'outside' };

const short = (hash: string | undefined): string => (hash ? `${hash.slice(0, 12)}…` : 'absent');
const within = (path: string, folder: string): boolean => path === folder || path.startsWith(folder + sep);

/** The catalog artifact holding `path` (the deepest one) and its producing stage. */
export function artifactOf(pipeline: Pipeline, path: string): { artifact: string; producer: string } | undefined {
  let best: { artifact: string; producer: string; depth: number } | undefined;
  for (const [artifact, spec] of Object.entries(pipeline.artifacts)) {
    const root = resolveFromRoot(pipeline, spec.path);
    const producer = pipeline.stages.find((s) => s.outs.includes(artifact));
    if (producer && within(path, root) && (!best || root.length > best.depth)) best = { artifact, producer: producer.name, depth: root.length };
  }
  return best && { artifact: best.artifact, producer: best.producer };
}

/**
 * Check the files under `path` (a file or a folder inside a catalog artifact) against the
 * producer's lock. Throws an IntegrityError naming each differing file and what to run.
 */
export function checkAgainstLock(pipeline: Pipeline, path: string): LockCheck {
  const abs = resolveFromRoot(pipeline, path);
  const owner = artifactOf(pipeline, abs);
  if (!owner) return { status: 'outside' };
  const { artifact, producer } = owner;
  assertArtifactInside(pipeline, artifact, producer);
  const stage = pipeline.stages.find((s) => s.name === producer)!;
  const recorded = readLock(pipeline, stage)?.outputFiles?.[artifact];
  if (!recorded) return { status: 'no-lock', artifact, producer };
  const rel = relativeToRoot(pipeline, abs);
  const expected = Object.fromEntries(Object.entries(recorded).filter(([file]) => file === rel || file.startsWith(`${rel}/`)));
  const actual = existsSync(abs) ? Object.fromEntries(Object.entries(hashTree(abs)).map(([f, h]) => [f ? `${rel}/${f}` : rel, h])) : {};
  const differing = [...new Set([...Object.keys(expected), ...Object.keys(actual)])]
    .sort()
    .filter((file) => expected[file] !== actual[file])
    .map((file) =>
      expected[file] === undefined ? `${file}: not written by stage ${producer} (absent from its lock)`
      : actual[file] === undefined ? `${file}: missing (stage ${producer} wrote it)`
      : `${file}: sha256 ${short(actual[file])} now, ${short(expected[file])} in the lock`,
    );
  if (differing.length === 0) return { status: 'verified', artifact, producer, files: Object.keys(actual).length };
  const lockFile = relativeToRoot(pipeline, join(stageDir(pipeline, stage), LOCK_FILE));
  const profile = readLock(pipeline, stage)?.profile;
  throw new IntegrityError(
    [
      `${rel}: not what stage ${producer} wrote (checked against ${lockFile}):`,
      ...differing.slice(0, 8).map((d) => `  ${d}`),
      ...(differing.length > 8 ? [`  (+${differing.length - 8} more files)`] : []),
      `It was changed after the stage ran. Restore it: npx nx run ${nxProject(pipeline, stage)}:stage${profile ? ` -c ${profile}` : ''} ` +
        '(Nx puts the stage\'s outputs back from its cache, or reruns it).',
    ].join('\n'),
  );
}

/** One line for stderr saying what was checked, or that nothing could be (with why). */
export function describeLockCheck(pipeline: Pipeline, path: string, check: LockCheck): string {
  const abs = resolveFromRoot(pipeline, path);
  const rel = relative(process.cwd(), abs);
  const shown = rel === '' ? '.' : rel.startsWith('..') ? abs : rel;
  if (check.status === 'verified') return `${shown}: ${check.files} file${check.files === 1 ? '' : 's'} match stage ${check.producer}'s lock`;
  if (check.status === 'no-lock') return `${shown}: unchecked (stage ${check.producer} left no stage.lock.json with file hashes)`;
  return `${shown}: unchecked (outside the pipeline's artifacts, so no stage lock describes it)`;
}
