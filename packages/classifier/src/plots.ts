// The stage's pictures: training curves per model, a reliability diagram, misclassified galleries.
import sharp from 'sharp';
import type { TopLevelSpec } from 'vega-lite';
import { encodePng, imageAt, type Dataset } from '@cvc/core';
import { renderVegaLite } from '@cvc/vision/charts';
import { curvesPng, type CurvePoint } from '@cvc/vision/curves';
import type { EpochRecord } from './train.ts';
import type { ModelMetrics, OofImage } from './evaluate.ts';
import type { TrainingSpec } from './params.ts';

/** The legend name of the training curves: "augmented" only when the training images were. */
export function trainSeriesName(training: TrainingSpec): string {
  const { flip, pad, cutout, scale, rotate, grayscale } = training.augment;
  return flip || pad > 0 || cutout > 0 || scale > 0 || rotate > 0 || grayscale > 0 || training.mix.kind !== 'none' ? 'train (augmented)' : 'train';
}

/** Train vs validation loss and accuracy per epoch of the train-split run; a rule marks the chosen epoch count. */
export function trainingCurvesPng(model: string, history: EpochRecord[], chosen: number, training: TrainingSpec): Promise<Buffer> {
  const train = trainSeriesName(training);
  const rows = history.flatMap((h): CurvePoint[] => [
    { epoch: h.epoch, metric: 'loss', split: train, value: h.trainLoss },
    { epoch: h.epoch, metric: 'accuracy', split: train, value: h.trainAccuracy },
    ...(h.validationLoss !== undefined ? [{ epoch: h.epoch, metric: 'loss' as const, split: 'validation', value: h.validationLoss }] : []),
    ...(h.validationAccuracy !== undefined ? [{ epoch: h.epoch, metric: 'accuracy' as const, split: 'validation', value: h.validationAccuracy }] : []),
  ]);
  return curvesPng(rows, `${model}: run on the train split (chosen: ${chosen} epochs)`, chosen);
}

/** Observed crocodile frequency vs mean predicted p(crocodile) per bin, out-of-fold, before and after temperature scaling. */
export function reliabilityPng(metrics: ModelMetrics[]): Promise<Buffer> {
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Reliability (out-of-fold predictions on train ∪ validation)',
    hconcat: metrics.map((m) => ({
      title: `${m.model}: ECE ${m.outOfFold.ece.raw.toFixed(3)} → ${m.outOfFold.ece.calibrated.toFixed(3)} (T = ${m.temperature.toFixed(2)})`,
      width: 240,
      height: 240,
      layer: [
        { data: { values: [{ p: 0, f: 0 }, { p: 1, f: 1 }] }, mark: { type: 'line', color: 'lightgrey', strokeDash: [4, 4] }, encoding: { x: { field: 'p', type: 'quantitative' }, y: { field: 'f', type: 'quantitative' } } },
        ...(['line', 'point'] as const).map((markType) => ({
          data: {
            values: [
              ...m.reliability.raw.filter((b) => b.count > 0).map((b) => ({ ...b, calibration: 'raw' })),
              ...m.reliability.calibrated.filter((b) => b.count > 0).map((b) => ({ ...b, calibration: 'temperature-scaled' })),
            ],
          },
          mark: { type: markType },
          encoding: {
            x: { field: 'confidence', type: 'quantitative' as const, title: 'mean predicted p(crocodile)', scale: { domain: [0, 1] } },
            y: { field: 'frequency', type: 'quantitative' as const, title: 'observed fraction of crocodiles', scale: { domain: [0, 1] } },
            color: { field: 'calibration', type: 'nominal' as const, title: null },
            // Point area shows how many images fall in the bin.
            ...(markType === 'point' ? { size: { field: 'count', type: 'quantitative' as const, title: 'images' }, opacity: { value: 0.8 } } : {}),
          },
        })),
      ],
    })),
  };
  return renderVegaLite(spec);
}

/** Misclassified images (out-of-fold), most confidently wrong first, each captioned with its true class and p(crocodile). */
export async function misclassifiedPng(model: string, dataset: Dataset, images: OofImage[], max: number): Promise<Buffer> {
  const { classNames, shape } = dataset.manifest;
  const size = shape[1];
  const allWrong = images.filter((e) => (e.pCrocodileRaw[model]! > 0.5 ? 1 : 0) !== e.label);
  const wrong = allWrong
    .slice()
    .sort((a, b) => Math.abs(b.pCrocodileRaw[model]! - 0.5) - Math.abs(a.pCrocodileRaw[model]! - 0.5) || a.index - b.index)
    .slice(0, max);
  const scale = 3;
  const tile = size * scale;
  const captionHeight = 34;
  const columns = 8;
  const cellW = tile + 28;
  const cellH = tile + captionHeight + 8;
  const rows = Math.max(1, Math.ceil(wrong.length / columns));
  const headerHeight = 28;
  const width = columns * cellW + 16;
  const height = headerHeight + rows * cellH + 8;
  const text = (markup: string, w: number) => sharp({ text: { text: markup, font: 'sans 8', width: w, rgba: true, dpi: 96, align: 'centre' } }).png().toBuffer();
  const layers: sharp.OverlayOptions[] = [
    { input: await text(`<b>${model}</b>: ${wrong.length === allWrong.length ? allWrong.length : `${wrong.length} of ${allWrong.length}`} misclassified of ${images.length} (out-of-fold; test images: mean of fold models), most confident first`, width - 16), left: 8, top: 6 },
  ];
  for (const [j, entry] of wrong.entries()) {
    const left = 16 + (j % columns) * cellW;
    const top = headerHeight + Math.floor(j / columns) * cellH;
    layers.push({ input: await encodePng(imageAt(dataset, entry.index), size, size, scale), left, top });
    const p = entry.pCrocodileRaw[model]!;
    const where = entry.fold === null ? 'test' : `fold ${entry.fold}`;
    layers.push({ input: await text(`${classNames[entry.label]}  p=${p.toFixed(2)}\n<span foreground="grey">#${entry.index} ${where}</span>`, tile + 24), left: left - 12, top: top + tile + 2 });
  }
  return sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .composite(layers)
    .png({ compressionLevel: 9, adaptiveFiltering: false })
    .toBuffer();
}
