// Stage embedder: the trained classifier's view of every image. Loads one classifier model
// (default: the `full` model of models/best.json — one feature space for all images) and writes
// the activations of the layers named in params.layers, one float-tensor per layer.
import { z } from 'zod';
import { defineStage, readImageDataset } from '@cvc/core';
import { tf } from '@cvc/core/backend';
import { writeEmbeddings } from '@cvc/artifacts/embeddings';
import { loadClassifierModel } from '@cvc/vision/classifier-model';
import { extractEmbeddings, featureModel } from '@cvc/vision/features';
import { selectModel } from './select-model.ts';

export const embedderParams = z.object({
  /** "best" (models/best.json; if it lacks a layer, the most accurate out-of-fold model that has them all) or a model name. */
  model: z.string().min(1).default('best'),
  /** "full" (trained on train ∪ validation) or "fold-<k>". */
  variant: z.string().regex(/^(full|fold-\d+)$/, 'must be "full" or "fold-<k>"').default('full'),
  /** Layers to embed from, by name: fc7 = penultimate dense layer, pooled = global-pooled late conv. */
  layers: z.array(z.string().min(1)).min(1).default(['fc7', 'pooled']),
  batchSize: z.number().int().min(1).max(4096).default(128),
});
export type EmbedderParams = z.infer<typeof embedderParams>;

export default defineStage({
  name: 'embedder',
  params: embedderParams,
  usesTensorflow: true,
  async run(ctx) {
    const { params } = ctx;
    const dataset = readImageDataset(ctx.input('dataset'));
    const m = dataset.manifest;
    const choice = selectModel(ctx.input('classifier_models'), params.model, params.variant, params.layers, ctx.input('classifier_oof'));
    const { model, metadata } = await loadClassifierModel(choice.dir);
    if (metadata.classes.join() !== m.classNames.join()) {
      throw new Error(`${choice.dir}/metadata.json: model classes [${metadata.classes.join(', ')}] differ from the dataset's [${m.classNames.join(', ')}]`);
    }
    const norm = metadata.normalization;
    ctx.log(`model ${choice.model}/${choice.variant} (${choice.reason}); layers ${params.layers.join(', ')}; ${m.shape[0]} images`);

    const features = featureModel(tf, model, params.layers, choice.dir);
    const bar = ctx.progress('embed', m.shape[0]);
    const layers = extractEmbeddings(tf, features, params.layers, dataset.images, m.shape, norm, params.batchSize, (n) => bar.tick(n));
    bar.done();
    for (const l of layers) {
      if (!l.data.every(Number.isFinite)) throw new Error(`${choice.dir}: layer "${l.layer}" gave non-finite activations`);
      ctx.log(`${l.layer}: [${l.rows}, ${l.dim}]`);
    }
    writeEmbeddings(ctx.output('embeddings'), {
      model: choice.model,
      variant: choice.variant,
      selection: choice.reason,
      files: m.files,
      labels: m.labels,
      classNames: m.classNames,
      datasetContentHash: m.contentHash,
      layers,
    });
    model.dispose();
  },
});
