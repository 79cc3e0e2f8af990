// Section "ranker" (task 2): the headline list (images ambiguous to a panel of models and typical
// of the data) with its held-out check, the panel's agreement matrix (the ceiling for any "looks
// like both" list), a table comparing every scorer, the comparison scorers' top images, the two
// one-sided lists and the scorer-to-scorer agreement. Reads `ranker_both`, `ranker_one_sided`,
// `ranker_metrics` through their schemas (@cvc/artifacts), and `dataset` for the pictures.
import { readImageDataset, type Dataset } from '@cvc/core';
import { rankerBoth, type RankedImage } from '@cvc/artifacts/ranker-both';
import { rankerOneSided } from '@cvc/artifacts/ranker-one-sided';
import { rankerMetrics } from '@cvc/artifacts/ranker-metrics';
import { chartFigure } from '../charts.ts';
import { esc, fmt, table } from '../html.ts';
import { datasetImg } from '../images.ts';
import { readJsonArtifact } from '../read-artifact.ts';
import type { RenderedSection, SectionContext } from './section.ts';

async function tiles(dataset: Dataset, ranked: RankedImage[], file: string): Promise<string> {
  const n = dataset.manifest.shape[0];
  const figures = await Promise.all(
    ranked.map(async (r) => {
      if (r.index >= n) throw new Error(`${file}: image index ${r.index} (${r.file}) is outside the dataset (${n} images); rerun the ranker`);
      const title = `#${r.rank} ${r.file} (${r.label}) score ${r.score}, p(crocodile) ${fmt(r.pCrocodile, 2)}${r.misclassifiedOutOfFold ? ', misclassified out of fold' : ''}${r.outlier ? ', an outlier' : ''}`;
      const mark = (r.misclassifiedOutOfFold ? ' <span title="misclassified out of fold">✗</span>' : '') + (r.outlier ? ' <span title="outlier (isolation)">○</span>' : '');
      return `<figure>${await datasetImg(dataset, r.index, title)}<figcaption>${fmt(r.score, 3)}${mark}</figcaption></figure>`;
    }),
  );
  return `<div class="tiles">${figures.join('')}</div>`;
}

function heatmap(pairs: Record<string, Record<string, number>>, title: string, alt: string, caption: string, domain: [number, number] = [0, 1]): Promise<string> {
  const names = Object.keys(pairs);
  const cells = names.flatMap((a) => names.map((b) => ({ a, b, value: pairs[a]![b] ?? 0 })));
  const dark = domain[0] + 0.6 * (domain[1] - domain[0]);
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
        { mark: 'rect', encoding: { color: { field: 'value', type: 'quantitative', scale: { scheme: 'purples', domain }, legend: null } } },
        { mark: { type: 'text', fontSize: 12 }, encoding: { text: { field: 'value', type: 'quantitative', format: '.2f' }, color: { condition: { test: `datum.value > ${dark}`, value: 'white' }, value: 'black' } } },
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
  const both = readJsonArtifact(bothFile, rankerBoth);
  const oneSided = readJsonArtifact(oneSidedFile, rankerOneSided);
  const metrics = readJsonArtifact(ctx.input('ranker_metrics'), rankerMetrics);
  const scorerNames = Object.keys(both.scorers);
  const headline = both.scorers[both.headline];
  if (!headline) throw new Error(`${bothFile}: headline scorer "${both.headline}" has no list (scorers: ${scorerNames.join(', ')})`);
  const panel = metrics.panel;
  const ks = Object.keys(metrics.headline.heldOut);
  const lastK = ks[ks.length - 1]!;
  const source = (name: string) => {
    const layer = both.scorers[name]!.layer;
    return layer ? `on ${both.embeddings.model} ${layer}` : name === 'uncertainty' ? `on out-of-fold p of ${both.oofModel}` : `on out-of-fold p of the panel`;
  };

  // The headline: what it ranks, how it holds up with models it did not consult, its images.
  const h = metrics.headline;
  const headlineHtml = `<h3>Looks like either: ${esc(both.headline)}</h3>
<p>${esc(headline.meaning)}</p>
<p class="note">Held-out check: each panel member judges the list made without it. Mean |p − 0.5| of the top ${ks.map((k) => `${k.slice(1)}: <b>${fmt(h.heldOut[k], 3)}</b>`).join(', ')}
(lower = more ambiguous to models that were not consulted) — against ${ks.map((k) => `${fmt(h.pairwiseLevel[k], 3)}`).join(' and ')} when one panel member's most ambiguous images are judged by another,
and ${fmt(mean(Object.values(panel.meanAmbiguity)), 3)} for a random image. Outliers in its top ${ks.map((k) => k.slice(1)).join(' / ')}: ${ks.map((k) => h.outliers[k]).join(' / ')}
(isolation &gt; ${fmt(metrics.outliers.threshold, 2)}: ${metrics.outliers.overall} of ${metrics.images} images).</p>
${await tiles(dataset, headline.top, bothFile)}`;

  // The panel and its agreement: the ceiling for any list of this kind.
  const memberRows = both.panel.map((m) => [`<b>${esc(m.name)}</b>`, esc(m.description), fmt(panel.meanAmbiguity[m.name], 3)]);
  const panelCharts = [
    await heatmap(panel.spearman, 'Spearman of |p − 0.5|', 'panel agreement: Spearman of |p - 0.5|', `Rank correlation of two members' |p − 0.5| over all ${metrics.images} images.`, [-0.2, 1]),
  ];
  const overlapK = Object.keys(panel.overlap).includes(lastK) ? lastK : Object.keys(panel.overlap)[0];
  if (overlapK) {
    const k = overlapK.slice(1);
    panelCharts.push(await heatmap(panel.overlap[overlapK]!, `overlap of the ${k} most ambiguous`, `panel agreement: overlap of the ${k} most ambiguous`, `Share of one member's ${k} most ambiguous images among the other's.`));
    panelCharts.push(await heatmap(panel.crossAmbiguity[overlapK]!, `column's |p − 0.5| on row's top ${k}`, `panel agreement: cross ambiguity at ${k}`, `Mean |p − 0.5| of the column member over the row member's ${k} most ambiguous images (diagonal: its own); off-diagonal mean ${fmt(panel.pairwiseLevel[overlapK], 3)}.`, [0, 0.5]));
  }
  const panelHtml = `<h3>The panel and how far it agrees</h3>
<p class="note">${both.panel.length} models with different inductive biases, each scoring every image out of fold over the same folds. How far they agree on which images are ambiguous is how far any "looks like both" list can be trusted.</p>
${table(['member', 'what it is', 'mean |p − 0.5|, all images'], memberRows, { numeric: [2] })}
<div class="row">${panelCharts.join('')}</div>`;

  // Every scorer side by side.
  const misK = metrics.topK.includes(Number(lastK.slice(1))) ? lastK : `@${metrics.topK[metrics.topK.length - 1]}`;
  const classNames = both.classNames;
  const scorerRows = scorerNames.map((name) => {
    const held = metrics.heldOut[name]!;
    const counts = metrics.classCounts[name]?.[misK];
    return [
      `<b>${esc(name)}</b>${name === both.headline ? ' ★' : ''}`,
      `${esc(both.scorers[name]!.meaning)} <span class="note">(${esc(source(name))})</span>`,
      ...ks.map((k) => fmt(held.mean[k], 3)),
      `${held.judges.length}`,
      `${metrics.outliers.byScorer[name]?.[misK] ?? '—'}`,
      fmt(metrics.misclassifiedOutOfFold[name]?.[misK], 2),
      counts ? classNames.map((c) => counts[c] ?? 0).join(' : ') : '—',
      fmt(metrics.medianIsolation[name]?.[misK], 2),
    ];
  });
  const k = misK.slice(1);
  const scorerTable = `<h3>Every scorer</h3>
<p class="note">Held-out: mean |p − 0.5| of the scorer's top K by the panel members whose p it did not use (panel scorers: refitted without each member in turn). The panel's own pairwise level: ${ks.map((kk) => `${kk.slice(1)}: ${fmt(h.pairwiseLevel[kk], 3)}`).join(', ')}. ★ = the headline.</p>
${table(['scorer', 'what it ranks', ...ks.map((kk) => `held-out, top ${kk.slice(1)}`), 'judges', `outliers in top ${k}`, `misclassified (${esc(both.oofModel)}), top ${k}`, `${classNames.map(esc).join(' : ')}, top ${k}`, `median isolation, top ${k}`], scorerRows, { numeric: [2, 3, 4, 5, 6, 7] })}`;

  const comparisonBlocks: string[] = [];
  for (const [name, s] of Object.entries(both.scorers)) {
    if (name === both.headline) continue;
    comparisonBlocks.push(`<h4>${esc(name)} <span class="note">${esc(source(name))}</span></h4>
<p class="note">${esc(s.meaning)}</p>${await tiles(dataset, s.top.slice(0, opts.topPerScorer), bothFile)}`);
  }
  const oneSidedBlocks: string[] = [];
  for (const [list, ranked] of Object.entries(oneSided.lists)) {
    oneSidedBlocks.push(`<h4>${esc(list.replace(/-/g, ' '))}</h4>${await tiles(dataset, ranked.slice(0, opts.topPerScorer), oneSidedFile)}`);
  }

  const scorerKs = Object.keys(metrics.overlap);
  const scorerOverlapK = scorerKs.includes('@32') ? '@32' : scorerKs[0];
  const charts = [await heatmap(metrics.spearman, "Spearman's rho", 'scorer agreement: Spearman rank correlation', `Rank correlation of the scorers' full rankings over all ${metrics.images} images.`)];
  if (scorerOverlapK) charts.push(await heatmap(metrics.overlap[scorerOverlapK]!, `overlap of the top ${scorerOverlapK.slice(1)}`, `scorer agreement: overlap of the top ${scorerOverlapK.slice(1)}`, `Share of one scorer's top ${scorerOverlapK.slice(1)} that is also in the other's.`));

  const html = `
<p class="facts">Which real images look like both a clock and a crocodile. ${scorerNames.length} scorers rank all ${metrics.images} images; the headline list is the one that a panel of ${both.panel.length} independently trained models agrees on. Under each image: its score; ✗ marks an image ${esc(both.oofModel)} gets wrong out of fold, ○ an outlier. Hover for the file and p(crocodile).</p>
${headlineHtml}
${panelHtml}
${scorerTable}
<h3>The other scorers (comparisons), top ${opts.topPerScorer}</h3>
${comparisonBlocks.join('\n')}
<h3>One-sided lists</h3>
<p class="note">${esc(oneSided.meaning)}</p>
${oneSidedBlocks.join('\n')}
<h3>Scorer agreement</h3>
<div class="row">${charts.join('')}</div>`;
  return { id: 'ranker', title: 'Task 2 — look-alikes', summary: `headline ${both.headline}: held-out ${fmt(h.heldOut[lastK], 3)} vs panel ${fmt(h.pairwiseLevel[lastK], 3)} (${lastK})`, html };
}

function mean(values: number[]): number {
  return values.reduce((s, x) => s + x, 0) / Math.max(1, values.length);
}
