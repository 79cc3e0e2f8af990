// The k samples of a probe's set nearest (RMS pixels) to a training image, above that image: which
// training image "nearer than any test image" points at, and whether it is a copy. Writes <dir>/nearest.png.
// CVC_THREADS=1 npx tsx packages/generator/scripts/nearest-train.ts <dir> [hybrid-guided.u8] [k]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readImageDataset } from '@cvc/core';
import { writeGrid } from '../src/figures.ts';
const [dir, file = 'hybrid-guided.u8', k = '8'] = process.argv.slice(2);
const P = 3072;
const ds = readImageDataset(process.env['DATASET'] ?? 'artifacts/data-prep/dataset');
const train = ds.manifest.splits.train;
const x = readFileSync(join(dir!, file));
const n = x.length / P;
const rows: { i: number; j: number; rms: number }[] = [];
for (let i = 0; i < n; i++) {
  let best = Infinity, bj = -1;
  for (const j of train) {
    let s = 0;
    for (let p = 0; p < P; p++) { const d = (x[i * P + p]! - ds.images[j * P + p]!) / 255; s += d * d; }
    if (s < best) { best = s; bj = j; }
  }
  rows.push({ i, j: bj, rms: Math.sqrt(best / P) });
}
rows.sort((a, b) => a.rms - b.rms);
const top = rows.slice(0, +k);
console.log(top.map((r) => `${r.i}:${r.rms.toFixed(3)} (train ${r.j}, ${ds.manifest.labels[r.j] ? 'croc' : 'clock'})`).join('  '));
const out = new Uint8Array(2 * top.length * P);
top.forEach((r, c) => { out.set(x.subarray(r.i * P, (r.i + 1) * P), c * P); out.set(ds.images.subarray(r.j * P, (r.j + 1) * P), (top.length + c) * P); });
await writeGrid(join(dir!, 'nearest.png'), out, top.length);
