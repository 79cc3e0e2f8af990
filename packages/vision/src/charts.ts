// Charts: a Vega-Lite spec → SVG (vega's headless renderer) → PNG (sharp / librsvg).
import sharp from 'sharp';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export async function renderVegaLite(spec: TopLevelSpec, scale = 2): Promise<Buffer> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG(scale);
  view.finalize();
  // Fixed settings and no metadata: the same chart gives the same bytes.
  return sharp(Buffer.from(svg)).flatten({ background: '#ffffff' }).png({ compressionLevel: 9, adaptiveFiltering: false }).toBuffer();
}
