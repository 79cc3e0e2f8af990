// The reference workload of ../shared/bench/README.md: seeded random images/labels and the
// 5-conv CNN (3x3 'same' convs with bias, LeakyReLU(0.1), 2x2 max pools, GAP, dense 64 ReLU,
// dense 1 sigmoid + binary cross-entropy).
import type * as tfjs from '@tensorflow/tfjs';
import type { TF } from './kernels/util.ts';

/** mulberry32: small, fast, seeded PRNG in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n images [n,32,32,3] uniform in [0,1) and labels [n,1] in {0,1}. */
export function referenceData(n: number, seed = 1, size = 32): { x: Float32Array; y: Float32Array; shape: [number, number, number, number] } {
  const rnd = seededRandom(seed);
  const x = new Float32Array(n * size * size * 3);
  for (let i = 0; i < x.length; i++) x[i] = rnd();
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = rnd() < 0.5 ? 0 : 1;
  return { x, y, shape: [n, size, size, 3] };
}

export function referenceModel(tf: TF, seed = 42, size = 32): tfjs.Sequential {
  const model = tf.sequential();
  let s = seed;
  const init = () => tf.initializers.glorotUniform({ seed: s++ });
  [32, 64, 64, 128, 128].forEach((filters, i) => {
    model.add(tf.layers.conv2d({
      filters, kernelSize: 3, padding: 'same', useBias: true, kernelInitializer: init(),
      ...(i === 0 ? { inputShape: [size, size, 3] } : {}),
    }));
    model.add(tf.layers.leakyReLU({ alpha: 0.1 }));
    if (i < 3) model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  });
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: init() }));
  model.add(tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init() }));
  return model;
}
