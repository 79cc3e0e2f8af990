import { loadPipeline } from '@cvc/core';
import { chosenProfile } from '@cvc/core/profile-choice';
import { pipelineStatus } from '@cvc/core/status';

export function statusCommand(opts: { pipeline: string; profile?: string; json?: boolean }): void {
  // The same profile a run would use (--profile, else CVC_PROFILE or nx's -c), as verify does.
  const profile = opts.profile ?? chosenProfile();
  const pipeline = loadPipeline(opts.pipeline, profile ? { profile } : {});
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
