// Stage generator: train each model named in params.models on the training split, then write
// its hybrids, grids, interpolation strips and checkpoint under artifacts/generator/<model>/,
// and the metrics of all models to artifacts/generator/metrics.json.
import { join } from 'node:path';
import { RESUME_ENV, costKey, defineStage, readImageDataset, sha256, writeJsonAtomic } from '@cvc/core';
import { tf } from '@cvc/core/backend';
import { pruneStaleCheckpoints } from './checkpoint.ts';
import { buildReference, evaluateModel, type ModelMetrics } from './evaluate.ts';
import { writeGrid, writeImageFiles } from './figures.ts';
import { saveGenerator } from './generator-artifact.ts';
import { loadBestJudge } from './judge.ts';
import { buildModel, modelConfig, trainingDigest } from './models.ts';
import { generatorParams, type ModelKind } from './params.ts';
import { interpolationStrips } from './strips.ts';
import { imageAt, sampleAtMix } from './sample.ts';
import { train, type EpochRecord } from './trainer.ts';

export const METRICS_ARTIFACT = 'generator_metrics';
export const modelArtifact = (kind: ModelKind): string => `generator_${kind}`;

export default defineStage({
  name: 'generator',
  params: generatorParams,
  usesTensorflow: true,
  async run(ctx) {
    const { params } = ctx;
    const dataset = readImageDataset(ctx.input('dataset'));
    const { manifest } = dataset;
    const [n, size] = manifest.shape;
    if (size !== 32) throw new Error(`${ctx.input('dataset')}: generator models are built for 32x32 images, dataset has ${size}x${size}`);
    const trainIdx = manifest.splits.train;
    const pixelsPerImage = size * size * 3;
    const pixels = new Float32Array(trainIdx.length * pixelsPerImage);
    trainIdx.forEach((i, k) => pixels.set(Float32Array.from(imageAt(dataset.images, i), (v) => v / 255), k * pixelsPerImage));
    const data = { pixels, labels: trainIdx.map((i) => manifest.labels[i]!), size };
    const dataHash = sha256(`${manifest.contentHash}\n${JSON.stringify(trainIdx)}`);

    const judge = await loadBestJudge(tf, ctx.input('classifier_models'));
    ctx.log(`judge: classifier ${judge.name} (features: ${judge.featureLayer}); ${trainIdx.length} training images`);
    const ref = buildReference(judge, dataset.images, n, manifest.labels, trainIdx, manifest.splits.test, ctx.rng('reference-kid'));

    const plan = ctx.plan(
      params.models.map((kind, i) => ({ id: kind, label: `model ${i + 1}/${params.models.length} ${kind}`, epochs: modelConfig(params, kind).epochs, costKey: costKey(kind, modelConfig(params, kind)), size: trainIdx.length })),
    );
    const metrics: Record<string, ModelMetrics & { epochs: number; history: EpochRecord[] }> = {};
    for (const kind of params.models) {
      const outDir = ctx.output(modelArtifact(kind));
      const config = modelConfig(params, kind);
      const model = buildModel(tf, kind, params, ctx.rng(`${kind}/init`));
      const digest = trainingDigest(kind, config, dataHash, ctx.seed, ctx.codeDigest);
      ctx.log(`${kind}: ${config.epochs} epochs, batch ${config.batchSize} (checkpoint key ${digest})`);
      const checkpointsOfKind = ctx.resolvePath(join('artifacts', '.checkpoints', 'generator', kind));
      const pruned = pruneStaleCheckpoints(checkpointsOfKind, digest);
      if (pruned.length > 0) ctx.log(`${kind}: removed ${pruned.length} stale checkpoint(s) (older code or params)`);
      const result = await train(tf, {
        model,
        data,
        epochs: config.epochs,
        batchSize: config.batchSize,
        checkpointEvery: params.checkpointEvery,
        checkpointDir: join(checkpointsOfKind, digest),
        resume: process.env[RESUME_ENV] !== '0',
        rng: (purpose) => ctx.rng(`${kind}/${purpose}`),
        log: (m) => ctx.log(`${kind}: ${m}`),
        report: plan.start(kind),
      });
      saveGenerator(join(outDir, 'checkpoint'), model, { kind, config, classNames: manifest.classNames, epochs: config.epochs });

      const hybrids = sampleAtMix(tf, model, params.hybrids, 0.5, ctx.rng(`${kind}/hybrids`));
      const samples = {
        clock: sampleAtMix(tf, model, params.samplesPerClass, 0, ctx.rng(`${kind}/samples-clock`)),
        crocodile: sampleAtMix(tf, model, params.samplesPerClass, 1, ctx.rng(`${kind}/samples-crocodile`)),
      };
      await writeImageFiles(join(outDir, 'hybrids'), 'hybrid', hybrids);
      await writeGrid(join(outDir, 'hybrids.png'), hybrids, 8);
      const shown = Math.min(16, params.samplesPerClass);
      await writeGrid(join(outDir, 'samples.png'), new Uint8Array([...samples.clock.subarray(0, shown * pixelsPerImage), ...samples.crocodile.subarray(0, shown * pixelsPerImage)]), 8);
      const strips = interpolationStrips(tf, model, dataset, params.strips, params.stripSteps, ctx.rng(`${kind}/strips`));
      await writeGrid(join(outDir, 'interpolation.png'), strips.images, strips.columns);

      const m = evaluateModel(judge, ref, hybrids, samples, { hybridRange: params.hybridRange, best: params.bestHybrids, rng: ctx.rng(`${kind}/kid`) });
      await writeGrid(join(outDir, 'best-hybrids.png'), hybrids, 8, m.bestHybrids.map((b) => b.index));
      metrics[kind] = { epochs: config.epochs, ...m, history: result.history };
      ctx.log(
        `${kind}: hybrids in [${params.hybridRange.join(', ')}] ${(m.hybrids.shareInRange * 100).toFixed(1)}%, ` +
          `class KID ${m.classSamples.kid.toFixed(4)}, FID ${m.classSamples.fid.toFixed(2)}, hybrid KID ${m.hybrids.kid.toFixed(4)}, ` +
          `nearest-train median ${m.memorisation.nearestTrain.median} (test images: ${ref.testToTrain.median}), ` +
          `diversity (feature) clock ${m.diversity.clock.feature} crocodile ${m.diversity.crocodile.feature} (real ${ref.realDiversity.clock.feature} / ${ref.realDiversity.crocodile.feature})`,
      );
      model.dispose();
    }

    writeJsonAtomic(ctx.output(METRICS_ARTIFACT), {
      judge: judge.name,
      featureLayer: judge.featureLayer,
      hybridRange: params.hybridRange,
      reference: {
        realImages: n,
        trainImages: trainIdx.length,
        realNearestFeatureDistanceMedian: Number(ref.realNearestMedian.toPrecision(6)),
        testToNearestTrainPixelRms: ref.testToTrain,
        testVsTrain: ref.realFloor,
        realDiversity: ref.realDiversity,
      },
      models: metrics,
    });
  },
});
