// The pretraining curves: train (augmented) vs CIFAR-10 test, loss and accuracy per epoch.
import type { TopLevelSpec } from 'vega-lite';
import { renderVegaLite } from '@cvc/classifier';
import type { PretrainEpoch } from './pretrain.ts';

export function pretrainCurvesPng(history: PretrainEpoch[], title: string): Promise<Buffer> {
  const rows = history.flatMap((h) => [
    { epoch: h.epoch, metric: 'loss', split: 'train (augmented)', value: h.trainLoss },
    { epoch: h.epoch, metric: 'accuracy', split: 'train (augmented)', value: h.trainAccuracy },
    { epoch: h.epoch, metric: 'loss', split: 'CIFAR-10 test', value: h.testLoss },
    { epoch: h.epoch, metric: 'accuracy', split: 'CIFAR-10 test', value: h.testAccuracy },
  ]);
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: rows },
    facet: { column: { field: 'metric', type: 'nominal', sort: ['loss', 'accuracy'], title: null } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 320,
      height: 220,
      mark: { type: 'line', point: history.length <= 30 },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', scale: { domainMin: 1 } },
        y: { field: 'value', type: 'quantitative', scale: { zero: false }, title: null },
        color: { field: 'split', type: 'nominal', title: null },
      },
    },
  };
  return renderVegaLite(spec);
}
