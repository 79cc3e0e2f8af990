// Section "dataset": class counts, split sizes (table + chart), channel statistics and a
// seeded sample of training images per class. Reads artifact `dataset`.
import { readImageDataset, shuffled, type Dataset } from '@cvc/core';
import { chartFigure } from '../charts.ts';
import { esc, fmt, table } from '../html.ts';
import { datasetImg } from '../images.ts';
import type { RenderedSection, SectionContext } from './section.ts';

const SPLITS = ['train', 'validation', 'test'] as const;

function splitCounts(dataset: Dataset): Array<{ className: string; split: string; images: number }> {
  const { classNames, labels, splits } = dataset.manifest;
  return classNames.flatMap((className, c) =>
    SPLITS.map((split) => ({ className, split, images: splits[split].filter((i) => labels[i] === c).length })),
  );
}

async function sampleGrid(dataset: Dataset, classIndex: number, count: number, ctx: SectionContext): Promise<string> {
  const { classNames, labels, files, splits } = dataset.manifest;
  const pool = splits.train.filter((i) => labels[i] === classIndex);
  const picked = shuffled(pool, ctx.rng(`samples/${classNames[classIndex]}`)).slice(0, count);
  const imgs = await Promise.all(picked.map((i) => datasetImg(dataset, i, files[i] ?? `#${i}`)));
  return `<figure class="samples"><figcaption>${esc(classNames[classIndex])} — ${picked.length} random training images</figcaption><div class="tiles">${imgs.join('')}</div></figure>`;
}

export async function datasetSection(ctx: SectionContext, opts: { samplesPerClass: number }): Promise<RenderedSection> {
  const dataset = readImageDataset(ctx.input('dataset'));
  const m = dataset.manifest;
  const counts = splitCounts(dataset);
  const count = (c: string, s: string) => counts.find((r) => r.className === c && r.split === s)?.images ?? 0;

  const rows = m.classNames.map((name, c) => [esc(name), String(m.classCounts[c]), ...SPLITS.map((s) => String(count(name, s)))]);
  rows.push(['<b>total</b>', `<b>${m.shape[0]}</b>`, ...SPLITS.map((s) => `<b>${m.splits[s].length}</b>`)]);
  const countsTable = table(['class', 'images', 'train', 'validation', 'test'], rows, { numeric: [1, 2, 3, 4] });

  const chart = await chartFigure(
    {
      width: 260,
      height: 40 * m.classNames.length,
      data: { values: counts },
      mark: { type: 'bar', tooltip: false },
      encoding: {
        y: { field: 'className', type: 'nominal', title: null },
        x: { field: 'images', type: 'quantitative', stack: 'zero', title: 'images' },
        color: { field: 'split', type: 'nominal', sort: [...SPLITS], scale: { range: ['#4c78a8', '#f58518', '#54a24b'] }, title: 'split' },
        order: { field: 'splitOrder', type: 'quantitative' },
      },
      transform: [{ calculate: "indexof(['train','validation','test'], datum.split)", as: 'splitOrder' }],
    },
    'split sizes per class',
    'Images per class and split (stratified, seeded).',
  );

  const grids = [];
  for (let c = 0; c < m.classNames.length; c++) grids.push(await sampleGrid(dataset, c, opts.samplesPerClass, ctx));

  const channel = (v: number[]) => v.map((x) => fmt(x, 3)).join(' / ');
  const facts = `<p class="facts">${m.shape[0]} images of ${m.shape[1]}×${m.shape[2]} RGB from ${esc(m.source)}; ` +
    `${m.splits.folds.length} cross-validation folds over train ∪ validation (${m.splits.folds.map((f) => f.length).join(' / ')} images); ` +
    `training-split channel mean (R / G / B) ${channel(m.mean)}, std ${channel(m.std)}; dataset hash <code>${esc(m.contentHash.slice(0, 12))}</code>.</p>`;

  return {
    id: 'dataset',
    title: 'Dataset',
    summary: `${m.shape[0]} images, ${m.classNames.length} classes`,
    html: `${facts}<div class="row">${countsTable}${chart}</div>${grids.join('\n')}`,
  };
}
