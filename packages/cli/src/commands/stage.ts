import { parseSetOverrides } from '@cvc/core';
import { runStage } from '@cvc/core/runner';

interface StageOptions {
  pipeline: string;
  profile?: string;
  paramsDigest?: string;
  set?: string[];
  dataDir?: string;
}

export async function runStageCommand(name: string, opts: StageOptions): Promise<void> {
  const pairs = [...(opts.set ?? []), ...(opts.dataDir ? [`dataDir=${opts.dataDir}`] : [])];
  await runStage({
    pipelineFile: opts.pipeline,
    stage: name,
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(opts.paramsDigest ? { expectParamsDigest: opts.paramsDigest } : {}),
    ...(pairs.length ? { set: parseSetOverrides(pairs) } : {}),
  });
}
