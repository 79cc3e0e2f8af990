// Charts: Vega-Lite specs compiled and rendered to static SVG by Vega in Node (no browser,
// no hand-built SVG). The SVG is inlined as an <img> data URI, so the page stays one file.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { dataUri, esc } from './html.ts';

/** One look for every chart: readable on a phone once scaled down to the screen width. */
const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  background: 'white',
  axis: { labelFontSize: 11, titleFontSize: 12, grid: false },
  axisQuantitative: { grid: true, gridColor: '#e6e6e6' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 13, anchor: 'start' as const },
  view: { stroke: '#ddd' },
};

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = compile({ config: CONFIG, ...spec } as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** A chart as a figure: the SVG in an <img> (so the browser test can check it loaded) with a caption. */
export async function chartFigure(spec: TopLevelSpec, alt: string, caption?: string): Promise<string> {
  const svg = await renderSvg(spec);
  const cap = caption ? `<figcaption>${caption}</figcaption>` : '';
  return `<figure class="chart"><img src="${dataUri('image/svg+xml', svg)}" alt="${esc(alt)}">${cap}</figure>`;
}
