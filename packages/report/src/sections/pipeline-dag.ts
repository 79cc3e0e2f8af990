// Section "pipeline": the DAG of the pipeline file — stages, the artifacts between them, external
// inputs — laid out by ELK (dag/layout.ts), drawn inline as SVG. Each stage's status line ("ran
// 57.3 s" or "from cache") is filled at view time from the run times beside the page
// (page-script.ts), so the page's bytes stay the same from run to run.
import { loadPipeline } from '@cvc/core';
import { esc } from '../html.ts';
import { layoutGraph } from '../dag/layout.ts';
import { pipelineGraph } from '../dag/pipeline-graph.ts';
import { graphSvg } from '../dag/svg.ts';
import type { RenderedSection, SectionContext } from './section.ts';

export async function pipelineSection(_ctx: SectionContext, opts: { pipelineFile: string }): Promise<RenderedSection> {
  const pipeline = loadPipeline(opts.pipelineFile);
  const graph = pipelineGraph(pipeline, () => '…');
  const layout = await layoutGraph(graph);
  const svg = graphSvg(layout, { title: `the pipeline: ${pipeline.stages.length} stages`, attributes: 'style="max-width:100%;height:auto"' });
  const artifacts = graph.nodes.filter((n) => n.kind === 'artifact').reduce((a, n) => a + n.lines.length, 0);
  const html = `
<p class="facts">${pipeline.stages.length} stages in DAG order (${pipeline.stages.map((s) => esc(s.name)).join(' → ')}); yellow boxes are the ${artifacts} artifacts one stage hands to another, dashed boxes the inputs from outside the workspace.
Under each stage: whether it ran in the run that built this page (and how long it took) or came from Nx's cache.</p>
<figure class="dag-figure">${svg}</figure>
<p class="note">Laid out by ELK's layered algorithm (elkjs) from the pipeline file; <code>npx cvc dag</code> prints the same graph in a terminal, <code>npx cvc dag --svg file.svg</code> writes it.</p>`;
  return { id: 'pipeline', title: 'Pipeline', summary: `${pipeline.stages.length} stages, ${artifacts} artifacts between them`, html };
}
