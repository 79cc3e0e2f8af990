// Training: a tiny VAE learns to reconstruct a 2-class synthetic set; the same seed gives the
// same samples; an interrupted run resumes from its checkpoint and ends where an uninterrupted one does.
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { describe, expect, it, beforeAll } from 'vitest';
import { createRng, deriveSeed } from '@cvc/core';
import { tempDir } from '@cvc/core/testing';
import { initCompute, tf } from '@cvc/core/backend';
import { createVae } from './vae.ts';
import { createDiffusion } from './diffusion.ts';
import { createGan } from './gan.ts';
import { mixLabels } from './model.ts';
import { sampleAtMix, sampleHybrids } from './sample.ts';
import { train } from './trainer.ts';
import { STATE_FILE } from './checkpoint.ts';
import { createAutoencoder } from './autoencoder.ts';
import { tinyAutoencoder, tinyDiffusion, tinyGan, tinyTrunk, tinyVae, twoClassImages } from '../testing/fixtures.ts';
import type { FeatureTrunk } from './feature-trunk.ts';
import type { TrainableModel } from './model.ts';

let trunk: FeatureTrunk;
beforeAll(async () => {
  await initCompute(() => {});
  trunk = tinyTrunk(tf);
});

const quiet = { log: () => {} };
const rngs = (seed: number) => (purpose: string) => createRng(deriveSeed(seed, purpose));

function reconstructionError(vae: TrainableModel, data: ReturnType<typeof twoClassImages>): number {
  return tf.tidy(() => {
    const n = data.labels.length;
    const x = tf.tensor4d(data.pixels, [n, 32, 32, 3]);
    const y = mixLabels(tf, data.labels);
    return tf.mean(tf.square(tf.sub(vae.decode(vae.encode!({ x, y }), y), x))).dataSync()[0]!;
  });
}

const weightsOf = (model: TrainableModel) => model.stores.flatMap((s) => [...s.vars.values()].map((v) => Array.from(v.dataSync())));

describe('training', () => {
  it('a tiny VAE learns to reconstruct a 2-class synthetic set, and its label steers the class', async () => {
    const data = twoClassImages(16);
    const vae = createVae(tf, tinyVae, createRng(1));
    const before = reconstructionError(vae, data);
    await train(tf, { model: vae, data, epochs: 40, batchSize: 8, checkpointEvery: 100, checkpointDir: join(tempDir(), 'ck'), rng: rngs(1), ...quiet });
    const after = reconstructionError(vae, data);
    console.log(`reconstruction MSE ${before.toFixed(4)} → ${after.toFixed(4)}`);
    // The pixel variance of this set is ~0.15; a mean image would leave most of it.
    expect(after).toBeLessThan(before / 4);
    expect(after).toBeLessThan(0.03);
    // Clock-label samples (red discs) are redder than crocodile-label samples (blue bars).
    const redness = (mix: number) => {
      const img = sampleAtMix(tf, vae, 16, mix, createRng(9));
      let r = 0, b = 0;
      for (let i = 0; i < img.length; i += 3) { r += img[i]!; b += img[i + 2]!; }
      return r / b;
    };
    console.log(`red/blue ratio: clock label ${redness(0).toFixed(2)}, crocodile label ${redness(1).toFixed(2)}`);
    expect(redness(0)).toBeGreaterThan(redness(1) * 1.2);
    vae.dispose();
  }, 60_000);

  it('a tiny diffusion model learns: its noise-prediction loss falls below the untrained 1.0', async () => {
    const data = twoClassImages(8);
    const model = createDiffusion(tf, tinyDiffusion, createRng(1));
    const { history } = await train(tf, { model, data, epochs: 30, batchSize: 8, checkpointEvery: 100, checkpointDir: join(tempDir(), 'ck'), rng: rngs(1), ...quiet });
    const first = history[0]!.losses['loss']!, last = history.at(-1)!.losses['loss']!;
    console.log(`diffusion loss ${first.toFixed(3)} → ${last.toFixed(3)}`);
    // The output layer starts at zero, so an untrained model's loss is E[ε²] ≈ 1.
    expect(first).toBeGreaterThan(0.8);
    expect(last).toBeLessThan(0.5);
    model.dispose();
  }, 60_000);

  it('the same seed gives the same samples; another seed different ones', async () => {
    const data = twoClassImages(4);
    const run = async (seed: number) => {
      const gan = createGan(tf, tinyGan, createRng(seed));
      await train(tf, { model: gan, data, epochs: 1, batchSize: 4, checkpointEvery: 100, checkpointDir: join(tempDir(), 'ck'), rng: rngs(seed), ...quiet });
      const images = sampleAtMix(tf, gan, 4, 0.5, createRng(seed));
      gan.dispose();
      return Buffer.from(images).toString('base64');
    };
    const a = await run(11);
    expect(await run(11)).toBe(a);
    expect(await run(12)).not.toBe(a);
  }, 60_000);

  it('autoencoder: the same seed gives byte-identical samples and hybrids after training and the density fit', async () => {
    const data = twoClassImages(4);
    const run = async (seed: number) => {
      const ae = createAutoencoder(tf, tinyAutoencoder, createRng(seed), trunk);
      await train(tf, { model: ae, data, epochs: 2, batchSize: 4, checkpointEvery: 100, checkpointDir: join(tempDir(), 'ck'), rng: rngs(seed), ...quiet });
      ae.afterTraining!(data);
      const images = [...sampleAtMix(tf, ae, 4, 0, createRng(seed)), ...sampleHybrids(tf, ae, 4, createRng(seed))];
      ae.dispose();
      return Buffer.from(images).toString('base64');
    };
    const a = await run(11);
    expect(await run(11)).toBe(a);
    expect(await run(12)).not.toBe(a);
  }, 60_000);

  it.each([
    ['vae', () => createVae(tf, tinyVae, createRng(3))],
    ['gan', () => createGan(tf, tinyGan, createRng(3))],
    ['diffusion', () => createDiffusion(tf, tinyDiffusion, createRng(3))],
    ['autoencoder', () => createAutoencoder(tf, tinyAutoencoder, createRng(3), trunk)],
  ] as const)('%s: resume-from-checkpoint continues where it stopped (weights, optimizer, EMA, spectral-norm vectors)', async (_, make) => {
    const data = twoClassImages(4);
    const common = { data, epochs: 3, batchSize: 4, checkpointEvery: 1, rng: rngs(5), ...quiet };

    const straight = make();
    await train(tf, { ...common, model: straight, checkpointDir: join(tempDir(), 'ck') });
    const expected = weightsOf(straight);
    straight.dispose();

    const dir = join(tempDir(), 'ck');
    const interrupted = make();
    const first = await train(tf, { ...common, model: interrupted, checkpointDir: dir, stopAfter: 2 });
    expect(first.history.map((h) => h.epoch)).toEqual([1, 2]);
    interrupted.dispose();
    expect(existsSync(join(dir, STATE_FILE))).toBe(true);

    // A new process would build a fresh model: its own initial weights must be overwritten.
    const resumed = make();
    const second = await train(tf, { ...common, model: resumed, checkpointDir: dir });
    expect(second.resumedFrom).toBe(2);
    expect(second.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(weightsOf(resumed)).toEqual(expected);
    resumed.dispose();
  }, 60_000);
});
