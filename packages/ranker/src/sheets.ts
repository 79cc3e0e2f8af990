// Contact sheets of ranked images: each tile framed in its class colour, captioned with rank,
// class, score and the out-of-fold p(crocodile) (a ✗ marks an image the classifier gets wrong, a ○
// an outlier by the isolation diagnostic); under the title, one sentence on what the sheet ranks.
import { type Dataset, imageAt } from '@cvc/core';
import { contactSheet } from './contact-sheet.ts';
import type { RankedImage } from './report.ts';

/** Class colours: clocks orange, crocodiles green (a third class, if any, blue). */
const CLASS_COLOURS: [number, number, number][] = [[214, 110, 16], [34, 139, 60], [40, 90, 200]];

const short = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(3));

export function rankedSheet(dataset: Dataset, ranked: RankedImage[], title: string, subtitle: string, opts: { columns: number; scale: number }): Promise<Buffer> {
  const { classNames } = dataset.manifest;
  const tiles = ranked.map((r) => ({
    rgb: imageAt(dataset, r.index),
    colour: CLASS_COLOURS[classNames.indexOf(r.label) % CLASS_COLOURS.length]!,
    lines: [`#${r.rank} ${r.label}${r.misclassifiedOutOfFold ? ' ✗' : ''}${r.outlier ? ' ○' : ''}`, `${short(r.score)} · p ${r.pCrocodile.toFixed(2)}`],
  }));
  return contactSheet(tiles, { title, subtitle, size: dataset.manifest.shape[1], scale: opts.scale, columns: opts.columns });
}
