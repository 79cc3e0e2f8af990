// Training curves as a picture: loss and accuracy per epoch, one line per split, side by side.
import type { TopLevelSpec } from 'vega-lite';
import { renderVegaLite } from './charts.ts';

export interface CurvePoint { epoch: number; metric: 'loss' | 'accuracy'; split: string; value: number }

/** Loss and accuracy per epoch, one line per split, side by side; `marker` draws a dashed rule at that epoch. */
export function curvesPng(rows: CurvePoint[], title: string, marker?: number): Promise<Buffer> {
  const epochs = new Set(rows.map((r) => r.epoch)).size;
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: rows },
    facet: { column: { field: 'metric', type: 'nominal', sort: ['loss', 'accuracy'], title: null } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 320,
      height: 220,
      layer: [
        {
          mark: { type: 'line', point: epochs <= 30 },
          encoding: {
            x: { field: 'epoch', type: 'quantitative', scale: { domainMin: 1 } },
            y: { field: 'value', type: 'quantitative', scale: { zero: false }, title: null },
            color: { field: 'split', type: 'nominal', title: null },
          },
        },
        ...(marker !== undefined ? [{ mark: { type: 'rule' as const, strokeDash: [4, 4], color: 'grey' }, encoding: { x: { datum: marker } } }] : []),
      ],
    },
  };
  return renderVegaLite(spec);
}
