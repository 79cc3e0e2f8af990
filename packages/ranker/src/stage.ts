// Stage ranker: which real images look like both a clock and a crocodile. Builds a panel of
// models with different inductive biases (the classifier's models' out-of-fold p and a k-NN on
// the embeddings), measures how far they agree on which images are ambiguous, and runs the
// scorers: the headline (ambiguous to the whole panel, typical of the data) and the comparisons.
// Writes the top K per scorer (both.json), full rankings, the one-sided lists, diagnostics with
// the held-out check (metrics.json) and contact sheets.
import { join } from 'node:path';
import { defineStage, readImageDataset, writeFileAtomic, writeJsonArtifact } from '@cvc/core';
import { readEmbeddingIndex } from '@cvc/artifacts/embeddings';
import { rankerBoth } from '@cvc/artifacts/ranker-both';
import { rankerRankings } from '@cvc/artifacts/ranker-rankings';
import { rankerOneSided } from '@cvc/artifacts/ranker-one-sided';
import { rankerMetrics as rankerMetricsSchema, type RankerMetrics } from '@cvc/artifacts/ranker-metrics';
import { rankerParams } from './params.ts';
import { oofForModel, readOofFile } from './oof.ts';
import { featureLoader, panelScorer, scoreAll } from './score-all.ts';
import { bothJson, oneSidedJson, rankingsJson, topImages, type ImageInfo } from './report.ts';
import { rankerMetrics } from './metrics.ts';
import { rankedSheet } from './sheets.ts';
import { isolation } from './isolation.ts';
import { l2Normalized } from './vectors.ts';
import { neitherOf, neitherPlacement } from './neither.ts';
import { buildPanel } from './panel/panel.ts';
import { panelMetrics } from './panel/panel-metrics.ts';

export default defineStage({
  name: 'ranker',
  params: rankerParams,
  outputSchemas: { ranker_both: rankerBoth, ranker_rankings: rankerRankings, ranker_one_sided: rankerOneSided, ranker_metrics: rankerMetricsSchema },
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
    const oofFile = readOofFile(ctx.input('classifier_oof'), files);
    const oof = oofForModel(oofFile, model);
    const features = featureLoader(embeddingsDir, files);

    const isolated = isolation(l2Normalized(features(params.isolation.layer)), params.isolation.k);
    const outlier = Uint8Array.from(isolated, (x) => (x > params.isolation.outlier ? 1 : 0));
    const panel = buildPanel(params.panel, oofFile, features, labels, index.model);
    const info: ImageInfo = { files, labels, classNames, p: oof.p, outlier };

    const { results, layers } = scoreAll(params, { features, labels, oof, panel, outlier });
    for (const [name, r] of Object.entries(results)) ctx.log(`${name} (${layers[name as keyof typeof layers] ?? 'out-of-fold p'}): top ${topImages(r, info, 5).map((x) => x.file).join(', ')}`);

    const meta = {
      classNames,
      embeddings: { model: index.model, variant: index.variant },
      oofModel: model,
      headline: params.headline,
      panel: panel.members.map((name) => ({ name, description: panel.descriptions[name]! })),
    };
    writeJsonArtifact(ctx.output('ranker_both'), rankerBoth, bothJson(results, layers, info, meta, params.topK));
    writeJsonArtifact(ctx.output('ranker_rankings'), rankerRankings, rankingsJson(results, info));

    const scores = Object.fromEntries(Object.entries(results).map(([n, r]) => [n, r.scores]));
    const { outliersByScorer, ...diagnostics } = rankerMetrics(scores, labels, classNames, oof.p, params.metricsTopK, isolated, outlier);
    const neither = results['both-not-neither'] ? neitherOf(results['both-not-neither']) : undefined;
    const metrics: RankerMetrics = {
      ...diagnostics,
      ...panelMetrics({ params, panel, results, refit: (name, p) => panelScorer(name, params, p, outlier), uncertaintyModel: model, outlier }),
      isolationLayer: params.isolation.layer,
      outliers: { threshold: params.isolation.outlier, overall: outlier.reduce((s, x) => s + x, 0), byScorer: outliersByScorer },
      ...(neither ? { neither: neitherPlacement(neither.result, scores, params.sheet.count) } : {}),
    };
    writeJsonArtifact(ctx.output('ranker_metrics'), rankerMetricsSchema, metrics);
    const ks = params.panel.topK.map((k) => `@${k}`);
    ctx.log(`panel ${panel.members.join(', ')}: pairwise level ${ks.map((k) => `${k} ${metrics.panel.pairwiseLevel[k]}`).join(', ')} (mean |p − 0.5| of one member's most ambiguous images to another)`);
    for (const n of Object.keys(results)) {
      ctx.log(
        `${n}: held-out ${ks.map((k) => `${k} ${metrics.heldOut[n]!.mean[k]}`).join(', ')}; outliers ${JSON.stringify(outliersByScorer[n])}; ` +
          `misclassified out of fold ${JSON.stringify(metrics.misclassifiedOutOfFold[n])}, median isolation ${JSON.stringify(metrics.medianIsolation[n])}`,
      );
    }

    const oneSided = oneSidedJson(params.oneSided.scorer, results[params.oneSided.scorer]!, info, params.oneSided.count);
    writeJsonArtifact(ctx.output('ranker_one_sided'), rankerOneSided, oneSided);

    const sheetsDir = ctx.output('ranker_sheets');
    const sheetOpts = { columns: params.sheet.columns, scale: params.sheet.scale };
    for (const [name, r] of Object.entries(results)) {
      const layer = layers[name as keyof typeof layers];
      const source = layer ? `${index.model} ${layer}` : name === 'uncertainty' ? `out-of-fold p, ${model}` : `out-of-fold p, panel of ${panel.members.length}`;
      const title = `${name}${name === params.headline ? ' (headline)' : ''} · ${source} · top ${params.sheet.count}`;
      writeFileAtomic(join(sheetsDir, `${name}.png`), await rankedSheet(dataset, topImages(r, info, params.sheet.count), title, r.meaning, sheetOpts));
    }
    // The images that look like neither class (far from both) — what a "both" list must not pick.
    if (neither) {
      const ranked = topImages(neither.result, info, params.sheet.count);
      writeFileAtomic(join(sheetsDir, 'neither.png'), await rankedSheet(dataset, ranked, `neither · far from both classes · top ${ranked.length}`, neither.result.meaning, sheetOpts));
    }
    for (const [list, ranked] of Object.entries(oneSided.lists)) {
      const title = `${list.replace(/-/g, ' ')} · ${params.oneSided.scorer} within class · top ${ranked.length}`;
      writeFileAtomic(join(sheetsDir, `${list}.png`), await rankedSheet(dataset, ranked, title, oneSided.meaning, sheetOpts));
    }
  },
});
