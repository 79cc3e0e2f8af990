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
import { readJsonArtifact } from '@cvc/core';
import { rankerBoth } from '@cvc/artifacts/ranker-both';
import { rankerRankings } from '@cvc/artifacts/ranker-rankings';
import { rankerOneSided } from '@cvc/artifacts/ranker-one-sided';
import { rankerMetrics } from '@cvc/artifacts/ranker-metrics';
import { syntheticSet } from './scorers/synthetic.ts';
import { syntheticFolds, syntheticPanel } from './panel/synthetic-panel.ts';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const quiet = () => {};
// Offset along the last axis: the in-between points keep a typical density in cosine geometry (isolation
// ≤ 2), while the far outliers are isolated (≥ 6): the threshold 3 flags exactly them.
const set = syntheticSet({ offset: 20 });
// Four models read the class axis through their own noise and are unsure about the outliers; "tiny" is also
// the embedder's model (the uncertainty scorer's).
const members = ['tiny', 'm1', 'm2', 'm3'];
const panel = syntheticPanel(set);
const folds = syntheticFolds(set.labels.length);

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
    '    params:',
    '      topK: 8',
    `      panel: { models: [${members.join(', ')}], knn: { layer: pooled, k: 5 }, topK: [6, 20] }`,
    '      neighbourhood: { layer: pooled, normalize: false }',
    '      isolation: { outlier: 3 }',
    '      metricsTopK: [6, 20]',
    '      sheet: { count: 4, columns: 4, scale: 2 }',
    '      oneSided: { count: 6 }',
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
    const perModel = (index: number) => Object.fromEntries(members.map((m, k) => [m, panel.p[k]![index]!]));
    writeJsonAtomic(oofFile(), {
      classes: ['clock', 'crocodile'], models: members, folds: 5, temperature: Object.fromEntries(members.map((m) => [m, 1])), note: 'synthetic',
      images: files.map((file, index) => ({
        index, file, label: labels[index], fold: folds[index],
        pCrocodile: perModel(index), pCrocodileRaw: perModel(index),
        foldProbabilities: Object.fromEntries(members.map((m) => [m, set.foldProbabilities[index]!])),
      })),
    });
    await runStage({ pipelineFile: ws.pipelineFile, stage: 'ranker', log: quiet });
  });

  const rankingsTop = (name: string, k: number) => readJsonArtifact(out('rankings.json'), rankerRankings).scorers[name]!.order.slice(0, k);

  it('puts the in-between images first under the headline and the feature scorers; not the outliers, which the models are unsure about too', () => {
    const both = readJsonArtifact(out('both.json'), rankerBoth);
    expect(Object.keys(both.scorers)).toEqual(['panel-consensus', 'panel-all-images', 'centroid-difference', 'uncertainty', 'neighbourhood', 'both-not-neither']);
    expect(both.headline).toBe('panel-consensus');
    expect(both.panel.map((m) => m.name)).toEqual([...members, 'knn-pooled']);
    expect(both.scorers.neighbourhood!.layer).toBe('pooled');
    expect(both.scorers['panel-consensus']!.layer).toBeNull();
    const firstSix = (name: string) => both.scorers[name]!.top.slice(0, 6).map((t) => t.index).sort((a, b) => a - b);
    for (const name of ['panel-consensus', 'centroid-difference', 'neighbourhood', 'both-not-neither']) {
      expect(both.scorers[name]!.top).toHaveLength(8);
      expect(firstSix(name)).toEqual(set.between);
    }
    // Four of the five members are unsure about the outliers too: without the typicality rule they join the in-between images at the top.
    const top10 = rankingsTop('panel-all-images', 10);
    expect(set.outliers.every((i) => top10.includes(i))).toBe(true);
    expect(both.scorers['panel-consensus']!.top.some((t) => t.outlier)).toBe(false);
    const first = both.scorers['both-not-neither']!.top[0]!;
    expect(Object.keys(first.components)).toEqual(['mahalanobisClock', 'mahalanobisCrocodile', 'relativeClock', 'relativeCrocodile']);
    expect(Object.keys(both.scorers['panel-consensus']!.top[0]!.components)).toEqual(['panelAmbiguity', 'p:tiny', 'p:m1', 'p:m2', 'p:m3', 'p:knn-pooled', 'outlier']);
    expect(first.file).toMatch(/^(clock|crocodile)\//);
    for (const s of Object.values(both.scorers)) expect(s.meaning).toMatch(/^[A-Z].*\.$/); // one sentence each
    const rankings = readJsonArtifact(out('rankings.json'), rankerRankings);
    // both-not-neither and the headline rank the outliers last over the whole dataset.
    for (const name of ['both-not-neither', 'panel-consensus']) {
      expect(rankings.scorers[name]!.order.slice(-set.outliers.length).sort((a, b) => a - b)).toEqual(set.outliers);
    }
  });

  it('measures the panel: agreement matrix, held-out check per scorer, the headline against the ceiling', () => {
    const metrics = readJsonArtifact(out('metrics.json'), rankerMetrics);
    const names = [...members, 'knn-pooled'];
    expect(metrics.panel.members).toEqual(names);
    expect(Object.keys(metrics.panel.spearman)).toEqual(names);
    expect(metrics.panel.spearman.tiny!.tiny).toBe(1);
    expect(metrics.panel.overlap['@6']!.m1!.m1).toBe(1);
    expect(metrics.outliers).toMatchObject({ threshold: 3, overall: 4 });
    // Held out: the uncertainty scorer read "tiny", so tiny does not judge it; the panel scorers are refitted per member.
    expect(metrics.heldOut.uncertainty!.judges).toEqual(['m1', 'm2', 'm3', 'knn-pooled']);
    expect(metrics.heldOut['panel-consensus']!.judges).toEqual(names);
    expect(Object.keys(metrics.heldOut['panel-consensus']!.mean)).toEqual(['@6', '@20']);
    // The in-between points are ambiguous to every member: the headline's held-out figure is below one
    // member's picks judged by another (those picks are the outliers, which the k-NN member is sure about).
    expect(metrics.headline.scorer).toBe('panel-consensus');
    expect(metrics.headline.heldOut['@6']).toBeLessThanOrEqual(metrics.headline.pairwiseLevel['@6']!);
    expect(metrics.headline.outliers).toEqual({ '@6': 0, '@20': 0 });
    expect(metrics.outliers.byScorer['panel-all-images']!['@20']).toBe(4);
  });

  it('writes diagnostics, one-sided lists and a contact sheet per scorer and per list', () => {
    const metrics = readJsonArtifact(out('metrics.json'), rankerMetrics);
    expect(metrics.spearman.uncertainty!.uncertainty).toBe(1);
    expect(metrics.overlap['@6']!['centroid-difference']!['both-not-neither']).toBe(1);
    expect(metrics.classCounts['panel-consensus']!['@6']).toEqual({ clock: 3, crocodile: 3 });
    // The in-between points sit in the gap between the clusters: sparser than a typical image, and
    // every such scorer's top 6 is that same set.
    const isolation = metrics.medianIsolation;
    expect(isolation['both-not-neither']!['@6']).toBeGreaterThan(1.2);
    expect(new Set(['panel-consensus', 'centroid-difference', 'neighbourhood', 'both-not-neither'].map((n) => isolation[n]!['@6'])).size).toBe(1);
    // The far outliers are the most "neither" images; both-not-neither ranks them at the very end.
    expect(metrics.neither!.medianRankPercentile['both-not-neither']).toBeGreaterThan(0.95);
    const oneSided = readJsonArtifact(out('one-sided.json'), rankerOneSided);
    expect(oneSided.lists['clock-like-crocodile']!.every((r) => r.label === 'clock')).toBe(true);
    expect(oneSided.lists['crocodile-like-clock']!.every((r) => r.label === 'crocodile')).toBe(true);
    expect(set.between).toContain(oneSided.lists['clock-like-crocodile']![0]!.index);
    for (const sheet of ['panel-consensus', 'panel-all-images', 'centroid-difference', 'uncertainty', 'neighbourhood', 'both-not-neither', 'neither', 'clock-like-crocodile', 'crocodile-like-clock']) {
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
      `${oofFile()}: no out-of-fold predictions of model "resnet" (models: tiny, m1, m2, m3)`,
    );
    await expect(runStage({ pipelineFile: ws.pipelineFile, stage: 'ranker', set: { headline: 'uncertainty', scorers: ['both-not-neither'] }, log: quiet })).rejects.toThrow(
      /stages\.ranker\.params\.headline.*"uncertainty" is not among scorers \[both-not-neither\]/,
    );
  });
});
