// The ranker stage end to end on synthetic embeddings with known geometry (written as the
// embedder would) and OOF predictions shaped like the classifier's: its artifacts, that the
// in-between images top every scorer, byte-identical reruns, and errors naming the culprit.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashTree, writeJsonAtomic } from '@cvc/core';
import { runStage } from '@cvc/core/runner';
import { testWorkspace } from '@cvc/core/testing';
import { writeEmbeddings } from '@cvc/artifacts/embeddings';
import { writeTinyDataset } from '@cvc/core/testing';
import { syntheticSet } from './scorers/synthetic.ts';
import type { RankedImage } from './report.ts';
import type { RankerMetrics } from './metrics.ts';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const quiet = () => {};
const set = syntheticSet();

function workspace(): { root: string; pipelineFile: string } {
  return testWorkspace('cvc-ranker-', (root) => [
    'seed: 42',
    'artifacts:',
    '  dataset: { path: artifacts/data-prep/dataset, format: image-dataset }',
    '  classifier_oof: { path: artifacts/classifier/oof-predictions.json, format: json }',
    '  embeddings: { path: artifacts/embedder/embeddings, format: folder }',
    '  ranker_both: { path: artifacts/ranker/both.json, format: json }',
    '  ranker_rankings: { path: artifacts/ranker/rankings.json, format: json }',
    '  ranker_one_sided: { path: artifacts/ranker/one-sided.json, format: json }',
    '  ranker_metrics: { path: artifacts/ranker/metrics.json, format: json }',
    '  ranker_sheets: { path: artifacts/ranker/sheets, format: folder }',
    'stages:',
    '  data-prep: { package: upstream/data-prep, outs: [dataset] }',
    '  classifier: { package: upstream/classifier, deps: [dataset], outs: [classifier_oof] }',
    '  embedder: { package: upstream/embedder, deps: [dataset], outs: [embeddings] }',
    '  ranker:',
    `    package: ${relative(root, packageDir)}`,
    '    params: { topK: 8, neighbourhood: { layer: pooled, normalize: false }, metricsTopK: [6, 20], sheet: { count: 4, columns: 4, scale: 2 }, oneSided: { count: 6 } }',
    '    deps: [dataset, embeddings, classifier_oof]',
    '    outs: [ranker_both, ranker_rankings, ranker_one_sided, ranker_metrics, ranker_sheets]',
  ]);
}

describe('ranker stage', () => {
  let ws: { root: string; pipelineFile: string };
  const out = (file: string) => join(ws.root, 'artifacts', 'ranker', file);
  const oofFile = () => join(ws.root, 'artifacts', 'classifier', 'oof-predictions.json');

  beforeAll(async () => {
    ws = workspace();
    const dataset = writeTinyDataset(join(ws.root, 'artifacts', 'data-prep', 'dataset'), set.labels);
    const { files, labels, classNames, contentHash } = dataset.manifest;
    const data = Float32Array.from(set.features.data);
    // fc7 and pooled carry the same geometry (pooled rotated by a sign flip, so the layers differ).
    writeEmbeddings(join(ws.root, 'artifacts', 'embedder', 'embeddings'), {
      model: 'tiny', variant: 'full', files, labels, classNames, datasetContentHash: contentHash,
      layers: [
        { layer: 'fc7', data, rows: set.features.rows, dim: set.features.dim },
        { layer: 'pooled', data: data.map((v) => -v), rows: set.features.rows, dim: set.features.dim },
      ],
    });
    writeJsonAtomic(oofFile(), files.map((file, index) => ({
      index, file, label: labels[index], fold: index % 5,
      pCrocodile: { tiny: set.p[index] }, pCrocodileRaw: { tiny: set.p[index] }, foldProbabilities: { tiny: set.foldProbabilities[index] },
    })));
    await runStage({ pipelineFile: ws.pipelineFile, stage: 'ranker', log: quiet });
  });

  it('puts the in-between images at the top of every scorer in both.json', () => {
    const both = JSON.parse(readFileSync(out('both.json'), 'utf8')) as { scorers: Record<string, { layer: string | null; top: RankedImage[] }> };
    expect(Object.keys(both.scorers)).toEqual(['centroid-difference', 'uncertainty', 'neighbourhood', 'both-not-neither']);
    expect(both.scorers.neighbourhood!.layer).toBe('pooled');
    for (const { top } of Object.values(both.scorers)) {
      expect(top).toHaveLength(8);
      expect(top.slice(0, set.between.length).map((t) => t.index).sort((a, b) => a - b)).toEqual(set.between);
    }
    const first = both.scorers['both-not-neither']!.top[0]!;
    expect(Object.keys(first.components)).toEqual(['mahalanobisClock', 'mahalanobisCrocodile', 'relativeClock', 'relativeCrocodile']);
    expect(first.file).toMatch(/^(clock|crocodile)\//);
    const rankings = JSON.parse(readFileSync(out('rankings.json'), 'utf8')) as { scorers: Record<string, { order: number[] }> };
    // both-not-neither ranks the outliers last over the whole dataset.
    expect(rankings.scorers['both-not-neither']!.order.slice(-set.outliers.length).sort((a, b) => a - b)).toEqual(set.outliers);
  });

  it('writes diagnostics, one-sided lists and a contact sheet per scorer and per list', () => {
    const metrics = JSON.parse(readFileSync(out('metrics.json'), 'utf8')) as RankerMetrics;
    expect(metrics.spearman.uncertainty!.uncertainty).toBe(1);
    expect(metrics.overlap['@6']!['centroid-difference']!['both-not-neither']).toBe(1);
    expect(metrics.classCounts.uncertainty!['@6']).toEqual({ clock: 3, crocodile: 3 });
    // The in-between points sit in the gap between the clusters: sparser than a typical image, and
    // every scorer's top 6 is that same set.
    const isolation = metrics.medianIsolation!;
    expect(isolation['both-not-neither']!['@6']).toBeGreaterThan(1.5);
    expect(new Set(Object.values(isolation).map((m) => m['@6'])).size).toBe(1);
    // The far outliers are the most "neither" images; both-not-neither ranks them at the very end.
    const neither = (metrics as RankerMetrics & { neither: { medianRankPercentile: Record<string, number> } }).neither;
    expect(neither.medianRankPercentile['both-not-neither']).toBeGreaterThan(0.95);
    const oneSided = JSON.parse(readFileSync(out('one-sided.json'), 'utf8')) as { lists: Record<string, RankedImage[]> };
    expect(oneSided.lists['clock-like-crocodile']!.every((r) => r.label === 'clock')).toBe(true);
    expect(oneSided.lists['crocodile-like-clock']!.every((r) => r.label === 'crocodile')).toBe(true);
    expect(set.between).toContain(oneSided.lists['clock-like-crocodile']![0]!.index);
    for (const sheet of ['centroid-difference', 'uncertainty', 'neighbourhood', 'both-not-neither', 'neither', 'clock-like-crocodile', 'crocodile-like-clock']) {
      expect(existsSync(out(`sheets/${sheet}.png`))).toBe(true);
    }
  });

  it('gives byte-identical artifacts when run again', async () => {
    const before = hashTree(join(ws.root, 'artifacts', 'ranker'));
    await runStage({ pipelineFile: ws.pipelineFile, stage: 'ranker', log: quiet });
    expect(hashTree(join(ws.root, 'artifacts', 'ranker'))).toEqual(before);
  });

  it('names a bad param, a missing layer and a missing OOF model', async () => {
    await expect(runStage({ pipelineFile: ws.pipelineFile, stage: 'ranker', set: { scorers: ['uncertainty'] }, log: quiet })).rejects.toThrow(
      /stages\.ranker\.params\.oneSided\.scorer.*"both-not-neither" is not among scorers \[uncertainty\]/,
    );
    await expect(runStage({ pipelineFile: ws.pipelineFile, stage: 'ranker', set: { bothNotNeither: { layer: 'conv3' } }, log: quiet })).rejects.toThrow(
      /embeddings\/conv3: no embeddings for layer "conv3" \(layers embedded: fc7, pooled\)/,
    );
    await expect(runStage({ pipelineFile: ws.pipelineFile, stage: 'ranker', set: { uncertainty: { model: 'resnet' } }, log: quiet })).rejects.toThrow(
      `${oofFile()}: entry 0: pCrocodile.resnet must be a probability (models: tiny)`,
    );
  });
});
