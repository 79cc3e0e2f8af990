// Stage generator: run each baseline and train each learned model named in params.models on the
// training split, then write its hybrids, grids, interpolation strips (and checkpoint) under
// artifacts/generator/<model>/, and the metrics of all of them, under three judges, to
// artifacts/generator/metrics.json.
import { join } from 'node:path';
import { RESUME_ENV, costKey, defineStage, readImageDataset, sha256, writeJsonArtifact, writeJsonAtomic, type Dataset, type EpochReporter } from '@cvc/core';
import { generatorMetrics, type GeneratorModelMetrics } from '@cvc/artifacts/generator-metrics';
import { tf } from '@cvc/core/backend';
import { isBaseline, runBaseline, type BaselineKind } from './baselines.ts';
import { pruneStaleCheckpoints } from './checkpoint.ts';
import { buildReference, evaluateModel, type Judges } from './evaluate.ts';
import { writeGrid, writeImageFiles, writeNearestStrip } from './figures.ts';
import { saveGenerator } from './generator-artifact.ts';
import { loadBestJudge, loadClassifierJudge, loadObjectJudge } from './judge.ts';
import { buildModel, modelConfig, trainingDigest } from './models.ts';
import { generatorParams, guidanceFor, type GeneratorKind, type GeneratorParams, type ModelKind } from './params.ts';
import { interpolationStrips } from './strips.ts';
import { referenceLine, summaryLines } from './summary-line.ts';
import { imageAt, sampleAtMix, sampleHybrids, sampleLatents } from './sample.ts';
import { buildRealism, crossoverLatents, guidedDraw, loadGuides, settingsFor, type GuideLogit, type Realism } from './guidance.ts';
import { splitLatentGenerator } from './split-latent.ts';
import { loadFeatureTrunk, pooledFeatures, type FeatureTrunk } from './feature-trunk.ts';
import { train, type EpochRecord, type TrainingImages } from './trainer.ts';
import type { StageContext } from '@cvc/core';
import { performance } from 'node:perf_hooks';
import type { TrainableModel } from './model.ts';

export const METRICS_ARTIFACT = 'generator_metrics';
export const modelArtifact = (kind: GeneratorKind): string => `generator_${kind}`;

/** What every generator hands to the figures and the metrics. */
interface Produced {
  hybrids: Uint8Array;
  samples: { clock: Uint8Array; crocodile: Uint8Array };
  strips: { images: Uint8Array; columns: number };
  hybridGroups?: Record<string, number[]>;
  /** Written to metrics.json beside the measurements. */
  info: { type: 'baseline'; params: Record<string, unknown> } | { type: 'learned'; epochs: number; history: EpochRecord[] };
  guidance?: GeneratorModelMetrics['guidance'];
}

/** The guide ensemble and the realism features of guided sampling (loaded once for every guided model). */
interface Guidance { guides: GuideLogit[]; realism: Realism }

type Ctx = StageContext<GeneratorParams>;

/** The frozen network of the autoencoder's perceptual loss and a digest of its weights (part of the checkpoint key). */
type Features = { trunk: FeatureTrunk; digest: string };

/** Train (or resume) a learned model, save its checkpoint, and draw its hybrids, class samples and strips. */
async function produceLearned(ctx: Ctx, kind: ModelKind, dataset: Dataset, data: TrainingImages, dataHash: string, outDir: string, report: EpochReporter, features?: Features, guidance?: Guidance): Promise<Produced> {
  const { params } = ctx;
  const config = modelConfig(params, kind);
  const model = buildModel(tf, kind, params, ctx.rng(`${kind}/init`), features?.trunk);
  const digest = trainingDigest(kind, config, features ? `${dataHash}\n${features.digest}` : dataHash, ctx.seed, ctx.codeDigest);
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
    report,
  });
  // The autoencoder fits its code density to the training images here (deterministic; after a resume too).
  model.afterTraining?.(data);
  saveGenerator(join(outDir, 'checkpoint'), model, { kind, config, classNames: dataset.manifest.classNames, epochs: config.epochs });
  const draws = guidance
    ? guidedDraws(ctx, kind, model, guidance)
    : {
        hybrids: sampleHybrids(tf, model, params.hybrids, ctx.rng(`${kind}/hybrids`)),
        samples: {
          clock: sampleAtMix(tf, model, params.samplesPerClass, 0, ctx.rng(`${kind}/samples-clock`)),
          crocodile: sampleAtMix(tf, model, params.samplesPerClass, 1, ctx.rng(`${kind}/samples-crocodile`)),
        },
      };
  const produced: Produced = {
    ...draws,
    strips: interpolationStrips(tf, model, dataset, params.strips, params.stripSteps, ctx.rng(`${kind}/strips`)),
    info: { type: 'learned', epochs: config.epochs, history: result.history },
  };
  model.dispose();
  return produced;
}

/**
 * Class samples and hybrids drawn with guidance: the same latents an unguided draw starts from (for a
 * VAE or GAN with `splitLatent`, latents of twice the size: each class reads its own half), each moved
 * by the guide (class samples toward their class, hybrids toward undecided at mix ½).
 */
function guidedDraws(ctx: Ctx, kind: ModelKind, trained: TrainableModel, { guides, realism }: Guidance): Pick<Produced, 'hybrids' | 'samples' | 'guidance'> {
  const { params } = ctx;
  const s = guidanceFor(params, kind);
  const model = s.splitLatent && !trained.latentPerClass ? splitLatentGenerator(tf, trained) : trained;
  const started = performance.now();
  const start = (n: number, purpose: string) => sampleLatents(tf, n, model.latentDim, ctx.rng(`${kind}/${purpose}`));
  const views = ctx.rng(`${kind}/guidance-views`); // the guides' random views, one stream through the three draws
  const clock = guidedDraw(tf, model, start(params.samplesPerClass, 'samples-clock'), 0, 0, guides, realism, settingsFor(0, s), views);
  const crocodile = guidedDraw(tf, model, start(params.samplesPerClass, 'samples-crocodile'), 1, 1, guides, realism, settingsFor(1, s), views);
  // Hybrids start from the guided class samples' latents (clock i's and crocodile i's), then are guided to undecided.
  const hybrids = guidedDraw(tf, model, crossoverLatents(clock.z, crocodile.z, model.latentDim, params.hybrids), 0.5, 'undecided', guides, realism, settingsFor('undecided', s), views).images;
  const samples = { clock: clock.images, crocodile: crocodile.images };
  const seconds = (performance.now() - started) / 1000;
  ctx.log(`${kind}: guided ${2 * params.samplesPerClass + params.hybrids} images by ${s.guides.join(' + ')} (${guides.length} networks), ${s.steps} steps each${s.hybridSteps !== undefined && s.hybridSteps !== s.steps ? ` (hybrids ${s.hybridSteps})` : ''}${s.views + s.hybridViews > 0 ? `, each guide on its own random view (class samples ±${s.views} px, hybrids ±${s.hybridViews} px, mirrored or not)` : ''}, hybrids: ${s.hybrid}, in ${seconds.toFixed(0)} s`);
  return {
    hybrids,
    samples,
    guidance: { guides: s.guides, members: guides.length, steps: s.steps, ...(s.hybridSteps !== undefined ? { hybridSteps: s.hybridSteps } : {}), learningRate: s.learningRate, prior: s.prior, anchor: s.anchor, realism: s.realism, views: s.views, hybridViews: s.hybridViews, hybrid: s.hybrid, ...(s.hybrid === 'inset' ? { insetRadius: s.insetRadius } : {}), wholeRealism: s.wholeRealism, splitLatent: s.splitLatent },
  };
}

/** Compose a baseline's images from training images; its provenance goes to baseline.json. */
function produceBaseline(ctx: Ctx, kind: BaselineKind, dataset: Dataset, outDir: string): Produced {
  const { params } = ctx;
  const { manifest } = dataset;
  const train = manifest.splits.train;
  const out = runBaseline(
    kind,
    params.frequency,
    { images: dataset.images, files: manifest.files, clocks: train.filter((i) => manifest.labels[i] === 0), crocodiles: train.filter((i) => manifest.labels[i] === 1) },
    { hybrids: params.hybrids, samplesPerClass: params.samplesPerClass, strips: params.strips, stripSteps: params.stripSteps },
    (purpose) => ctx.rng(`${kind}/${purpose}`),
  );
  const baselineParams: Record<string, unknown> = kind === 'frequency' ? { ...params.frequency } : {};
  writeJsonAtomic(join(outDir, 'baseline.json'), {
    kind,
    params: baselineParams,
    classSamples: kind === 'blend' ? 'the average of two different training images of the class' : 'the low-pass of one training image of the class plus the high-pass of another',
    hybrids: out.hybridSources,
  });
  ctx.log(`${kind}: training-free baseline from ${train.length} training images${kind === 'frequency' ? ` (σ ${params.frequency.sigma} px)` : ''}`);
  return { hybrids: out.hybrids, samples: out.samples, strips: out.strips, ...(out.hybridGroups ? { hybridGroups: out.hybridGroups } : {}), info: { type: 'baseline', params: baselineParams } };
}

/** The guide ensemble (never a judge) and the realism pull's real features (the pretrain trunk's pooled last stage). */
async function loadGuidance(ctx: Ctx, judges: Judges, trunk: FeatureTrunk, data: TrainingImages): Promise<Guidance & { dispose(): void }> {
  const { guides, folds } = ctx.params.guidance;
  for (const guide of guides) {
    for (const [role, judge] of [['best model', judges.best], ['second judge', judges.second]] as const) {
      if (judge.name === `${guide}/full`) throw new Error(`stages.generator.params.guidance.guides: "${guide}" is the ${role}; guide with classifier models that do not judge`);
    }
  }
  const loaded = await loadGuides(tf, ctx.input('classifier_models'), guides, folds);
  const realism = buildRealism(tf, (x01) => pooledFeatures(tf, trunk, x01), data.pixels, data.labels);
  ctx.log(`guidance: ${guides.join(' + ')} (${loaded.logits.length} networks) guides ${ctx.params.guidance.models.join(', ')}; realism pull in the pretrain network's pooled features`);
  return { guides: loaded.logits, realism, dispose: () => { loaded.dispose(); tf.dispose(realism.real); } };
}

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

    const judges: Judges = {
      best: await loadBestJudge(tf, ctx.input('classifier_models')),
      second: await loadClassifierJudge(tf, ctx.input('classifier_models'), params.secondJudge),
      object: await loadObjectJudge(tf, ctx.input('object_judge_model')),
    };
    if (judges.second.name === judges.best.name) throw new Error(`stages.generator.params.secondJudge: "${params.secondJudge}" is the best model itself; name another classifier model`);
    ctx.log(`judges: best ${judges.best.name} (features: ${judges.best.featureLayer}), second ${judges.second.name}, object-aware ${judges.object.classes.length}-way; ${trainIdx.length} training images`);
    const ref = buildReference(judges, dataset.images, n, manifest.labels, trainIdx, manifest.splits.test, ctx.rng('reference-kid'), params.hybridRange);
    ctx.log(referenceLine(ref, params.hybridRange));

    // The plan (for the stage's ETA line) covers the learned models; baselines take seconds.
    const learned = params.models.filter((kind): kind is ModelKind => !isBaseline(kind));
    const plan = ctx.plan(
      learned.map((kind, i) => ({ id: kind, label: `model ${i + 1}/${learned.length} ${kind}`, epochs: modelConfig(params, kind).epochs, costKey: costKey(kind, modelConfig(params, kind)), size: trainIdx.length })),
    );
    // The autoencoder's perceptual loss and guidance's realism pull read the pretrain stage's CIFAR-10 resnet (frozen).
    const guided = params.guidance.models.filter((kind) => params.models.includes(kind));
    const features = params.models.includes('autoencoder') || guided.length > 0 ? await loadFeatureTrunk(tf, ctx.input('pretrained_model')) : undefined;
    const guidance = guided.length > 0 && features ? await loadGuidance(ctx, judges, features.trunk, data) : undefined;
    const metrics: Record<string, GeneratorModelMetrics> = {};
    for (const kind of params.models) {
      const outDir = ctx.output(modelArtifact(kind));
      const produced = isBaseline(kind)
        ? produceBaseline(ctx, kind, dataset, outDir)
        : await produceLearned(ctx, kind, dataset, data, dataHash, outDir, plan.start(kind), kind === 'autoencoder' ? features : undefined, guided.includes(kind as (typeof guided)[number]) ? guidance : undefined);
      const { hybrids, samples, strips } = produced;
      await writeImageFiles(join(outDir, 'hybrids'), 'hybrid', hybrids);
      await writeGrid(join(outDir, 'hybrids.png'), hybrids, 8);
      const shown = Math.min(16, params.samplesPerClass);
      await writeGrid(join(outDir, 'samples.png'), new Uint8Array([...samples.clock.subarray(0, shown * pixelsPerImage), ...samples.crocodile.subarray(0, shown * pixelsPerImage)]), 8);
      await writeGrid(join(outDir, 'interpolation.png'), strips.images, strips.columns);

      const m = evaluateModel(judges, ref, hybrids, samples, {
        hybridRange: params.hybridRange,
        best: params.bestHybrids,
        rng: ctx.rng(`${kind}/kid`),
        precisionRecallK: params.precisionRecallK,
        ...(produced.hybridGroups ? { groups: produced.hybridGroups } : {}),
      });
      const bestIdx = m.bestHybrids.map((b) => b.index);
      await writeGrid(join(outDir, 'best-hybrids.png'), hybrids, 8, bestIdx);
      await writeNearestStrip(join(outDir, 'best-hybrids-nearest.png'), hybrids, bestIdx, dataset.images, m.bestHybrids.map((b) => b.nearestTrain.index), 8);
      const { info } = produced;
      metrics[kind] = {
        ...(info.type === 'learned' ? { type: info.type, epochs: info.epochs } : { type: info.type, params: info.params }),
        ...(produced.guidance ? { guidance: produced.guidance } : {}),
        ...m,
        bestHybrids: m.bestHybrids.map((b) => ({ ...b, nearestTrain: { ...b.nearestTrain, file: manifest.files[b.nearestTrain.index]! } })),
        ...(info.type === 'learned' ? { history: info.history } : {}),
      };
      for (const line of summaryLines(kind, m, ref, params.hybridRange)) ctx.log(line);
    }

    features?.trunk.dispose();
    guidance?.dispose();
    writeJsonArtifact(ctx.output(METRICS_ARTIFACT), generatorMetrics, {
      judge: judges.best.name,
      featureLayer: judges.best.featureLayer,
      judges: {
        best: { name: judges.best.name, featureLayer: judges.best.featureLayer, temperature: judges.best.temperature },
        second: { name: judges.second.name, featureLayer: judges.second.featureLayer, temperature: judges.second.temperature },
        object: { name: judges.object.name, featureLayer: judges.object.featureLayer, classes: judges.object.classes, accuracy: judges.object.accuracy },
      },
      hybridRange: params.hybridRange,
      reference: {
        realImages: n,
        trainImages: trainIdx.length,
        realNearestFeatureDistanceMedian: Number(ref.realNearestMedian.toPrecision(6)),
        testToNearestTrainPixelRms: ref.testToTrain,
        testVsTrain: ref.realFloor,
        testVsTrainObjectFeatures: ref.objectFloor,
        realDiversity: ref.realDiversity,
        realTest: ref.realTest,
      },
      models: metrics,
    });
  },
});
