#!/usr/bin/env node
// Nx runtime input of a stage target: one line naming the profile, the digest of the stage's
// params (under that profile; with the seed and its artifacts' catalog paths), and a digest of each
// external path param's files (e.g. the data folder; its CVC_* env override wins). Profiles live
// here, not in the target's configuration, so adding one leaves every default hash alone.
// Usage: stage-inputs.cjs <pipeline file> <stage>
const { require: tsxRequire } = require('tsx/cjs/api');
const { stageInputsLine } = tsxRequire('./src/stage-inputs.ts', __filename);
const [pipelineFile, stage] = process.argv.slice(2);
try {
  process.stdout.write(`${stageInputsLine(pipelineFile, stage)}\n`);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
