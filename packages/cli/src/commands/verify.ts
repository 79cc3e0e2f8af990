// Reproducibility check: hash every artifact, rerun the whole pipeline with Nx's cache off,
// hash again, and compare file by file. Same inputs + same backend must give the same bytes.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { RESUME_ENV, hashTree, loadPipeline } from '@cvc/core';
import { PROFILE_ENV, chosenProfile } from '@cvc/core/profile-choice';

function artifactHashes(root: string, stages: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const stage of stages) {
    const dir = join(root, 'artifacts', stage);
    if (!existsSync(dir)) continue;
    for (const [file, hash] of Object.entries(hashTree(dir))) out[`artifacts/${stage}/${file}`] = hash;
  }
  return out;
}

async function runPipeline(root: string, profile: string | undefined, skipCache: boolean): Promise<void> {
  const args = ['run', 'pipeline:all', ...(skipCache ? ['--skip-nx-cache'] : [])];
  process.stderr.write(`$ ${profile ? `${PROFILE_ENV}=${profile} ` : ''}nx ${args.join(' ')}\n`);
  // The uncached run also ignores resumable checkpoints, so every stage really recomputes.
  const env = { ...(profile ? { [PROFILE_ENV]: profile } : {}), ...(skipCache ? { [RESUME_ENV]: '0' } : {}) };
  await execa('nx', args, { cwd: root, preferLocal: true, stdio: 'inherit', env });
}

export async function verifyCommand(opts: { pipeline: string; profile?: string }): Promise<void> {
  const profile = opts.profile ?? chosenProfile();
  const pipeline = loadPipeline(opts.pipeline, profile ? { profile } : {});
  const stages = pipeline.stages.map((s) => s.name);
  // The previous run: whatever is in artifacts/ now, after bringing it up to date (from cache if possible).
  await runPipeline(pipeline.root, profile, false);
  const before = artifactHashes(pipeline.root, stages);
  await runPipeline(pipeline.root, profile, true);
  const after = artifactHashes(pipeline.root, stages);

  const files = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const differing = files.filter((f) => before[f] !== after[f]);
  for (const file of differing) {
    const what = before[file] === undefined ? 'new' : after[file] === undefined ? 'gone' : 'differs';
    process.stdout.write(`${what}: ${file}\n`);
  }
  const summary = { files: files.length, identical: files.length - differing.length, differing: differing.length, stages };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  if (differing.length) throw new Error(`${differing.length} of ${files.length} artifact files differ between two runs: not reproducible`);
  process.stdout.write(`reproducible: ${files.length} artifact files byte-identical across a cached and an uncached run\n`);
}
