// What `cvc classify`, `cvc similar` and `cvc generate` load is checked before use: files inside
// the pipeline's artifacts against the lock of the stage that wrote them (a changed byte stops the
// command, naming the file and what to run); a model folder elsewhere (--model /path) has no lock,
// which is said (unchecked) — its weight files are still checked for the size model.json needs.
import { existsSync } from 'node:fs';
import { loadPipeline, type Pipeline } from '@cvc/core';
import { checkAgainstLock, describeLockCheck } from '@cvc/core/artifact-check';
import { assertWeightFilesComplete } from '@cvc/core/formats/tfjs-weights-check';

const toStderr = (message: string): void => void process.stderr.write(`${message}\n`);

/** The pipeline, if its file exists (a reader given only --model may run outside a checkout). */
export function pipelineIfPresent(file: string): Pipeline | undefined {
  return existsSync(file) ? loadPipeline(file) : undefined;
}

/** Check each path against its producer's lock; one note line per path to `note`. */
export function checkArtifactFiles(pipeline: Pipeline | undefined, paths: string[], note: (message: string) => void = toStderr): void {
  for (const path of paths) {
    const check = pipeline ? checkAgainstLock(pipeline, path) : ({ status: 'outside' } as const);
    if (check.status !== 'verified') note(`cvc: note: ${pipeline ? describeLockCheck(pipeline, path, check) : `${path}: unchecked (no pipeline file, so no stage lock describes it)`}`);
  }
}

/** A TensorFlow.js model folder: checked against its lock when it is an artifact, and its weight files' sizes in any case. */
export function checkModelFolder(pipeline: Pipeline | undefined, dir: string, note: (message: string) => void = toStderr): void {
  checkArtifactFiles(pipeline, [dir], note);
  assertWeightFilesComplete(dir);
}
