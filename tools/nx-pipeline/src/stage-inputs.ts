// The runtime part of a stage's Nx hash (see ../stage-inputs.cjs).
import { existsSync } from 'node:fs';
import { envNameForParam, getStage, loadPipeline, stageParamsDigest } from '@cvc/core';
import { externalTreeDigest } from '@cvc/core/external-digest';
import { externalPaths } from '@cvc/core/lock';
import { chosenProfile } from '@cvc/core/profile-choice';

export function stageInputsLine(pipelineFile: string, stageName: string, env: NodeJS.ProcessEnv = process.env, profile = chosenProfile(env)): string {
  const pipeline = loadPipeline(pipelineFile, profile !== undefined ? { profile } : {});
  const stage = getStage(pipeline, stageName);
  const overrides = Object.fromEntries(stage.external.flatMap((p) => (env[envNameForParam(p)] ? [[p, env[envNameForParam(p)]!]] : [])));
  const external = Object.entries(externalPaths(pipeline, stage, overrides)).map(([param, path]) => `${param}=${existsSync(path) ? externalTreeDigest(path) : 'missing'}`);
  // An experiment hashes as its base profile: its params digest says what it changes.
  return [`profile=${pipeline.profile ?? '-'}`, `params=${stageParamsDigest(pipeline, stage)}`, ...external].join(' ');
}
