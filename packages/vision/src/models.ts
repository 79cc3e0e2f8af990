// The three model families. Every model takes normalised images [batch, 32, 32, 3] and ends in
//   ... → 'fc7' (penultimate dense features) → 'logit' (dense 1, linear) → 'probability' (sigmoid)
// so that callers can read features ('fc7', 'pooled' for conv models) and logits by layer name.
// An ensemble (several seeds) is one graph: N member networks whose logits are averaged into 'logit'.
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '@cvc/core/backend';
import { FastBatchNorm } from './batch-norm.ts';
import type { ArchitectureOptions, CnnOptions, ResnetOptions, ShallowOptions } from './architecture.ts';

type Initializer = ReturnType<typeof tf.initializers.glorotUniform>;

/** Seeds for initialisers and dropout, drawn in layer order from one base seed; `n(name)` = the layer's name in this member. */
class SeedCounter {
  constructor(
    private next: number,
    private readonly prefix = '',
    /** Name of the member's dense-1 logit layer ('logit' for a single network). */
    readonly logitName = 'logit',
  ) {}
  n(name: string): string {
    return this.prefix + name;
  }
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

/** The common head: features → 'fc7' → the logit (dense 1, linear). */
function head(x: tfTypes.SymbolicTensor, units: number, dropout: number, seeds: SeedCounter, leaky: boolean): tfTypes.SymbolicTensor {
  let h: tfTypes.SymbolicTensor;
  if (leaky) {
    // tfjs dense has no LeakyReLU activation: 'fc7' is the activation of the penultimate dense layer.
    h = tf.layers.dense({ units, kernelInitializer: seeds.glorot(), name: seeds.n('fc7_dense') }).apply(x) as tfTypes.SymbolicTensor;
    h = tf.layers.leakyReLU({ alpha: 0.1, name: seeds.n('fc7') }).apply(h) as tfTypes.SymbolicTensor;
  } else {
    h = tf.layers.dense({ units, activation: 'relu', kernelInitializer: seeds.glorot(), name: seeds.n('fc7') }).apply(x) as tfTypes.SymbolicTensor;
  }
  if (dropout > 0) h = tf.layers.dropout({ rate: dropout, seed: seeds.take(), name: seeds.n('fc7_dropout') }).apply(h) as tfTypes.SymbolicTensor;
  return tf.layers.dense({ units: 1, kernelInitializer: seeds.glorot(), name: seeds.logitName }).apply(h) as tfTypes.SymbolicTensor; // [batch, 1]
}

/** The study's shallow net: flatten → dense+LeakyReLU ×(hidden.length) → fc7 → output (4 dense layers by default). */
function shallow(input: tfTypes.SymbolicTensor, opts: ShallowOptions, seeds: SeedCounter): tfTypes.SymbolicTensor {
  let x = tf.layers.flatten({ name: seeds.n('flatten') }).apply(input) as tfTypes.SymbolicTensor; // [batch, 3072]
  const hidden = opts.hidden.slice(0, -1);
  const last = opts.hidden[opts.hidden.length - 1]!;
  hidden.forEach((units, i) => {
    x = tf.layers.dense({ units, kernelInitializer: seeds.glorot(), name: seeds.n(`dense${i + 1}`) }).apply(x) as tfTypes.SymbolicTensor;
    x = tf.layers.leakyReLU({ alpha: 0.1, name: seeds.n(`dense${i + 1}_lrelu`) }).apply(x) as tfTypes.SymbolicTensor;
  });
  return head(x, last, opts.dropout, seeds, true);
}

/** The study's CNN (= /work/shared/bench reference): 5 convs 3x3 + LeakyReLU(0.1), max-pool after the first 3, GAP. */
function cnn(input: tfTypes.SymbolicTensor, opts: CnnOptions, seeds: SeedCounter): tfTypes.SymbolicTensor {
  let x = input;
  opts.filters.forEach((filters, i) => {
    x = tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', kernelInitializer: seeds.glorot(), name: seeds.n(`conv${i + 1}`) }).apply(x) as tfTypes.SymbolicTensor;
    x = tf.layers.leakyReLU({ alpha: 0.1, name: seeds.n(`conv${i + 1}_lrelu`) }).apply(x) as tfTypes.SymbolicTensor;
    if (i < 3) x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: seeds.n(`pool${i + 1}`) }).apply(x) as tfTypes.SymbolicTensor; // halves H, W
  });
  // [batch, 4, 4, filters.at(-1)] → [batch, filters.at(-1)]
  x = tf.layers.globalAveragePooling2d({ name: seeds.n('pooled') }).apply(x) as tfTypes.SymbolicTensor;
  return head(x, opts.dense, opts.dropout, seeds, false);
}

// LeakyReLU rather than ReLU: same accuracy here, and its gradient is one native kernel.
const LEAKY_ALPHA = 0.1;
const act = (name: string, seeds: SeedCounter) => tf.layers.leakyReLU({ alpha: LEAKY_ALPHA, name: seeds.n(name) });

/**
 * conv (no bias) → batch norm [→ LeakyReLU `actName`]. The LeakyReLU is fused into the batch
 * norm (its kernels apply it and its gradient in their own passes: the same values, one pass and
 * one kernel fewer each way); saved models still show it as a layer of that name (saved-model.ts).
 */
function convBn(x: tfTypes.SymbolicTensor, filters: number, strides: number, name: string, seeds: SeedCounter, kernelSize = 3, actName?: string): tfTypes.SymbolicTensor {
  const conv = tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false, kernelInitializer: seeds.he(), name: seeds.n(name) }).apply(x) as tfTypes.SymbolicTensor;
  const fused = actName ? { leakyAlpha: LEAKY_ALPHA, activationName: seeds.n(actName) } : {};
  return new FastBatchNorm({ momentum: 0.9, ...fused, name: seeds.n(`${name}_bn`) }).apply(conv) as tfTypes.SymbolicTensor;
}

/** A small ResNet (post-activation basic blocks): stem, then stages whose first block (stages 2+) halves H and W. */
function resnet(input: tfTypes.SymbolicTensor, opts: ResnetOptions, seeds: SeedCounter): tfTypes.SymbolicTensor {
  let x = convBn(input, opts.widths[0]!, 1, 'stem', seeds, 3, 'stem_act'); // [batch, 32, 32, w0]
  if (opts.stemPool) x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: seeds.n('stem_pool') }).apply(x) as tfTypes.SymbolicTensor; // [batch, 16, 16, w0]
  opts.widths.forEach((width, stage) => {
    for (let b = 0; b < opts.blocksPerStage; b++) {
      const name = `s${stage + 1}b${b + 1}`;
      const strides = stage > 0 && b === 0 ? 2 : 1;
      let y = convBn(x, width, strides, `${name}_conv1`, seeds, 3, `${name}_act1`);
      y = convBn(y, width, 1, `${name}_conv2`, seeds);
      const inWidth = (x.shape[3] as number) ?? width;
      const shortcut = strides !== 1 || inWidth !== width ? convBn(x, width, strides, `${name}_proj`, seeds, 1) : x;
      x = tf.layers.add({ name: seeds.n(`${name}_add`) }).apply([y, shortcut]) as tfTypes.SymbolicTensor;
      x = act(`${name}_out`, seeds).apply(x) as tfTypes.SymbolicTensor; // [batch, side / 2^stage, side / 2^stage, width]
    }
  });
  x = tf.layers.globalAveragePooling2d({ name: seeds.n('pooled') }).apply(x) as tfTypes.SymbolicTensor; // [batch, widths.at(-1)]
  return head(x, opts.dense, opts.dropout, seeds, false);
}

function member(input: tfTypes.SymbolicTensor, opts: ArchitectureOptions, seeds: SeedCounter): tfTypes.SymbolicTensor {
  return opts.kind === 'shallow' ? shallow(input, opts, seeds) : opts.kind === 'cnn' ? cnn(input, opts, seeds) : resnet(input, opts, seeds);
}

/** Name of member m's logit layer in an ensemble. */
export const memberLogitName = (m: number): string => `m${m}_logit`;

/**
 * Build an (uncompiled) model; each seed fixes every initialiser and dropout mask of one network.
 * One seed: a single network. N seeds: an ensemble of N independent networks in one graph whose
 * 'logit' is the mean of the members' logits (layer `m<i>_logit`). Member 0 keeps the plain layer
 * names ('fc7', 'pooled', ...), so readers of those layers get member 0's features; members 1..N−1
 * have every layer name prefixed with `m<i>_`.
 */
export function buildModel(opts: ArchitectureOptions, seed: number | number[], imageSize = 32): tfTypes.LayersModel {
  const seeds = typeof seed === 'number' ? [seed] : seed;
  if (seeds.length === 0) throw new Error('buildModel: at least one seed');
  const input = tf.input({ shape: [imageSize, imageSize, 3], name: 'image' });
  let logit: tfTypes.SymbolicTensor;
  if (seeds.length === 1) logit = member(input, opts, new SeedCounter(seeds[0]!));
  else {
    const logits = seeds.map((s, m) => member(input, opts, new SeedCounter(s, m === 0 ? '' : `m${m}_`, memberLogitName(m)))); // each [batch, 1]
    logit = tf.layers.average({ name: 'logit' }).apply(logits) as tfTypes.SymbolicTensor;
  }
  const output = tf.layers.activation({ activation: 'sigmoid', name: 'probability' }).apply(logit) as tfTypes.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: opts.kind });
}

/** Members of a model built by buildModel (1 for a single network). */
export function ensembleSize(model: tfTypes.LayersModel): number {
  return model.layers.filter((l) => /^m\d+_logit$/.test(l.name)).length || 1;
}

/** A logit model ([batch, 1]) of member m alone, sharing its weights (and only its weights) with `model`. */
export function memberLogitModel(model: tfTypes.LayersModel, m: number): tfTypes.LayersModel {
  if (ensembleSize(model) === 1) {
    if (m !== 0) throw new Error(`memberLogitModel: member ${m} of a single network`);
    return logitModel(model);
  }
  return tf.model({ inputs: model.inputs, outputs: model.getLayer(memberLogitName(m)).output as tfTypes.SymbolicTensor });
}

/** A model sharing `model`'s weights that outputs the logit ([batch, 1]) instead of the probability. */
export function logitModel(model: tfTypes.LayersModel): tfTypes.LayersModel {
  return tf.model({ inputs: model.inputs, outputs: model.getLayer('logit').output as tfTypes.SymbolicTensor });
}
