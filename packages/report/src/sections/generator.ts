// Section "generator" (task 3): per model, the interpolation strips clock → crocodile, the best
// hybrids (each 32x32 hybrid with its p(crocodile), realism and score) and class samples; a
// metrics table across models next to the real-data floor; training-loss curves.
// Reads `generator_metrics` and, per model in it, `generator_<model>`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { chartFigure } from '../charts.ts';
import { dataUri, esc, fmt, table } from '../html.ts';
import { pngFileImg } from '../images.ts';
import { readJsonArtifact } from '../read-artifact.ts';
import type { RenderedSection, SectionContext } from './section.ts';

const summary = z.object({ min: z.number(), median: z.number(), mean: z.number(), max: z.number() });
const modelMetrics = z.object({
  epochs: z.number(),
  hybrids: z.object({ count: z.number(), shareInRange: z.number(), pCrocodile: summary, kid: z.number() }),
  classSamples: z.object({ perClass: z.number(), classAccuracy: z.record(z.string(), z.number()), kid: z.number(), fid: z.number() }),
  memorisation: z.object({ nearestTrain: summary, closerThanAnyTestImage: z.number() }),
  bestHybrids: z.array(z.object({ index: z.number().int().min(0), pCrocodile: z.number(), realism: z.number(), score: z.number() })),
  history: z.array(z.object({ epoch: z.number(), losses: z.record(z.string(), z.number()) })),
});
export const generatorMetricsSchema = z.object({
  judge: z.string(),
  hybridRange: z.tuple([z.number(), z.number()]),
  reference: z.object({
    trainImages: z.number(),
    testToNearestTrainPixelRms: summary,
    /** KID/FID of real test images against the training images: the floor (absent in older artifacts). */
    testVsTrain: z.object({ kid: z.number(), fid: z.number() }).optional(),
  }),
  models: z.record(z.string(), modelMetrics).refine((m) => Object.keys(m).length > 0, 'no models'),
});
type ModelMetrics = z.infer<typeof modelMetrics>;

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

function metricsTable(metrics: z.infer<typeof generatorMetricsSchema>): string {
  const [lo, hi] = metrics.hybridRange;
  const rows = Object.entries(metrics.models).map(([name, m]) => [
    `<b>${esc(name)}</b>`,
    String(m.epochs),
    pct(m.hybrids.shareInRange),
    fmt(m.hybrids.pCrocodile.median, 2),
    fmt(m.hybrids.kid, 4),
    fmt(m.classSamples.kid, 4),
    fmt(m.classSamples.fid, 1),
    Object.entries(m.classSamples.classAccuracy).map(([c, a]) => `${esc(c)} ${pct(a)}`).join(', '),
    fmt(m.memorisation.nearestTrain.median, 3),
    String(m.memorisation.closerThanAnyTestImage),
  ]);
  const ref = metrics.reference;
  rows.push(['<i>real test images</i>', '—', '—', '—', '—', fmt(ref.testVsTrain?.kid, 4), fmt(ref.testVsTrain?.fid, 1), '—', fmt(ref.testToNearestTrainPixelRms.median, 3), '—']);
  return `${table(
    ['model', 'epochs', `hybrids with p in [${lo}, ${hi}]`, 'hybrid p(croc.) median', 'hybrid KID', 'class KID', 'class FID', 'class samples judged as their class', 'nearest train image (RMS) median', 'closer to train than any test image'],
    rows,
    { numeric: [1, 2, 3, 4, 5, 6, 8, 9] },
  )}
<p class="note">Judged by the classifier <b>${esc(metrics.judge)}</b>: hybridness is its p(crocodile) for samples generated at a 50/50 label; KID/FID are measured in its pooled feature space against the ${ref.trainImages} training images (the last row is the floor: real test images against the training images). Memorisation: RMS pixel distance of each sample to its nearest training image, next to that of real test images.</p>`;
}

/** One model's losses per epoch, one small panel per loss (their scales differ by orders of magnitude). */
function lossChart(name: string, m: ModelMetrics): Promise<string> {
  const rows = m.history.flatMap((h) => Object.entries(h.losses).map(([loss, value]) => ({ epoch: h.epoch, loss, value })));
  const losses = [...new Set(rows.map((r) => r.loss))];
  return chartFigure(
    {
      data: { values: rows },
      facet: { column: { field: 'loss', type: 'nominal', title: null, sort: losses } },
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: 150,
        height: 110,
        mark: { type: 'line', point: m.history.length <= 40 },
        encoding: {
          x: { field: 'epoch', type: 'quantitative', axis: { format: 'd', tickMinStep: 1 } },
          y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false }, axis: { format: ',.3~r' } },
        },
      },
    },
    `training losses of ${name}`,
    `${esc(name)}: training losses per epoch (mean over the epoch's batches).`,
  );
}

/** hybrids/hybrid-NNN.png by index; the stage numbers them in order, zero-padded. */
function hybridFiles(dir: string): string[] {
  const folder = join(dir, 'hybrids');
  if (!existsSync(folder)) throw new Error(`${folder}: missing from the generator's model folder`);
  return readdirSync(folder).filter((f) => /^hybrid-\d+\.png$/.test(f)).sort();
}

function bestHybridTiles(dir: string, m: ModelMetrics, count: number): string {
  const files = hybridFiles(dir);
  const tiles = m.bestHybrids.slice(0, count).map((b) => {
    const file = files[b.index];
    if (!file) throw new Error(`${join(dir, 'hybrids')}: no image for best hybrid index ${b.index} (${files.length} hybrids)`);
    const title = `hybrid ${b.index}: p(crocodile) ${fmt(b.pCrocodile, 2)}, realism ${fmt(b.realism, 2)}, score ${fmt(b.score, 3)}`;
    const src = dataUri('image/png', readFileSync(join(dir, 'hybrids', file)));
    return `<figure><img class="px" src="${src}" width="32" height="32" alt="${esc(title)}" title="${esc(title)}"><figcaption>p ${fmt(b.pCrocodile, 2)}</figcaption></figure>`;
  });
  return `<div class="tiles">${tiles.join('')}</div>`;
}

function picture(dir: string, file: string, alt: string, caption: string): string {
  const path = join(dir, file);
  if (!existsSync(path)) throw new Error(`${path}: missing from the generator's model folder (expected ${file})`);
  return `<figure>${pngFileImg(path, alt)}<figcaption>${caption}</figcaption></figure>`;
}

export async function generatorSection(ctx: SectionContext, opts: { bestHybrids: number }): Promise<RenderedSection> {
  const metrics = readJsonArtifact(ctx.input('generator_metrics'), generatorMetricsSchema);
  const blocks: string[] = [];
  for (const [name, m] of Object.entries(metrics.models)) {
    const dir = ctx.input(`generator_${name}`);
    blocks.push(`<h3>${esc(name)}</h3>
${await lossChart(name, m)}
<h4>Best hybrids</h4>
<p class="note">Generated at a 50/50 label and ranked by a score that wants both hybridness (p(crocodile) near 0.5) and realism. Under each: p(crocodile); hover for realism and score.</p>
${bestHybridTiles(dir, m, opts.bestHybrids)}
<h4>Interpolation strips</h4>
${picture(dir, 'interpolation.png', `interpolation strips of ${name}`, 'Clock → crocodile, one strip per row.')}
<div class="gallery">
${picture(dir, 'samples.png', `class samples of ${name}`, 'Class-conditional samples: clocks, then crocodiles.')}
${picture(dir, 'hybrids.png', `all hybrids of ${name}`, `All ${m.hybrids.count} hybrids.`)}
</div>`);
  }
  const html = `
<p class="facts">${Object.keys(metrics.models).length} generative model${Object.keys(metrics.models).length === 1 ? "" : "s"} trained on the ${metrics.reference.trainImages} training images, asked for images that are half clock, half crocodile.</p>
${metricsTable(metrics)}
${blocks.join('\n')}`;
  return { id: 'generator', title: 'Task 3 — generated hybrids', summary: `${Object.keys(metrics.models).join(', ')}`, html };
}
