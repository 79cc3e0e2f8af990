// The pipeline as a graph: a node per stage (its name and a status line), a node per group of
// artifacts between stages (those a stage writes for the same readers, e.g. the classifier's models
// for the embedder and the generator), and a dashed node per external input (the data folder, the
// CIFAR-10 archive). Edges come from outputs → inputs, as in the YAML; outputs no stage reads
// (pictures, the model card) are left out.
import type { Pipeline } from '@cvc/core';
import type { Graph, GraphEdge, GraphNode } from './layout.ts';

/** Width of a stage's status line ("ran 738.2 s", "from cache"): the layout reserves it. */
export const STATUS_WIDTH = 18;

export function pipelineGraph(pipeline: Pipeline, status: (stage: string) => string = () => ''): Graph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  for (const stage of pipeline.stages) {
    for (const param of stage.external) {
      const id = `${stage.name}.${param}`;
      nodes.push({ id, kind: 'external', lines: [param, String(stage.params[param])] });
      edges.push({ from: id, to: stage.name });
    }
    nodes.push({ id: stage.name, kind: 'stage', lines: [stage.name], status: status(stage.name).padEnd(STATUS_WIDTH) });
  }
  for (const stage of pipeline.stages) {
    // Group the stage's outputs by who reads them.
    const groups = new Map<string, string[]>();
    for (const out of stage.outs) {
      const readers = pipeline.stages.filter((s) => s.deps.includes(out)).map((s) => s.name);
      if (readers.length) groups.set(readers.join(','), [...(groups.get(readers.join(',')) ?? []), out]);
    }
    for (const [readers, artifacts] of groups) {
      const id = `artifacts:${artifacts.join(',')}`;
      nodes.push({ id, kind: 'artifact', lines: artifacts });
      edges.push({ from: stage.name, to: id });
      for (const reader of readers.split(',')) edges.push({ from: id, to: reader });
    }
  }
  return { nodes, edges };
}
