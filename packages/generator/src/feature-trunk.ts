// A frozen, pretrained ResNet trunk (the classifier family's `resnet`, e.g. the pretrain stage's
// CIFAR-10 network) as a plain function that returns its activations after every stage — the
// "pretrained feature network" of a Projected GAN's discriminator (Sauer et al. 2021).
// Batch norm is folded into the convolutions (inference statistics), so the forward and its
// gradient to the input are convolutions, adds, leaky ReLUs and max-pools: all native kernels
// (tfjs's own batch-norm gradient tiles in plain JS).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { sha256 } from '@cvc/core';
import { readPretrained } from '@cvc/vision/pretrained';
import type { Tf } from './weights.ts';

type T4 = tfTypes.Tensor4D;

export interface ResnetArchitecture {
  kind: 'resnet';
  widths: number[];
  blocksPerStage: number;
  stemPool: boolean;
}

/** The named weights of a trained resnet: conv kernels and their batch norms' (gamma, beta, mean, variance). */
export interface ResnetWeights {
  architecture: ResnetArchitecture;
  normalization: { mean: number[]; std: number[] };
  /** conv name → kernel [k, k, in, out] (float32, row-major) and its BN parameters [out] each. */
  convs: Map<string, { kernel: Float32Array; shape: number[]; gamma: Float32Array; beta: Float32Array; mean: Float32Array; variance: Float32Array; epsilon: number }>;
}

export interface FeatureTrunk {
  /** Channels of each stage's output (16x16, 8x8, 4x4 for a 3-stage trunk with a stem pool). */
  readonly channels: number[];
  /** Spatial side of each stage's output for 32x32 input. */
  readonly sides: number[];
  /** images [n, 32, 32, 3] in [-1, 1] → one activation per stage. */
  features(x: T4): T4[];
  dispose(): void;
}

interface Folded { kernel: tfTypes.Tensor4D; bias: tfTypes.Tensor1D }

/** Names of every conv of the trunk, in order, with its stride. */
export function trunkConvs(arch: ResnetArchitecture): { name: string; stride: number; projection: boolean }[] {
  const convs = [{ name: 'stem', stride: 1, projection: false }];
  let inWidth = arch.widths[0]!;
  arch.widths.forEach((width, stage) => {
    for (let b = 0; b < arch.blocksPerStage; b++) {
      const name = `s${stage + 1}b${b + 1}`;
      const stride = stage > 0 && b === 0 ? 2 : 1;
      convs.push({ name: `${name}_conv1`, stride, projection: false }, { name: `${name}_conv2`, stride: 1, projection: false });
      if (stride !== 1 || inWidth !== width) convs.push({ name: `${name}_proj`, stride, projection: true });
      inWidth = width;
    }
  });
  return convs;
}

export function createFeatureTrunk(tf: Tf, weights: ResnetWeights): FeatureTrunk {
  const { architecture: arch, normalization: norm } = weights;
  const folded = new Map<string, Folded>();
  for (const { name } of trunkConvs(arch)) {
    const w = weights.convs.get(name);
    if (!w) throw new Error(`feature trunk: no weights for conv "${name}"`);
    const out = w.shape[3]!;
    // BN(conv(x)) = conv(x, W·s) + (β − μ·s) with s = γ / sqrt(σ² + ε), per output channel.
    const scale = Float32Array.from(w.gamma, (g, c) => g / Math.sqrt(w.variance[c]! + w.epsilon));
    const kernel = Float32Array.from(w.kernel, (v, i) => v * scale[i % out]!);
    const bias = Float32Array.from(w.beta, (b, c) => b - w.mean[c]! * scale[c]!);
    folded.set(name, { kernel: tf.keep(tf.tensor4d(kernel, w.shape as [number, number, number, number])), bias: tf.keep(tf.tensor1d(bias)) });
  }
  const mean = tf.keep(tf.tensor1d(norm.mean));
  const invStd = tf.keep(tf.tensor1d(norm.std.map((s) => 1 / s)));
  const convBn = (x: T4, name: string, stride: number): T4 => {
    const f = folded.get(name)!;
    return tf.add(tf.conv2d(x, f.kernel, stride, 'same'), f.bias);
  };
  const act = (x: T4): T4 => tf.leakyRelu(x, 0.1) as T4;
  const sides: number[] = [];
  let side = arch.stemPool ? 16 : 32;
  arch.widths.forEach((_, stage) => {
    if (stage > 0) side /= 2;
    sides.push(side);
  });
  return {
    channels: [...arch.widths],
    sides,
    features(x) {
      // [-1, 1] → [0, 1] → the classifier's normalisation
      let t = tf.mul(tf.sub(tf.add(tf.mul(x, 0.5), 0.5), mean), invStd) as T4;
      t = act(convBn(t, 'stem', 1)); // [n, 32, 32, w0]
      if (arch.stemPool) t = tf.maxPool(t, 2, 2, 'valid'); // [n, 16, 16, w0]
      const outs: T4[] = [];
      let inWidth = arch.widths[0]!;
      arch.widths.forEach((width, stage) => {
        for (let b = 0; b < arch.blocksPerStage; b++) {
          const name = `s${stage + 1}b${b + 1}`;
          const stride = stage > 0 && b === 0 ? 2 : 1;
          const y = convBn(act(convBn(t, `${name}_conv1`, stride)), `${name}_conv2`, 1);
          const shortcut = stride !== 1 || inWidth !== width ? convBn(t, `${name}_proj`, stride) : t;
          t = act(tf.add(y, shortcut)); // [n, side, side, width]
          inWidth = width;
        }
        outs.push(t);
      });
      return outs;
    },
    dispose() {
      for (const f of folded.values()) tf.dispose([f.kernel, f.bias]);
      tf.dispose([mean, invStd]);
    },
  };
}

/** Images [n, 32, 32, 3] in [0, 1] → the trunk's last stage, averaged over space: [n, width] (a classifier's `pooled`). */
export function pooledFeatures(tf: Tf, trunk: FeatureTrunk, x01: T4): tfTypes.Tensor2D {
  const stages = trunk.features(tf.sub(tf.mul(x01, 2), 1) as T4);
  return tf.mean(stages[stages.length - 1]!, [1, 2]) as tfTypes.Tensor2D;
}

/** Read the trunk's weights from a loaded tfjs resnet (layer names as the classifier family builds them). */
export function resnetWeightsOf(model: tfTypes.LayersModel, architecture: ResnetArchitecture, normalization: { mean: number[]; std: number[] }, where: string): ResnetWeights {
  const convs: ResnetWeights['convs'] = new Map();
  for (const { name } of trunkConvs(architecture)) {
    let conv: tfTypes.layers.Layer, bn: tfTypes.layers.Layer;
    try {
      conv = model.getLayer(name);
      bn = model.getLayer(`${name}_bn`);
    } catch {
      throw new Error(`${where}: the model has no layer "${name}" or "${name}_bn" (not a resnet of architecture ${JSON.stringify(architecture)})`);
    }
    const [kernel] = conv.getWeights();
    const [gamma, beta, mean, variance] = bn.getWeights();
    if (!kernel || !gamma || !beta || !mean || !variance) throw new Error(`${where}: layer "${name}" or its batch norm lacks weights`);
    const epsilon = (bn.getConfig() as { epsilon?: number }).epsilon ?? 1e-3;
    convs.set(name, {
      kernel: kernel.dataSync() as Float32Array,
      shape: kernel.shape,
      gamma: gamma.dataSync() as Float32Array,
      beta: beta.dataSync() as Float32Array,
      mean: mean.dataSync() as Float32Array,
      variance: variance.dataSync() as Float32Array,
      epsilon,
    });
  }
  return { architecture, normalization, convs };
}

/** The pretrain stage's CIFAR-10 resnet (a `pretrained_model` folder) as a frozen trunk, and a digest of its weights. */
export async function loadFeatureTrunk(tf: Tf, dir: string): Promise<{ trunk: FeatureTrunk; digest: string }> {
  const pretrained = await readPretrained(dir);
  const arch = pretrained.architecture;
  if (arch.kind !== 'resnet') throw new Error(`${dir}/metadata.json: architecture.kind is "${arch.kind}"; the feature trunk needs a resnet`);
  const trunk = createFeatureTrunk(tf, resnetWeightsOf(pretrained.model, arch, pretrained.normalization, dir));
  pretrained.model.dispose();
  return { trunk, digest: sha256(readFileSync(join(dir, 'weights.bin'))).slice(0, 16) };
}
