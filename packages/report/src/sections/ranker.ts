// Section "ranker" (task 2): each scorer's top images with their scores, the two one-sided
// lists, and how much the scorers agree. Reads `ranker_both`, `ranker_one_sided`,
// `ranker_metrics`, and `dataset` for the pictures (drawn here at 32x32, enlarged pixelated).
import { readImageDataset, type Dataset } from '@cvc/core';
import { z } from 'zod';
import { chartFigure } from '../charts.ts';
import { esc, fmt, table } from '../html.ts';
import { datasetImg } from '../images.ts';
import { readJsonArtifact } from '../read-artifact.ts';
import type { RenderedSection, SectionContext } from './section.ts';

const rankedImage = z.object({
  rank: z.number(),
  index: z.number().int().min(0),
  file: z.string(),
  label: z.string(),
  score: z.number(),
  pCrocodile: z.number(),
  misclassifiedOutOfFold: z.boolean(),
});
type RankedImage = z.infer<typeof rankedImage>;
export const rankerBothSchema = z.object({
  classNames: z.array(z.string()),
  embeddings: z.object({ model: z.string(), variant: z.string().optional() }).optional(),
  oofModel: z.string().optional(),
  scorers: z.record(z.string(), z.object({ layer: z.string().nullable(), meaning: z.string(), top: z.array(rankedImage) })),
});
export const rankerOneSidedSchema = z.object({ scorer: z.string(), meaning: z.string(), lists: z.record(z.string(), z.array(rankedImage)) });
const pairTable = z.record(z.string(), z.record(z.string(), z.number()));
export const rankerMetricsSchema = z.object({
  images: z.number(),
  topK: z.array(z.number()),
  spearman: pairTable,
  overlap: z.record(z.string(), pairTable),
  misclassifiedOutOfFold: z.record(z.string(), z.record(z.string(), z.number())),
  misclassifiedOverall: z.number(),
});

async function tiles(dataset: Dataset, ranked: RankedImage[], file: string): Promise<string> {
  const n = dataset.manifest.shape[0];
  const figures = await Promise.all(
    ranked.map(async (r) => {
      if (r.index >= n) throw new Error(`${file}: image index ${r.index} (${r.file}) is outside the dataset (${n} images); rerun the ranker`);
      const title = `#${r.rank} ${r.file} (${r.label}) score ${r.score}, p(crocodile) ${fmt(r.pCrocodile, 2)}${r.misclassifiedOutOfFold ? ', misclassified out of fold' : ''}`;
      const mark = r.misclassifiedOutOfFold ? ' <span title="misclassified out of fold">✗</span>' : '';
      return `<figure>${await datasetImg(dataset, r.index, title)}<figcaption>${fmt(r.score, 3)}${mark}</figcaption></figure>`;
    }),
  );
  return `<div class="tiles">${figures.join('')}</div>`;
}

function heatmap(pairs: Record<string, Record<string, number>>, title: string, alt: string, caption: string): Promise<string> {
  const names = Object.keys(pairs);
  const cells = names.flatMap((a) => names.map((b) => ({ a, b, value: pairs[a]![b] ?? 0 })));
  return chartFigure(
    {
      title,
      width: 58 * names.length,
      height: 58 * names.length,
      data: { values: cells },
      encoding: {
        x: { field: 'b', type: 'nominal', sort: names, title: null, axis: { labelAngle: -30, orient: 'top' } },
        y: { field: 'a', type: 'nominal', sort: names, title: null },
      },
      layer: [
        { mark: 'rect', encoding: { color: { field: 'value', type: 'quantitative', scale: { scheme: 'purples', domain: [0, 1] }, legend: null } } },
        { mark: { type: 'text', fontSize: 12 }, encoding: { text: { field: 'value', type: 'quantitative', format: '.2f' }, color: { condition: { test: 'datum.value > 0.6', value: 'white' }, value: 'black' } } },
      ],
    },
    alt,
    caption,
  );
}

export async function rankerSection(ctx: SectionContext, opts: { topPerScorer: number }): Promise<RenderedSection> {
  const dataset = readImageDataset(ctx.input('dataset'));
  const bothFile = ctx.input('ranker_both');
  const oneSidedFile = ctx.input('ranker_one_sided');
  const both = readJsonArtifact(bothFile, rankerBothSchema);
  const oneSided = readJsonArtifact(oneSidedFile, rankerOneSidedSchema);
  const metrics = readJsonArtifact(ctx.input('ranker_metrics'), rankerMetricsSchema);
  const scorerNames = Object.keys(both.scorers);

  const scorerBlocks: string[] = [];
  for (const [name, s] of Object.entries(both.scorers)) {
    const top = s.top.slice(0, opts.topPerScorer);
    scorerBlocks.push(`<h4>${esc(name)} <span class="note">${s.layer ? `on ${esc(both.embeddings?.model ?? '')} ${esc(s.layer)}` : `on out-of-fold p${both.oofModel ? ` of ${esc(both.oofModel)}` : ''}`}</span></h4>
<p class="note">${esc(s.meaning)}</p>${await tiles(dataset, top, bothFile)}`);
  }
  const oneSidedBlocks: string[] = [];
  for (const [list, ranked] of Object.entries(oneSided.lists)) {
    oneSidedBlocks.push(`<h4>${esc(list.replace(/-/g, ' '))}</h4>${await tiles(dataset, ranked.slice(0, opts.topPerScorer), oneSidedFile)}`);
  }

  const ks = Object.keys(metrics.overlap);
  const overlapK = ks.includes('@32') ? '@32' : ks[0];
  const charts = [await heatmap(metrics.spearman, "Spearman's rho", 'scorer agreement: Spearman rank correlation', `Rank correlation of the scorers' full rankings over all ${metrics.images} images.`)];
  if (overlapK) charts.push(await heatmap(metrics.overlap[overlapK]!, `overlap of the top ${overlapK.slice(1)}`, `scorer agreement: overlap of the top ${overlapK.slice(1)}`, `Share of one scorer's top ${overlapK.slice(1)} that is also in the other's.`));
  const misRows = Object.entries(metrics.misclassifiedOutOfFold).map(([name, byK]) => [esc(name), ...metrics.topK.map((k) => fmt(byK[`@${k}`], 2))]);
  const misTable = `<p class="note">Share of each scorer's top K that the classifier gets wrong out of fold (over all images: ${fmt(metrics.misclassifiedOverall, 2)}).</p>
${table(['scorer', ...metrics.topK.map((k) => `top ${k}`)], misRows, { numeric: metrics.topK.map((_, i) => i + 1) })}`;

  const html = `
<p class="facts">Which real images look like both a clock and a crocodile: ${scorerNames.length} scorers (${scorerNames.map(esc).join(', ')}), each ranking all ${metrics.images} images. Under each image: its score; ✗ marks an image the classifier gets wrong out of fold. Hover for the file and p(crocodile).</p>
<h3>Top ${opts.topPerScorer} of each scorer</h3>
${scorerBlocks.join('\n')}
<h3>One-sided lists</h3>
<p class="note">${esc(oneSided.meaning)} (scorer ${esc(oneSided.scorer)}).</p>
${oneSidedBlocks.join('\n')}
<h3>Scorer agreement</h3>
<div class="row">${charts.join('')}</div>
${misTable}`;
  return { id: 'ranker', title: 'Task 2 — look-alikes', summary: `${scorerNames.length} scorers`, html };
}
