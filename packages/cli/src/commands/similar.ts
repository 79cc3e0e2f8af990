// `cvc similar <image> [--k 8]`: the dataset images nearest to an image in the classifier's
// embedding space, with their classes. The image is a dataset image (by path or file name) or
// any image file, which is then embedded with the same model the embedder used.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { decodeToRgb, imageAt, loadPipeline, readImageDataset, writeFileAtomic, type Pipeline } from '@cvc/core';
import { artifactPath } from '../artifact-path.ts';
import { checkArtifactFiles, checkModelFolder } from '../checked-artifact.ts';
import { integerOption } from '../options.ts';
import { readEmbeddingIndex, readEmbeddings } from '@cvc/artifacts/embeddings';
import { selectModel } from '@cvc/embedder';
import { contactSheet, findDatasetImage, matrix, row, similarImages } from '@cvc/ranker';

interface SimilarCommandOptions {
  pipeline: string;
  k: string;
  layer: string;
  metric: string;
  png?: string;
  json?: boolean;
}

/** Embed an image file outside the dataset with the embedder's model: [dim] for `layer`. */
async function embedFile(pipeline: Pipeline, embeddingsDir: string, file: string, layer: string, size: number, classNames: string[]): Promise<Float32Array> {
  const { initCompute, tf } = await import('@cvc/core/backend');
  const { extractEmbeddings, featureModel, loadClassifierModel } = await import('@cvc/vision');
  await initCompute(() => {});
  const index = readEmbeddingIndex(embeddingsDir);
  const modelsDir = artifactPath(pipeline, 'classifier_models', 'classifier');
  checkArtifactFiles(pipeline, [join(modelsDir, 'best.json')]);
  const choice = selectModel(modelsDir, index.model, index.variant, [layer]);
  checkModelFolder(pipeline, choice.dir);
  const { model, metadata } = await loadClassifierModel(choice.dir);
  if (metadata.classes.join() !== classNames.join()) throw new Error(`${choice.dir}/metadata.json: model classes [${metadata.classes.join(', ')}] differ from the dataset's [${classNames.join(', ')}]`);
  const norm = metadata.normalization;
  const rgb = await decodeToRgb(file, size);
  const [emb] = extractEmbeddings(tf, featureModel(tf, model, [layer], choice.dir), [layer], rgb, [1, size, size, 3], norm, 1);
  return emb!.data;
}

export async function similarCommand(image: string, opts: SimilarCommandOptions): Promise<void> {
  if (opts.metric !== 'cosine' && opts.metric !== 'euclidean') throw new Error(`--metric ${opts.metric}: choose cosine or euclidean`);
  const pipeline = loadPipeline(opts.pipeline);
  const datasetDir = artifactPath(pipeline, 'dataset', 'data-prep');
  const embeddingsDir = artifactPath(pipeline, 'embeddings', 'embedder');
  checkArtifactFiles(pipeline, [datasetDir, join(embeddingsDir, 'index.json'), join(embeddingsDir, opts.layer)]);
  const dataset = readImageDataset(datasetDir);
  const { files, labels, classNames, shape } = dataset.manifest;
  const k = integerOption('--k', opts.k, 1, files.length - 1);
  const emb = readEmbeddings(embeddingsDir, opts.layer);
  const features = matrix(emb.data, emb.rows, emb.dim);

  const text = (line: string) => {
    if (!opts.json) process.stdout.write(`${line}\n`);
  };
  const index = findDatasetImage(files, image);
  let query: ArrayLike<number>;
  if (index !== undefined) {
    query = row(features, index);
    text(`query: ${files[index]} (${classNames[labels[index]!]}, dataset image ${index})`);
  } else {
    if (!existsSync(image)) throw new Error(`${image}: not a dataset image and no such file`);
    query = await embedFile(pipeline, embeddingsDir, image, opts.layer, shape[1], classNames);
    text(`query: ${image} (not in the dataset; embedded with ${emb.manifest.model}/${emb.manifest.variant})`);
  }

  const found = similarImages(features, query, { k, metric: opts.metric, ...(index !== undefined ? { exclude: index } : {}) });
  text(`${k} nearest in ${emb.manifest.model} ${opts.layer} (${opts.metric} distance):`);
  found.forEach((n, r) => text(`${String(r + 1).padStart(3)}  ${n.distance.toFixed(4)}  ${classNames[labels[n.index]!]!.padEnd(10)} ${files[n.index]}`));
  const shared = found.filter((n) => index !== undefined && labels[n.index] === labels[index]).length;
  if (index !== undefined) text(`${shared}/${found.length} share the query's class`);

  if (opts.png) {
    const colours: [number, number, number][] = [[214, 110, 16], [34, 139, 60]];
    const queryRgb = index !== undefined ? imageAt(dataset, index) : await decodeToRgb(image, shape[1]);
    const tiles = [
      { rgb: queryRgb, colour: [90, 90, 90] as [number, number, number], lines: ['query', index !== undefined ? classNames[labels[index]!]! : 'external'] },
      ...found.map((n, r) => ({ rgb: imageAt(dataset, n.index), colour: colours[labels[n.index]! % 2]!, lines: [`#${r + 1} ${classNames[labels[n.index]!]}`, `d ${n.distance.toFixed(3)}`] })),
    ];
    writeFileAtomic(opts.png, await contactSheet(tiles, { title: `similar to ${index !== undefined ? files[index] : image} · ${opts.layer}`, size: shape[1], scale: 3, columns: Math.min(9, tiles.length) }));
    text(`sheet: ${opts.png}`);
  }
  if (opts.json) {
    const queryInfo = index !== undefined ? { file: files[index], class: classNames[labels[index]!], index } : { file: image, class: null, index: null };
    process.stdout.write(
      `${JSON.stringify({
        query: queryInfo,
        model: `${emb.manifest.model}/${emb.manifest.variant}`,
        layer: opts.layer,
        metric: opts.metric,
        neighbours: found.map((n, r) => ({ rank: r + 1, file: files[n.index], class: classNames[labels[n.index]!], index: n.index, distance: Number(n.distance.toFixed(6)) })),
        ...(opts.png ? { png: opts.png } : {}),
      })}\n`,
    );
  }
}
