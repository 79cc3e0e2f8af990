// A directed graph laid out by ELK's layered algorithm (elkjs: Sugiyama-style layers, orthogonal
// edge routing, edge labels placed by the layout): boxes never hand-placed. The same layout feeds
// the SVG picture (report, `cvc dag --svg`) and the text picture (`cvc dag`), in pixels or in
// character cells. Deterministic: ELK's layered algorithm uses a fixed random seed.
import { createRequire } from 'node:module';
import type { ELK as Elk, ELKConstructorArguments, ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';

// elkjs is CommonJS whose typings declare an ES default export: require it, typed as its API.
const ELK = createRequire(import.meta.url)('elkjs/lib/elk.bundled.js') as new (args?: ELKConstructorArguments) => Elk;

export interface GraphNode {
  id: string;
  /** Lines shown in the box, the first one bold. */
  lines: string[];
  /** Style class (e.g. "stage", "library"). */
  kind?: string;
  /** A last line set apart (a stage's status; the report fills it at view time). */
  status?: string;
}

/** Every line of a node's box: its lines, then its status line. */
export const boxLines = (n: GraphNode): string[] => (n.status === undefined ? n.lines : [...n.lines, n.status]);

export interface GraphEdge {
  from: string;
  to: string;
  /** Lines of the edge's label (e.g. the artifacts it carries); none: no label. */
  label?: string[];
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface Point {
  x: number;
  y: number;
}

export interface PlacedNode extends GraphNode {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge extends GraphEdge {
  /** Start, bends, end. */
  points: Point[];
  labelBox?: { x: number; y: number; width: number; height: number };
}

export interface Layout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

/** How big text is in layout units: pixels for SVG (monospace, so widths are exact), cells for text. */
export interface Metrics {
  charWidth: number;
  lineHeight: number;
  /** Padding inside a node box, around its text. */
  padX: number;
  padY: number;
  nodeSpacing: number;
  layerSpacing: number;
  edgeSpacing: number;
  /** Between an edge's bend and the box it enters (room for the arrowhead). */
  edgeNodeSpacing: number;
  direction: 'DOWN' | 'RIGHT';
}

export const PIXELS: Metrics = { charWidth: 7.2, lineHeight: 16, padX: 10, padY: 8, nodeSpacing: 28, layerSpacing: 36, edgeSpacing: 10, edgeNodeSpacing: 10, direction: 'DOWN' };

const textWidth = (lines: string[], m: Metrics) => Math.max(...lines.map((l) => l.length), 1) * m.charWidth;

export async function layoutGraph(graph: Graph, m: Metrics = PIXELS): Promise<Layout> {
  const elk = new ELK();
  const root: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': m.direction,
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.spacing.nodeNode': String(m.nodeSpacing),
      'elk.layered.spacing.nodeNodeBetweenLayers': String(m.layerSpacing),
      'elk.spacing.edgeEdge': String(m.edgeSpacing),
      'elk.layered.spacing.edgeEdgeBetweenLayers': String(m.edgeSpacing),
      'elk.layered.spacing.edgeNodeBetweenLayers': String(m.edgeNodeSpacing),
      'elk.spacing.edgeNode': String(m.edgeSpacing),
      'elk.spacing.edgeLabel': String(Math.max(1, m.edgeSpacing / 2)),
      'elk.edgeLabels.placement': 'CENTER',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.padding': `[top=${m.padY},left=${m.padX},bottom=${m.padY},right=${m.padX}]`,
      'elk.randomSeed': '1',
    },
    children: graph.nodes.map((n) => ({ id: n.id, width: textWidth(boxLines(n), m) + 2 * m.padX, height: boxLines(n).length * m.lineHeight + 2 * m.padY })),
    edges: graph.edges.map((e, i): ElkExtendedEdge => ({
      id: `e${i}`,
      sources: [e.from],
      targets: [e.to],
      ...(e.label?.length ? { labels: [{ id: `l${i}`, text: e.label.join('\n'), width: textWidth(e.label, m), height: e.label.length * m.lineHeight }] } : {}),
    })),
  };
  const laid = await elk.layout(root);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const nodes = (laid.children ?? []).map((c) => ({ ...byId.get(c.id)!, x: c.x!, y: c.y!, width: c.width!, height: c.height! }));
  const edges = (laid.edges ?? []).map((e, i) => {
    const section = e.sections?.[0];
    const points = section ? [section.startPoint, ...(section.bendPoints ?? []), section.endPoint] : [];
    const label = e.labels?.[0];
    return {
      ...graph.edges[i]!,
      points,
      ...(label ? { labelBox: { x: label.x!, y: label.y!, width: label.width!, height: label.height! } } : {}),
    };
  });
  return { width: laid.width!, height: laid.height!, nodes, edges };
}
