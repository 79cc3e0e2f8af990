// A laid-out graph as a standalone SVG (monospace text, so the layout's text widths are exact).
// Class names carry a `dag-` prefix: inline in the report page, its <style> applies page-wide.
import type { Layout } from './layout.ts';
import { PIXELS, boxLines } from './layout.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const r = (v: number) => Number(v.toFixed(1));

const STYLE = `
.dag text { font: 12px ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace; fill: #1d2433; }
.dag .dag-node rect { fill: #f4f6fb; stroke: #4a5a80; stroke-width: 1.2; }
.dag .dag-node.dag-external rect { fill: #fff; stroke-dasharray: 4 3; }
.dag .dag-node.dag-library rect { fill: #eef7ee; stroke: #4b7a4b; }
.dag .dag-node.dag-artifact rect { fill: #fffbea; stroke: #b59a3c; stroke-width: 0.8; }
.dag .dag-node.dag-artifact text { font-size: 11px; fill: #5b4a12; }
.dag .dag-node .dag-title { font-weight: bold; }
.dag .dag-node .dag-status { fill: #5a6478; }
.dag .dag-node .dag-status.dag-ran { fill: #a3460b; }
.dag .dag-node .dag-status.dag-cached { fill: #2e6b35; }
.dag .dag-edge { fill: none; stroke: #7a869e; stroke-width: 1.2; }
.dag .dag-label { fill: #46506a; font-size: 11px; }
`;

export interface SvgOptions {
  title: string;
  /** Extra attributes of the <svg> element (e.g. a style for the page). */
  attributes?: string;
}

export function graphSvg(layout: Layout, opts: SvgOptions): string {
  const m = PIXELS;
  const W = Math.ceil(layout.width);
  const H = Math.ceil(layout.height);
  const edges = layout.edges.map((e) => {
    const d = e.points.map((p, i) => `${i ? 'L' : 'M'}${r(p.x)} ${r(p.y)}`).join(' ');
    const label = e.labelBox && e.label
      ? e.label.map((line, i) => `<text class="dag-label" x="${r(e.labelBox!.x)}" y="${r(e.labelBox!.y + (i + 0.75) * m.lineHeight)}">${esc(line)}</text>`).join('')
      : '';
    return `<g data-from="${esc(e.from)}" data-to="${esc(e.to)}"><path class="dag-edge" d="${d}" marker-end="url(#dag-arrow)"/>${label}</g>`;
  });
  const nodes = layout.nodes.map((n) => {
    const lines = boxLines(n).map((line, i) => {
      const cls = i === n.lines.length ? 'dag-status' : n.kind === 'artifact' ? 'dag-line' : i === 0 ? 'dag-title' : 'dag-line';
      const y = n.y + m.padY + (i + 0.75) * m.lineHeight;
      return `<text class="${cls}"${cls === 'dag-status' ? ` data-stage="${esc(n.id)}"` : ''} x="${r(n.x + m.padX)}" y="${r(y)}">${esc(line)}</text>`;
    });
    return `<g class="dag-node dag-${esc(n.kind ?? 'node')}" data-node="${esc(n.id)}"><rect x="${r(n.x)}" y="${r(n.y)}" width="${r(n.width)}" height="${r(n.height)}" rx="6"/>${lines.join('')}</g>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="dag" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(opts.title)}"${opts.attributes ? ` ${opts.attributes}` : ''}>`,
    `<title>${esc(opts.title)}</title>`,
    `<style>${STYLE}</style>`,
    '<defs><marker id="dag-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#7a869e"/></marker></defs>',
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    ...edges,
    ...nodes,
    '</svg>',
  ].join('\n');
}
