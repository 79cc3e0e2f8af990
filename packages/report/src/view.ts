// What `cvc report` does before showing the page: check it was built, and refresh the run
// times it loads (artifacts/.runs/report-runs.js) from the runner's records as they are now.
import { existsSync } from 'node:fs';
import { loadPipeline, resolveFromRoot } from '@cvc/core';
import { refreshRunTimes, type RunInfo } from './run-times.ts';

export const REPORT_STAGE = 'report';
export const PAGE_ARTIFACT = 'report_page';

export function prepareReportView(pipelineFile: string): { page: string; runTimes: string; info: RunInfo } {
  const pipeline = loadPipeline(pipelineFile);
  const artifact = pipeline.artifacts[PAGE_ARTIFACT];
  if (!artifact) throw new Error(`${pipeline.file}: no artifact "${PAGE_ARTIFACT}": the report stage is not in this pipeline`);
  const page = resolveFromRoot(pipeline, artifact.path);
  if (!existsSync(page)) throw new Error(`${page}: not built yet; run \`npx nx run ${REPORT_STAGE}:stage\` (or \`npx nx run pipeline:all\`) first`);
  const { file, info } = refreshRunTimes(pipeline.root, pipeline.stages.map((s) => s.name), { writtenBy: 'cvc report', reportStage: REPORT_STAGE });
  return { page, runTimes: file, info };
}
