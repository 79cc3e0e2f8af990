// cvc dag [--svg file] [--packages]: the pipeline (stages, the artifacts between them, each stage's
// status and last run time) or the workspace packages, drawn in the terminal or as SVG. The layout
// is ELK's (packages/report/src/dag), the same the report page uses.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getStage, loadPipeline, writeFileAtomic, type Pipeline } from '@cvc/core';
import { readLock } from '@cvc/core/lock';
import { pipelineStatus } from '@cvc/core/status';
import { layoutGraph, type Graph } from '@cvc/report/dag/layout';
import { pipelineGraph } from '@cvc/report/dag/pipeline-graph';
import { graphSvg } from '@cvc/report/dag/svg';
import { CELLS, textPicture } from '../dag/text-picture.ts';
import { packagesGraph } from '../dag/packages-graph.ts';

interface DagOptions {
  pipeline: string;
  profile?: string;
  svg?: string;
  packages?: boolean;
}

/** "up to date · 57.3 s", "would rerun · 623 s", "never run"; the time only if its execution made the artifacts there now. */
function stageStatus(pipeline: Pipeline): (stage: string) => string {
  const status = new Map(pipelineStatus(pipeline).map((s) => [s.stage, s]));
  return (stage) => {
    const s = status.get(stage);
    const file = join(pipeline.root, 'artifacts', '.runs', `${stage}.json`);
    const record = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { seconds?: number; paramsDigest?: string }) : undefined;
    const lock = readLock(pipeline, getStage(pipeline, stage));
    const seconds = record && lock && record.paramsDigest === lock.paramsDigest ? record.seconds : undefined;
    const time = seconds === undefined ? '' : ` · ${seconds < 100 ? seconds.toFixed(1) : Math.round(seconds)} s`;
    if (!s || s.reasons.some((r) => r.startsWith('never run'))) return 'never run';
    return `${s.rerun ? 'would rerun' : 'up to date'}${time}`;
  };
}

export async function dagCommand(opts: DagOptions): Promise<void> {
  const pipeline = loadPipeline(opts.pipeline, opts.profile ? { profile: opts.profile } : {});
  const graph: Graph = opts.packages ? packagesGraph(pipeline) : pipelineGraph(pipeline, stageStatus(pipeline));
  const what = opts.packages ? 'workspace packages (arrow: depends on; arrows implied by others left out)' : `pipeline ${pipeline.profile ? `(profile ${pipeline.profile})` : ''}`.trim();
  if (opts.svg) {
    writeFileAtomic(opts.svg, `${graphSvg(await layoutGraph(graph), { title: what })}\n`);
    process.stderr.write(`${what}: ${graph.nodes.length} boxes, ${graph.edges.length} arrows → ${opts.svg}\n`);
    return;
  }
  process.stdout.write(textPicture(await layoutGraph(graph, CELLS)));
  process.stdout.write(opts.packages ? 'heavy boxes: stages; an arrow points to a package it uses (arrows implied by others left out)\n' : 'heavy boxes: stages (status · last run time); rounded: artifacts between stages; dashed: inputs from outside\n');
}
