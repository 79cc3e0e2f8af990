// Forward every image through a trained model and read the activations of named layers
// (the embedder's artifact, `cvc similar` on a new image).
import type * as tfTypes from '@tensorflow/tfjs';
import type { Normalization } from '@cvc/artifacts/model-files';

type Tf = typeof tfTypes;

export interface LayerEmbedding {
  layer: string;
  /** [rows, dim] row-major. */
  data: Float32Array;
  rows: number;
  dim: number;
}

/** A model with the same input whose outputs are the named layers (throws naming a missing layer). */
export function featureModel(tf: Tf, model: tfTypes.LayersModel, layers: string[], where: string): tfTypes.LayersModel {
  const outputs = layers.map((name) => {
    let layer: tfTypes.layers.Layer;
    try {
      layer = model.getLayer(name);
    } catch {
      const known = model.layers.map((l) => l.name).join(', ');
      throw new Error(`${where}: model has no layer "${name}" (layers: ${known})`);
    }
    return layer.output as tfTypes.SymbolicTensor;
  });
  return tf.model({ inputs: model.inputs, outputs });
}

/**
 * Embeddings of `count` uint8 images [count, size, size, 3] from each layer of `features`,
 * in batches; activations of rank > 2 are flattened per image.
 */
export function extractEmbeddings(
  tf: Tf,
  features: tfTypes.LayersModel,
  layers: string[],
  images: Uint8Array,
  shape: [number, number, number, number],
  norm: Normalization,
  batchSize: number,
  onBatch: (n: number) => void = () => {},
): LayerEmbedding[] {
  const [count, h, w, c] = shape;
  const perImage = h * w * c;
  const chunks: Float32Array[][] = layers.map(() => []);
  const dims: number[] = layers.map(() => 0);
  const mean = tf.tensor1d(norm.mean);
  const std = tf.tensor1d(norm.std);
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const out = tf.tidy(() => {
      const bytes = images.subarray(start * perImage, (start + n) * perImage);
      const x = tf.tensor4d(Float32Array.from(bytes), [n, h, w, c]).div(255).sub(mean).div(std); // [n, 32, 32, 3]
      const y = features.predict(x);
      const list = Array.isArray(y) ? y : [y as tfTypes.Tensor];
      return list.map((t) => t.reshape([n, -1])); // [n, dim]
    });
    out.forEach((t, i) => {
      dims[i] = t.shape[1]!;
      chunks[i]!.push(t.dataSync() as Float32Array);
      t.dispose();
    });
    onBatch(n);
  }
  mean.dispose();
  std.dispose();
  return layers.map((layer, i) => {
    const data = new Float32Array(count * dims[i]!);
    let offset = 0;
    for (const chunk of chunks[i]!) {
      data.set(chunk, offset);
      offset += chunk.length;
    }
    return { layer, data, rows: count, dim: dims[i]! };
  });
}
