// Small fixtures for the specs: tiny model configs and a 2-class synthetic image set.
import { createRng } from '@cvc/core';
import type { DiffusionConfig } from '../src/diffusion.ts';
import type { GanConfig } from '../src/gan.ts';
import type { TrainingImages } from '../src/trainer.ts';
import type { VaeConfig } from '../src/vae.ts';
import type { AutoencoderConfig } from '../src/autoencoder.ts';
import { createFeatureTrunk, resnetWeightsOf, type FeatureTrunk } from '../src/feature-trunk.ts';
import type { Tf } from '../src/weights.ts';
import { buildModel } from '@cvc/vision';

export const tinyVae: VaeConfig = { latentDim: 2, channels: 8, reconWeight: 2, learningRate: 0.003 };
export const tinyGan: GanConfig = {
  latentDim: 8, embedDim: 4, gChannels: 8, dChannels: 8, learningRateG: 0.0002, learningRateD: 0.0002, beta1: 0, beta2: 0.9, dSteps: 1, emaDecay: 0.9, modeSeeking: 1,
  augment: { color: true, translation: true, cutout: true },
};

export const tinyDiffusion: DiffusionConfig = { channels: 8, learningRate: 0.002, timesteps: 50, sampleSteps: 3, guidance: 2, dropLabel: 0.2, emaDecay: 0.9 };

/**
 * n images per class: class 0 a reddish disc on dark, class 1 a bluish horizontal bar on light,
 * both with seeded noise and a random position; values in [0, 1].
 */
export function twoClassImages(perClass: number, seed = 1): TrainingImages {
  const rng = createRng(seed);
  const size = 32;
  const pixels = new Float32Array(2 * perClass * size * size * 3);
  const labels: number[] = [];
  for (let k = 0; k < 2 * perClass; k++) {
    const label = k % 2;
    labels.push(label);
    const cy = 12 + rng.int(8), cx = 12 + rng.int(8);
    for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) {
      const inside = label === 0 ? (i - cy) ** 2 + (j - cx) ** 2 < 64 : Math.abs(i - cy) < 4;
      const rgb = label === 0 ? (inside ? [0.9, 0.2, 0.1] : [0.1, 0.1, 0.1]) : inside ? [0.1, 0.3, 0.9] : [0.8, 0.8, 0.8];
      for (let c = 0; c < 3; c++) pixels[((k * size + i) * size + j) * 3 + c] = Math.min(1, Math.max(0, rgb[c]! + (rng.next() - 0.5) * 0.1));
    }
  }
  return { pixels, labels, size };
}

export const tinyAutoencoder: AutoencoderConfig = {
  codeDim: 6, embedDim: 4, encoderWidths: [8, 8, 16], decoderWidths: [16, 8, 8, 8], perceptualWeight: 0.1, codePenalty: 0.001,
  learningRate: 0.003, beta1: 0.9, beta2: 0.99, flip: true, shrinkage: 0.1, hybrid: 'boundary', hybridSigma: 1.5,
};

/** A frozen feature trunk read from a random resnet [8, 16, 32] whose batch norms have non-trivial statistics. */
export function tinyTrunk(tf: Tf, seed = 5): FeatureTrunk {
  const architecture = { kind: 'resnet' as const, widths: [8, 16, 32], blocksPerStage: 1, dense: 16, dropout: 0, stemPool: true };
  const model = buildModel(architecture, seed);
  let k = seed;
  for (const l of model.layers) {
    if (!l.name.endsWith('_bn')) continue;
    l.setWeights(l.getWeights().map((t) => tf.add(t, tf.randomUniform(t.shape, 0.1, 0.5, 'float32', ++k))));
  }
  const trunk = createFeatureTrunk(tf, resnetWeightsOf(model, architecture, { mean: [0.5, 0.45, 0.4], std: [0.25, 0.24, 0.26] }, 'tiny trunk'));
  model.dispose();
  return trunk;
}
