import { loadPipeline } from '@cvc/core';
import { pipelineStatus } from '@cvc/core/status';

export function statusCommand(opts: { pipeline: string; profile?: string; json?: boolean }): void {
  const pipeline = loadPipeline(opts.pipeline, opts.profile ? { profile: opts.profile } : {});
  for (const status of pipelineStatus(pipeline)) {
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(status)}\n`);
    } else if (status.rerun) {
      process.stdout.write(`${status.stage}: would rerun\n${status.reasons.map((r) => `  - ${r}\n`).join('')}`);
    } else {
      process.stdout.write(`${status.stage}: up to date\n`);
    }
  }
}
