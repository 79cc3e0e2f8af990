// The three model families. Every model takes normalised images [batch, 32, 32, 3] and ends in
//   ... → 'fc7' (penultimate dense features) → 'logit' (dense 1, linear) → 'probability' (sigmoid)
// so that callers can read features ('fc7', 'pooled' for conv models) and logits by layer name.
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '@cvc/core/backend';
import { FastBatchNorm } from './batch-norm.ts';

export const MODEL_KINDS = ['shallow', 'cnn', 'resnet'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

export interface ShallowOptions { kind: 'shallow'; hidden: number[]; dropout: number }
export interface CnnOptions { kind: 'cnn'; filters: number[]; dense: number; dropout: number }
export interface ResnetOptions { kind: 'resnet'; widths: number[]; blocksPerStage: number; dense: number; dropout: number; /** max-pool 2x2 after the stem (4x cheaper, lower resolution) */ stemPool: boolean }
export type ArchitectureOptions = ShallowOptions | CnnOptions | ResnetOptions;

type Initializer = ReturnType<typeof tf.initializers.glorotUniform>;

/** Seeds for initialisers and dropout, drawn in layer order from one base seed. */
class SeedCounter {
  constructor(private next: number) {}
  take(): number {
    return this.next++;
  }
  glorot(): Initializer {
    return tf.initializers.glorotUniform({ seed: this.take() });
  }
  he(): Initializer {
    return tf.initializers.heNormal({ seed: this.take() });
  }
}

/** The common head: features → 'fc7' → 'logit' → 'probability'. */
function head(x: tfTypes.SymbolicTensor, units: number, dropout: number, seeds: SeedCounter, leaky: boolean): tfTypes.SymbolicTensor {
  let h: tfTypes.SymbolicTensor;
  if (leaky) {
    // tfjs dense has no LeakyReLU activation: 'fc7' is the activation of the penultimate dense layer.
    h = tf.layers.dense({ units, kernelInitializer: seeds.glorot(), name: 'fc7_dense' }).apply(x) as tfTypes.SymbolicTensor;
    h = tf.layers.leakyReLU({ alpha: 0.1, name: 'fc7' }).apply(h) as tfTypes.SymbolicTensor;
  } else {
    h = tf.layers.dense({ units, activation: 'relu', kernelInitializer: seeds.glorot(), name: 'fc7' }).apply(x) as tfTypes.SymbolicTensor;
  }
  if (dropout > 0) h = tf.layers.dropout({ rate: dropout, seed: seeds.take(), name: 'fc7_dropout' }).apply(h) as tfTypes.SymbolicTensor;
  const logit = tf.layers.dense({ units: 1, kernelInitializer: seeds.glorot(), name: 'logit' }).apply(h) as tfTypes.SymbolicTensor;
  return tf.layers.activation({ activation: 'sigmoid', name: 'probability' }).apply(logit) as tfTypes.SymbolicTensor;
}

/** The study's shallow net: flatten → dense+LeakyReLU ×(hidden.length) → fc7 → output (4 dense layers by default). */
function shallow(input: tfTypes.SymbolicTensor, opts: ShallowOptions, seeds: SeedCounter): tfTypes.SymbolicTensor {
  let x = tf.layers.flatten({ name: 'flatten' }).apply(input) as tfTypes.SymbolicTensor; // [batch, 3072]
  const hidden = opts.hidden.slice(0, -1);
  const last = opts.hidden[opts.hidden.length - 1]!;
  hidden.forEach((units, i) => {
    x = tf.layers.dense({ units, kernelInitializer: seeds.glorot(), name: `dense${i + 1}` }).apply(x) as tfTypes.SymbolicTensor;
    x = tf.layers.leakyReLU({ alpha: 0.1, name: `dense${i + 1}_lrelu` }).apply(x) as tfTypes.SymbolicTensor;
  });
  return head(x, last, opts.dropout, seeds, true);
}

/** The study's CNN (= /work/shared/bench reference): 5 convs 3x3 + LeakyReLU(0.1), max-pool after the first 3, GAP. */
function cnn(input: tfTypes.SymbolicTensor, opts: CnnOptions, seeds: SeedCounter): tfTypes.SymbolicTensor {
  let x = input;
  opts.filters.forEach((filters, i) => {
    x = tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', kernelInitializer: seeds.glorot(), name: `conv${i + 1}` }).apply(x) as tfTypes.SymbolicTensor;
    x = tf.layers.leakyReLU({ alpha: 0.1, name: `conv${i + 1}_lrelu` }).apply(x) as tfTypes.SymbolicTensor;
    if (i < 3) x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `pool${i + 1}` }).apply(x) as tfTypes.SymbolicTensor; // halves H, W
  });
  // [batch, 4, 4, filters.at(-1)] → [batch, filters.at(-1)]
  x = tf.layers.globalAveragePooling2d({ name: 'pooled' }).apply(x) as tfTypes.SymbolicTensor;
  return head(x, opts.dense, opts.dropout, seeds, false);
}

function convBn(x: tfTypes.SymbolicTensor, filters: number, strides: number, name: string, seeds: SeedCounter, kernelSize = 3): tfTypes.SymbolicTensor {
  const conv = tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false, kernelInitializer: seeds.he(), name }).apply(x) as tfTypes.SymbolicTensor;
  return new FastBatchNorm({ momentum: 0.9, name: `${name}_bn` }).apply(conv) as tfTypes.SymbolicTensor;
}

// LeakyReLU rather than ReLU: same accuracy here, and its gradient is one native kernel.
const act = (name: string) => tf.layers.leakyReLU({ alpha: 0.1, name });

/** A small ResNet (post-activation basic blocks): stem, then stages whose first block (stages 2+) halves H and W. */
function resnet(input: tfTypes.SymbolicTensor, opts: ResnetOptions, seeds: SeedCounter): tfTypes.SymbolicTensor {
  let x = act('stem_act').apply(convBn(input, opts.widths[0]!, 1, 'stem', seeds)) as tfTypes.SymbolicTensor; // [batch, 32, 32, w0]
  if (opts.stemPool) x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'stem_pool' }).apply(x) as tfTypes.SymbolicTensor; // [batch, 16, 16, w0]
  opts.widths.forEach((width, stage) => {
    for (let b = 0; b < opts.blocksPerStage; b++) {
      const name = `s${stage + 1}b${b + 1}`;
      const strides = stage > 0 && b === 0 ? 2 : 1;
      let y = act(`${name}_act1`).apply(convBn(x, width, strides, `${name}_conv1`, seeds)) as tfTypes.SymbolicTensor;
      y = convBn(y, width, 1, `${name}_conv2`, seeds);
      const inWidth = (x.shape[3] as number) ?? width;
      const shortcut = strides !== 1 || inWidth !== width ? convBn(x, width, strides, `${name}_proj`, seeds, 1) : x;
      x = tf.layers.add({ name: `${name}_add` }).apply([y, shortcut]) as tfTypes.SymbolicTensor;
      x = act(`${name}_out`).apply(x) as tfTypes.SymbolicTensor; // [batch, side / 2^stage, side / 2^stage, width]
    }
  });
  x = tf.layers.globalAveragePooling2d({ name: 'pooled' }).apply(x) as tfTypes.SymbolicTensor; // [batch, widths.at(-1)]
  return head(x, opts.dense, opts.dropout, seeds, false);
}

/** Build an (uncompiled) model; `seed` fixes every initialiser and dropout mask. */
export function buildModel(opts: ArchitectureOptions, seed: number, imageSize = 32): tfTypes.LayersModel {
  const seeds = new SeedCounter(seed);
  const input = tf.input({ shape: [imageSize, imageSize, 3], name: 'image' });
  const output = opts.kind === 'shallow' ? shallow(input, opts, seeds) : opts.kind === 'cnn' ? cnn(input, opts, seeds) : resnet(input, opts, seeds);
  return tf.model({ inputs: input, outputs: output, name: opts.kind });
}

/** A model sharing `model`'s weights that outputs the logit ([batch, 1]) instead of the probability. */
export function logitModel(model: tfTypes.LayersModel): tfTypes.LayersModel {
  return tf.model({ inputs: model.inputs, outputs: model.getLayer('logit').output as tfTypes.SymbolicTensor });
}
