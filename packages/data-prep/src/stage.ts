// Stage data-prep: a folder of class subfolders (or a CIFAR-100 archive) → the `dataset`
// artifact (uint8 tensor + manifest with a seeded stratified split) and a preview sheet.
import { z } from 'zod';
import { datasetOf, defineStage, gridPng, imageAt, writeFileAtomic, writeImageDataset, type Dataset, type Progress } from '@cvc/core';
import { countClassFolderFiles, readClassFolders, type LabelledImages } from './read-class-folders.ts';
import { stratifiedSplit } from './split.ts';
import { channelStats } from './channel-stats.ts';
import { importCifar100 } from './cifar100.ts';
import { checkDuplicates } from './duplicates.ts';
import { BINARY_CLASSES } from './list-data-folder.ts';

export const dataPrepParams = z.object({
  /** `folder`: one subfolder per class; `cifar100`: the original CIFAR-100 archive (python or binary). */
  source: z.enum(['folder', 'cifar100']).default('folder'),
  /** The data folder, or the CIFAR-100 archive (.tar.gz or extracted folder) when source is cifar100. */
  dataDir: z.string().min(1),
  /** Side of the square RGB images the pipeline works on. */
  imageSize: z.number().int().min(8).max(256).default(32),
  split: z
    .object({
      validation: z.number().min(0).max(0.5),
      test: z.number().min(0).max(0.5),
    })
    .default({ validation: 0.1, test: 0.1 }),
  /** Number of stratified cross-validation folds over train ∪ validation. */
  folds: z.number().int().min(2).max(20).default(5),
  /** Fine classes taken from CIFAR-100 (used when source is cifar100). */
  cifar100: z
    .object({
      classes: z.array(z.object({ fineLabel: z.number().int().min(0).max(99), name: z.string().min(1) })).length(BINARY_CLASSES),
    })
    .default({ classes: [{ fineLabel: 22, name: 'clock' }, { fineLabel: 27, name: 'crocodile' }] }),
  /** Images per class in the preview sheet. */
  previewPerClass: z.number().int().min(1).max(64).default(16),
  /** The same image (decoded pixels) in two classes: `refuse` stops with the list, `warn` keeps both copies and logs them. */
  duplicates: z.enum(['refuse', 'warn']).default('refuse'),
});
export type DataPrepParams = z.infer<typeof dataPrepParams>;

async function loadImages(params: DataPrepParams, progress: (total: number) => Progress, warn: (message: string) => void): Promise<LabelledImages & { source: string }> {
  if (params.source === 'folder') {
    const bar = progress(countClassFolderFiles(params.dataDir));
    const loaded = await readClassFolders(params.dataDir, params.imageSize, () => bar.tick(), 8, warn);
    bar.done();
    return { ...loaded, source: 'folder' };
  }
  if (params.imageSize !== 32) throw new Error(`stages.data-prep.params.imageSize: CIFAR-100 images are 32x32; got ${params.imageSize}`);
  const imported = await importCifar100(params.dataDir, params.cifar100.classes);
  return { ...imported, classNames: params.cifar100.classes.map((c) => c.name), source: 'cifar100' };
}

/** Pure: decoded images + params → the dataset (manifest and tensor). */
export function buildDataset(loaded: LabelledImages & { source: string }, params: DataPrepParams, rng: Parameters<typeof stratifiedSplit>[4]): Dataset {
  const size = params.imageSize;
  loaded.classNames.forEach((name, c) => {
    if (!loaded.labels.includes(c)) throw new Error(`class "${name}" has no images`);
  });
  const splits = stratifiedSplit(loaded.labels, loaded.classNames, params.split, params.folds, rng);
  const { mean, std } = channelStats(loaded.images, size * size, splits.train);
  return datasetOf({ images: loaded.images, size, classNames: loaded.classNames, files: loaded.files, labels: loaded.labels, mean, std, splits, source: loaded.source });
}

export default defineStage({
  name: 'data-prep',
  params: dataPrepParams,
  async run(ctx) {
    const { params } = ctx;
    ctx.log(`reading ${params.source} ${params.dataDir}`);
    const warn = (message: string) => ctx.log(`warning: ${message}`);
    const loaded = await loadImages(params, (total) => ctx.progress('decode', total), warn);
    checkDuplicates(params.dataDir, loaded, params.duplicates, warn);
    const dataset = buildDataset(loaded, params, ctx.rng('split'));
    const { manifest } = dataset;
    writeImageDataset(ctx.output('dataset'), dataset);
    ctx.log(
      `${manifest.shape[0]} images (${manifest.classNames.map((n, c) => `${n} ${manifest.classCounts[c]}`).join(', ')}); ` +
        `train ${manifest.splits.train.length}, validation ${manifest.splits.validation.length}, test ${manifest.splits.test.length}, ` +
        `${manifest.splits.folds.length} folds of ${manifest.splits.folds.map((f) => f.length).join('/')}`,
    );

    // Preview: the first training images of each class, one row per class, enlarged 3x.
    const rows = manifest.classNames.map((_, c) => manifest.splits.train.filter((i) => manifest.labels[i] === c).slice(0, params.previewPerClass));
    const tiles = rows.flatMap((row) => row.map((i) => imageAt(dataset, i)));
    writeFileAtomic(ctx.output('dataset_preview'), await gridPng(tiles, { columns: params.previewPerClass, size: params.imageSize, scale: 3 }));
  },
});
