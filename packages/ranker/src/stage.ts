// Stage ranker: which real images look like both a clock and a crocodile. Runs the scorers named
// in params on the embedder's features and the classifier's out-of-fold predictions; writes the
// top K per scorer (both.json), full rankings, the one-sided lists, diagnostics and contact sheets.
import { join } from 'node:path';
import { defineStage, readImageDataset, writeFileAtomic, writeJsonAtomic } from '@cvc/core';
import { readEmbeddingIndex } from '@cvc/artifacts/embeddings';
import { rankerParams } from './params.ts';
import { readOof } from './oof.ts';
import { featureLoader, scoreAll } from './score-all.ts';
import { bothJson, oneSidedJson, rankingsJson, topImages, type ImageInfo } from './report.ts';
import { rankerMetrics } from './metrics.ts';
import { rankedSheet } from './sheets.ts';
import { isolation } from './isolation.ts';
import { l2Normalized } from './vectors.ts';
import { neitherOf, neitherPlacement } from './neither.ts';

export default defineStage({
  name: 'ranker',
  params: rankerParams,
  async run(ctx) {
    const { params } = ctx;
    const dataset = readImageDataset(ctx.input('dataset'));
    const { files, labels, classNames } = dataset.manifest;
    if (classNames.length !== 2) throw new Error(`${ctx.input('dataset')}: the ranker needs exactly 2 classes, got ${classNames.length}`);
    const embeddingsDir = ctx.input('embeddings');
    const index = readEmbeddingIndex(embeddingsDir);
    if (index.datasetContentHash !== dataset.manifest.contentHash) {
      throw new Error(`${join(embeddingsDir, 'index.json')}: embeddings were made from another dataset (contentHash differs); rerun the embedder`);
    }
    const model = params.uncertainty.model === 'embedder' ? index.model : params.uncertainty.model;
    const oof = readOof(ctx.input('classifier_oof'), files, model);
    const info: ImageInfo = { files, labels, classNames, p: oof.p };

    const features = featureLoader(embeddingsDir, files);
    const { results, layers } = scoreAll(params, features, labels, oof);
    for (const [name, r] of Object.entries(results)) ctx.log(`${name} (${layers[name as keyof typeof layers] ?? `oof ${model}`}): top ${topImages(r, info, 5).map((x) => x.file).join(', ')}`);

    const meta = { classNames, embeddings: { model: index.model, variant: index.variant }, oofModel: model };
    writeJsonAtomic(ctx.output('ranker_both'), bothJson(results, layers, info, meta, params.topK));
    writeJsonAtomic(ctx.output('ranker_rankings'), rankingsJson(results, info));
    const scores = Object.fromEntries(Object.entries(results).map(([n, r]) => [n, r.scores]));
    const isolated = isolation(l2Normalized(features(params.isolation.layer)), params.isolation.k);
    const neither = results['both-not-neither'] ? neitherOf(results['both-not-neither']) : undefined;
    const metrics = {
      ...rankerMetrics(scores, labels, classNames, oof.p, params.metricsTopK, isolated),
      isolationLayer: params.isolation.layer,
      ...(neither ? { neither: neitherPlacement(neither.result, scores, params.sheet.count) } : {}),
    };
    writeJsonAtomic(ctx.output('ranker_metrics'), metrics);
    for (const [n, m] of Object.entries(metrics.misclassifiedOutOfFold)) {
      ctx.log(`${n}: misclassified out of fold ${JSON.stringify(m)}, median isolation ${JSON.stringify(metrics.medianIsolation?.[n])}`);
    }

    const oneSided = oneSidedJson(params.oneSided.scorer, results[params.oneSided.scorer]!, info, params.oneSided.count);
    writeJsonAtomic(ctx.output('ranker_one_sided'), oneSided);

    const sheetsDir = ctx.output('ranker_sheets');
    const sheetOpts = { columns: params.sheet.columns, scale: params.sheet.scale };
    for (const [name, r] of Object.entries(results)) {
      const layer = layers[name as keyof typeof layers];
      const title = `${name} · ${layer ? `${index.model} ${layer}` : `oof p, ${model}`} · top ${params.sheet.count}`;
      writeFileAtomic(join(sheetsDir, `${name}.png`), await rankedSheet(dataset, topImages(r, info, params.sheet.count), title, sheetOpts));
    }
    // The images that look like neither class (far from both) — what both-not-neither must not pick.
    if (neither) {
      const ranked = topImages(neither.result, info, params.sheet.count);
      writeFileAtomic(join(sheetsDir, 'neither.png'), await rankedSheet(dataset, ranked, `neither · far from both classes (smaller relative Mahalanobis distance) · top ${ranked.length}`, sheetOpts));
    }
    for (const [list, ranked] of Object.entries(oneSided.lists)) {
      const title = `${list.replace(/-/g, ' ')} · ${params.oneSided.scorer} within class · top ${ranked.length}`;
      writeFileAtomic(join(sheetsDir, `${list}.png`), await rankedSheet(dataset, ranked, title, sheetOpts));
    }
  },
});
