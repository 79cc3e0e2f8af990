// Section "classifier" (task 1): a table of models (cross-validated accuracy mean ± std, test
// accuracy, AUC, ECE), fold accuracies, training curves, confusion matrices, misclassified
// galleries and the reliability diagram. Reads `classifier_metrics` and `classifier_plots`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { classifierMetrics, type ClassifierModelMetrics } from '@cvc/artifacts/classifier-metrics';
import { chartFigure } from '../charts.ts';
import { esc, fmt, table } from '../html.ts';
import { pngFileImg } from '../images.ts';
import { readJsonArtifact } from '../read-artifact.ts';
import type { RenderedSection, SectionContext } from './section.ts';

type ModelMetrics = ClassifierModelMetrics;

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function modelsTable(models: ModelMetrics[], best: string): string {
  const rows = models.map((m) => [
    `<b>${esc(m.model)}</b>${m.model === best ? ' ★' : ''}`,
    esc(m.kind),
    `${m.epochs.chosen} / ${m.epochs.max}`,
    `${pct(m.crossValidation.mean)} ± ${pct(m.crossValidation.std)}`,
    pct(m.test.accuracy),
    pct(m.testFoldEnsemble.accuracy),
    fmt(m.test.auc),
    `${fmt(m.outOfFold.ece.raw)} → ${fmt(m.outOfFold.ece.calibrated)}`,
    fmt(m.temperature, 2),
  ]);
  return table(
    ['model', 'kind', 'epochs', 'CV accuracy', 'test acc.', 'test acc. (fold ens.)', 'test AUC', 'ECE (raw → cal.)', 'T'],
    rows,
    { numeric: [2, 3, 4, 5, 6, 7, 8] },
  );
}

function foldChart(models: ModelMetrics[]): Promise<string> {
  const points = models.flatMap((m) => m.crossValidation.foldAccuracy.map((accuracy, fold) => ({ model: m.model, fold: fold + 1, accuracy })));
  const means = models.map((m) => ({ model: m.model, mean: m.crossValidation.mean, low: m.crossValidation.mean - m.crossValidation.std, high: m.crossValidation.mean + m.crossValidation.std }));
  const order = models.map((m) => m.model); // the table's order, not alphabetical
  return chartFigure(
    {
      width: 360,
      height: 34 * models.length,
      layer: [
        { data: { values: means }, mark: { type: 'rule', strokeWidth: 2, color: '#999' }, encoding: { y: { field: 'model', type: 'nominal', title: null, sort: order }, x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } } },
        { data: { values: means }, mark: { type: 'tick', thickness: 3, color: '#333' }, encoding: { y: { field: 'model', type: 'nominal', sort: order }, x: { field: 'mean', type: 'quantitative' } } },
        {
          data: { values: points },
          mark: { type: 'point', filled: true, size: 50, opacity: 0.75 },
          encoding: {
            y: { field: 'model', type: 'nominal', sort: order },
            x: { field: 'accuracy', type: 'quantitative', title: 'fold accuracy', scale: { zero: false }, axis: { format: '.0%' } },
            color: { field: 'fold', type: 'ordinal', title: 'fold' },
          },
        },
      ],
    },
    'cross-validation fold accuracies per model',
    'Accuracy of each cross-validation fold (dots), mean (black tick) ± std (grey bar).',
  );
}

function confusionChart(models: ModelMetrics[], classes: string[]): Promise<string> {
  const cells = models.flatMap((m) =>
    m.test.confusion.flatMap((row, t) => row.map((count, p) => ({ model: m.model, truth: classes[t]!, predicted: classes[p]!, count, share: count / Math.max(1, row.reduce((a, b) => a + b, 0)) }))),
  );
  return chartFigure(
    {
      data: { values: cells },
      facet: { column: { field: 'model', type: 'nominal', title: null, sort: models.map((m) => m.model) } },
      spec: {
        width: 130,
        height: 130,
        encoding: {
          x: { field: 'predicted', type: 'nominal', sort: classes, title: 'predicted', axis: { labelAngle: 0 } },
          y: { field: 'truth', type: 'nominal', sort: classes, title: 'true class' },
        },
        layer: [
          { mark: 'rect', encoding: { color: { field: 'share', type: 'quantitative', scale: { scheme: 'blues', domain: [0, 1] }, legend: null } } },
          {
            mark: { type: 'text', fontSize: 15, fontWeight: 'bold' },
            encoding: { text: { field: 'count', type: 'quantitative' }, color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: 'black' } },
          },
        ],
      },
    },
    'confusion matrices on the test split',
    'Confusion matrices on the test split (rows: true class; shade: share of the row).',
  );
}

/** One of the classifier's PNGs; its charts are rendered at 2x (packages/classifier/src/charts.ts), its galleries at 3x per image. */
function plot(dir: string, file: string, alt: string, caption: string, shrink: number): string {
  const path = join(dir, file);
  if (!existsSync(path)) throw new Error(`${path}: missing from the classifier's plots (expected ${file})`);
  return `<figure>${pngFileImg(path, alt, { shrink })}<figcaption>${caption}</figcaption></figure>`;
}

export async function classifierSection(ctx: SectionContext): Promise<RenderedSection> {
  const metricsFile = ctx.input('classifier_metrics');
  const plots = ctx.input('classifier_plots');
  const metrics = readJsonArtifact(metricsFile, classifierMetrics);
  const { models, best, classes } = metrics;

  const curves = models.map((m) => plot(plots, `curves-${m.model}.png`, `training curves of ${m.model}`, `${esc(m.model)}: loss and accuracy per epoch on the train split, validation alongside.`, 2));
  // The best model's gallery open, the others one click away: together they are very long.
  const galleries = models.map(
    (m) =>
      `<details${m.model === best ? ' open' : ''}><summary>${esc(m.model)}: ${m.outOfFold.images - Math.round(m.outOfFold.accuracy * m.outOfFold.images)} images wrong out of fold</summary>` +
      `${plot(plots, `misclassified-${m.model}.png`, `misclassified images of ${m.model}`, `${esc(m.model)}: images it gets wrong out of fold (as drawn by the classifier stage).`, 1.5)}</details>`,
  );
  const reliability = plot(plots, 'reliability.png', 'reliability diagram', 'Reliability: predicted p(crocodile) against the observed share, before and after temperature scaling.', 2);
  const bestModel = models.find((m) => m.model === best);

  const html = `
<p class="facts">${models.length} models; best by cross-validated accuracy: <b>${esc(best)}</b>${bestModel ? ` (${pct(bestModel.crossValidation.mean)} ± ${pct(bestModel.crossValidation.std)}, test ${pct(bestModel.test.accuracy)}, AUC ${fmt(bestModel.test.auc)})` : ''}.</p>
${modelsTable(models, best)}
<p class="note">★ best by cross-validated accuracy. Epochs: chosen on validation / maximum. CV accuracy: mean ± std over the ${models[0]!.crossValidation.foldAccuracy.length} folds. Test: the ${models[0]!.test.images} held-out images, scored by the model trained on train ∪ validation, and by the mean of the fold models (fold ens.). ECE: expected calibration error out of fold, before and after temperature scaling (T).</p>
<div class="row">${await foldChart(models)}${await confusionChart(models, classes)}</div>
<h3>Training curves</h3>
<div class="gallery">${curves.join('\n')}</div>
<h3>Reliability</h3>
${reliability}
<h3>Misclassified images</h3>
${galleries.join('\n')}`;
  return { id: 'classifier', title: 'Task 1 — classifier', summary: `${models.length} models, best ${best}`, html };
}
