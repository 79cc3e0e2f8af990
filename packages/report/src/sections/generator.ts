// Section "generator" (task 3): one metrics table of every model and baseline under three judges
// next to the real-data floor; per model, the best hybrids (each 32x32 hybrid with its p(crocodile),
// realism and score) above their nearest training images, the interpolation strips clock →
// crocodile, class samples, and training-loss curves (learned models).
// Reads `generator_metrics` and, per model in it, `generator_<model>`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonArtifact } from '../read-artifact.ts';
import { generatorMetrics as generatorMetricsSchema, type GeneratorMetrics, type GeneratorModelMetrics } from '@cvc/artifacts/generator-metrics';
import { chartFigure } from '../charts.ts';
import { dataUri, esc, fmt, table } from '../html.ts';
import { pngFileImg } from '../images.ts';
import type { RenderedSection, SectionContext } from './section.ts';

type ModelMetrics = GeneratorModelMetrics;

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
const pair = (a: string, b: string) => `${a} / ${b}`;

function metricsTable(metrics: GeneratorMetrics): string {
  const [lo, hi] = metrics.hybridRange;
  const rows = Object.entries(metrics.models).map(([name, m]) => {
    const pr = m.classSamples.precisionRecall;
    return [
      `<b>${esc(name)}</b>`,
      m.type === 'baseline' ? 'baseline' : `${fmt(m.epochs, 0)} epoch${m.epochs === 1 ? '' : 's'}${m.guidance ? ', guided' : ''}`,
      pct(m.hybrids.shareInRange),
      pct(m.hybrids.secondJudge.shareInRange),
      pair(pct(m.hybrids.calibratedShareInRange.best), pct(m.hybrids.calibratedShareInRange.second)),
      fmt(m.objectAware.hybrids.meanPClockPlusCrocodile, 2),
      pair(pct(m.classSamples.classAccuracy.clock), pct(m.classSamples.classAccuracy.crocodile)),
      pair(pct(m.classSamples.secondJudgeAccuracy.clock), pct(m.classSamples.secondJudgeAccuracy.crocodile)),
      pair(pct(m.objectAware.classTop1.clock), pct(m.objectAware.classTop1.crocodile)),
      pair(fmt(m.classSamples.fid, 1), fmt(m.classSamples.kid, 3)),
      pair(fmt(m.objectAware.fid, 1), fmt(m.objectAware.kid, 3)),
      `${pair(fmt(pr.clock.precision, 2), fmt(pr.clock.recall, 2))}; ${pair(fmt(pr.crocodile.precision, 2), fmt(pr.crocodile.recall, 2))}`,
      fmt(m.memorisation.nearestTrain.median, 3),
      String(m.memorisation.closerThanAnyTestImage),
    ];
  });
  const ref = metrics.reference;
  const t = ref.realTest;
  rows.push([
    `<i>real test images (${t.count})</i>`, '—', pct(t.shareInRange.best), pct(t.shareInRange.second),
    pair(pct(t.calibratedShareInRange.best), pct(t.calibratedShareInRange.second)), fmt(t.meanPClockPlusCrocodile, 2),
    pair(pct(t.accuracy.best.clock), pct(t.accuracy.best.crocodile)),
    pair(pct(t.accuracy.second.clock), pct(t.accuracy.second.crocodile)),
    pair(pct(t.accuracy.objectTop1.clock), pct(t.accuracy.objectTop1.crocodile)),
    pair(fmt(ref.testVsTrain.fid, 1), fmt(ref.testVsTrain.kid, 3)),
    pair(fmt(ref.testVsTrainObjectFeatures.fid, 1), fmt(ref.testVsTrainObjectFeatures.kid, 3)),
    '—', fmt(ref.testToNearestTrainPixelRms.median, 3), '—',
  ]);
  const { best, second, object } = metrics.judges;
  const acc = object.accuracy;
  const objectFacts = acc
    ? ` (held out: CIFAR-10 test ${acc.cifar10Test !== undefined ? pct(acc.cifar10Test) : '—'}${Object.entries(acc.datasetTest ?? {}).map(([c, a]) => `, test ${esc(c)}s ${pct(a)}`).join('')})`
    : '';
  return `${table(
    [
      'model', 'training', `hybrids with p in [${lo}, ${hi}], best judge`, 'same, second judge', 'same, calibrated p (best / second)', 'hybrids: p(clock) + p(crocodile), 12-way',
      'class samples as their class (clock / crocodile), best judge', 'same, second judge', 'same, 12-way top-1',
      'class FID / KID, best judge features', 'class FID / KID, 12-way features', 'precision / recall (clock; crocodile)',
      'nearest train image (RMS) median', 'closer to train than any test image',
    ],
    rows,
    { numeric: [2, 3, 5, 12, 13] },
  )}
<p class="note">Three judges. <b>${esc(best.name)}</b> (the best classifier) and <b>${esc(second.name)}</b> (an independent second classifier) give p(crocodile): hybridness is the share of hybrids (generated at a 50/50 label) with p in [${lo}, ${hi}]; calibrated p is σ(logit(p) / T) with each judge's temperature (T = ${fmt(best.temperature, 2)} and ${fmt(second.temperature, 2)}, fit by the classifier stage on out-of-fold real images, never on generated ones): an overconfident judge (T ≫ 1) leaves few images of any kind in the raw window. <b>${esc(object.name)}</b> is a ${object.classes.length}-way classifier (${object.classes.map(esc).join(', ')})${objectFacts}: a clock sample it calls a frog is not a clock, and p(clock) + p(crocodile) near 0 means a hybrid looks like neither. FID/KID: class samples against all real images in the best judge's pooled features and in the 12-way judge's; the last row is what real test images get from the same judges: the ceiling for class samples and the floor for FID/KID (test against training images). Precision/recall (Kynkäänniemi et al. 2019, k = 3, best judge's features): the share of a class's samples inside the real images' k-NN manifold, and of real images inside the samples'. Memorisation: RMS pixel distance of each sample to its nearest training image, next to that of real test images. Baselines have no class samples; they stand in with the same operation on two training images of one class.</p>`;
}

/** One model's losses per epoch, one small panel per loss (their scales differ by orders of magnitude). */
function lossChart(name: string, m: ModelMetrics): Promise<string> {
  const history = m.history ?? [];
  const rows = history.flatMap((h) => Object.entries(h.losses).map(([loss, value]) => ({ epoch: h.epoch, loss, value })));
  const losses = [...new Set(rows.map((r) => r.loss))];
  return chartFigure(
    {
      data: { values: rows },
      facet: { column: { field: 'loss', type: 'nominal', title: null, sort: losses } },
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: 150,
        height: 110,
        mark: { type: 'line', point: history.length <= 40 },
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
    const title = `hybrid ${b.index}: p(crocodile) ${fmt(b.pCrocodile, 2)}, realism ${fmt(b.realism, 2)}, score ${fmt(b.score, 3)}; nearest training image ${b.nearestTrain.file} (RMS ${fmt(b.nearestTrain.rms, 3)})`;
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

function facts(metrics: GeneratorMetrics): string {
  const all = Object.values(metrics.models);
  const learned = all.filter((m) => m.type === 'learned').length;
  const baselines = all.length - learned;
  const count = (k: number, word: string) => `${k} ${word}${k === 1 ? '' : 's'}`;
  return `${count(learned, 'generative model')} trained on the ${metrics.reference.trainImages} training images and ${count(baselines, 'training-free baseline')}, asked for images that are half clock, half crocodile.`;
}

export async function generatorSection(ctx: SectionContext, opts: { bestHybrids: number }): Promise<RenderedSection> {
  const metrics = readJsonArtifact(ctx.input('generator_metrics'), generatorMetricsSchema);
  const blocks: string[] = [];
  for (const [name, m] of Object.entries(metrics.models)) {
    const dir = ctx.input(`generator_${name}`);
    const how = m.type === 'baseline'
      ? `<p class="note">A training-free baseline${m.params && Object.keys(m.params).length ? ` (${Object.entries(m.params).map(([k, v]) => `${esc(k)} ${esc(v)}`).join(', ')})` : ''}: made from real training images, no model. Its class samples stand in: the same operation on two training images of one class.</p>`
      : await lossChart(name, m);
    const groups = m.hybridGroups
      ? table(['hybrids', 'count', `p in [${metrics.hybridRange.join(', ')}], best judge`, 'second judge', 'p(clock) + p(crocodile), 12-way'],
          Object.entries(m.hybridGroups).map(([g, v]) => [esc(g), String(v.count), pct(v.shareInRange), pct(v.secondJudgeShareInRange), fmt(v.meanPClockPlusCrocodile, 2)]),
          { numeric: [1, 2, 3, 4] })
      : '';
    const called = (c: 'clock' | 'crocodile') => Object.entries(m.objectAware.classCalledAs[c]).map(([k, v]) => `${esc(k)} ${pct(v)}`).join(', ');
    const g = m.guidance;
    const guided = g
      ? `<p class="note">Guided sampling: each class sample's and hybrid's latent took ${g.steps} gradient steps toward its class (hybrids: toward undecided) under ${g.members} networks of ${g.guides.map(esc).join(' and ')} — classifier models that never judge — pulled toward the nearest real image of its class in the pretrain network's features${g.views || g.hybridViews ? `; each guide read its own random view of the image at every step, shifted by up to ${g.views ?? 0} px for class samples and ${g.hybridViews ?? 0} px for hybrids, mirrored or not` : ''}; hybrids start from the guided clock's and crocodile's latents${g.hybrid === 'blend' ? ' and are the pixel average of a clock and a crocodile the decoder draws from them, guided together' : ''}.</p>`
      : '';
    blocks.push(`<h3>${esc(name)}</h3>
${how}
${guided}
${groups}
<p class="note">12-way judge: clock samples called ${called('clock')}; crocodile samples called ${called('crocodile')}. Hybrids' top-1: clock ${pct(m.objectAware.hybrids.top1.clock)}, crocodile ${pct(m.objectAware.hybrids.top1.crocodile)}, something else ${pct(m.objectAware.hybrids.top1.other)}.</p>
<h4>Best hybrids</h4>
<p class="note">Generated at a 50/50 label and ranked by a score that wants both hybridness (p(crocodile) near 0.5) and realism. Under each: p(crocodile); hover for realism, score and the nearest training image.</p>
${bestHybridTiles(dir, m, opts.bestHybrids)}
${picture(dir, 'best-hybrids-nearest.png', `best hybrids of ${name} above their nearest training images`, 'Each best hybrid (rows 1, 3) above its nearest training image in pixels (rows 2, 4): new images, or copies?')}
<h4>Interpolation strips</h4>
${picture(dir, 'interpolation.png', `interpolation strips of ${name}`, 'Clock → crocodile, one strip per row.')}
<div class="gallery">
${picture(dir, 'samples.png', `class samples of ${name}`, 'Class-conditional samples: clocks, then crocodiles.')}
${picture(dir, 'hybrids.png', `all hybrids of ${name}`, `All ${m.hybrids.count} hybrids.`)}
</div>`);
  }
  const html = `
<p class="facts">${facts(metrics)}</p>
${metricsTable(metrics)}
${blocks.join('\n')}`;
  return { id: 'generator', title: 'Task 3 — generated hybrids', summary: `${Object.keys(metrics.models).join(', ')}`, html };
}
