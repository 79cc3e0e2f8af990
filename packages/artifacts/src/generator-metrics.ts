// Artifact `generator_metrics` (artifacts/generator/metrics.json): per generator (learned model or
// training-free baseline), its hybrids and class samples measured under three judges — the best
// classifier, an independent second classifier, and the 12-way object judge. Written by the
// generator stage, read by the report.
import { z } from 'zod';

/** How a guided hybrid is drawn (the generator's `guidance.hybrid` param, src/compositions.ts there). */
export const GUIDED_HYBRIDS = ['mean-code', 'blend', 'contrast-blend', 'inset'] as const;

export const distributionSummary = z.object({ min: z.number(), p05: z.number(), median: z.number(), mean: z.number(), p95: z.number(), max: z.number() });
const perClass = <T extends z.ZodType>(t: T) => z.object({ clock: t, crocodile: t });
const kidFid = z.object({ kid: z.number(), fid: z.number() });
const diversity = perClass(z.object({ pixel: z.number(), feature: z.number() }));

export const generatorModelMetrics = z.object({
  /** learned: trained here (epochs, history); baseline: composed from training images (params). */
  type: z.enum(['learned', 'baseline']),
  epochs: z.number().int().min(0).optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  /** Guided sampling (learned models listed in guidance.models): the guides, their ensemble size, and the settings (its cost goes to the log: times would break byte-identical reruns). */
  guidance: z.object({ guides: z.array(z.string()), members: z.number().int().min(1), steps: z.number().int().min(0), hybridSteps: z.number().int().min(0).optional(), learningRate: z.number(), prior: z.number(), anchor: z.number(), realism: z.number(), views: z.number().int().optional(), hybridViews: z.number().int().optional(), hybrid: z.enum(GUIDED_HYBRIDS).optional(), insetRadius: z.number().optional(), wholeRealism: z.number().optional(), splitLatent: z.boolean().optional() }).optional(),
  hybrids: z.object({
    count: z.number().int().min(1),
    /** Share with the best judge's p(crocodile) in hybridRange. */
    shareInRange: z.number(),
    pCrocodile: distributionSummary,
    kid: z.number(),
    secondJudge: z.object({ shareInRange: z.number(), pCrocodile: distributionSummary }),
    /** The window on each judge's calibrated p, σ(logit(p) / T) with the classifier stage's temperature (judges.*.temperature). */
    calibratedShareInRange: z.object({ best: z.number(), second: z.number() }),
  }),
  classSamples: z.object({
    perClass: z.number().int().min(1),
    classAccuracy: perClass(z.number()),
    secondJudgeAccuracy: perClass(z.number()),
    kid: z.number(),
    fid: z.number(),
    /** Kynkäänniemi et al. 2019, k-NN manifolds in the best judge's features, against realPerClass real images of the class. */
    precisionRecall: z.object({ k: z.number().int().min(1), realPerClass: z.number().int().min(1), clock: z.object({ precision: z.number(), recall: z.number() }), crocodile: z.object({ precision: z.number(), recall: z.number() }) }),
  }),
  objectAware: z.object({
    classTop1: perClass(z.number()),
    /** The three classes a class's samples are most often called, with shares. */
    classCalledAs: perClass(z.record(z.string(), z.number())),
    kid: z.number(),
    fid: z.number(),
    hybrids: z.object({ meanPClockPlusCrocodile: z.number(), top1: z.object({ clock: z.number(), crocodile: z.number(), other: z.number() }) }),
  }),
  memorisation: z.object({ nearestTrain: distributionSummary, closerThanAnyTestImage: z.number().int().min(0) }),
  bestHybrids: z.array(z.object({
    index: z.number().int().min(0), pCrocodile: z.number(), realism: z.number(), score: z.number(),
    /** The training image nearest in RMS pixel distance (dataset index and file). */
    nearestTrain: z.object({ index: z.number().int().min(0), rms: z.number(), file: z.string() }),
  })),
  diversity,
  /** Per named subset of the hybrids (the frequency baseline's two directions). */
  hybridGroups: z.record(z.string(), z.object({ count: z.number().int().min(0), shareInRange: z.number(), secondJudgeShareInRange: z.number(), meanPClockPlusCrocodile: z.number() })).optional(),
  history: z.array(z.object({ epoch: z.number(), losses: z.record(z.string(), z.number()) })).optional(),
});
export type GeneratorModelMetrics = z.infer<typeof generatorModelMetrics>;

const judgeInfo = z.object({ name: z.string(), featureLayer: z.string() });
/** A 2-way judge also names its temperature (the classifier stage's, fit on out-of-fold real images). */
const classifierJudgeInfo = judgeInfo.extend({ temperature: z.number().positive() });

export const generatorMetrics = z.object({
  /** The best judge's name (also judges.best.name). */
  judge: z.string(),
  featureLayer: z.string(),
  judges: z.object({
    best: classifierJudgeInfo,
    second: classifierJudgeInfo,
    object: judgeInfo.extend({ classes: z.array(z.string()), accuracy: z.object({ cifar10Test: z.number(), datasetTest: z.record(z.string(), z.number()) }) }),
  }),
  hybridRange: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]),
  reference: z.object({
    realImages: z.number().int().min(1),
    trainImages: z.number().int().min(1),
    realNearestFeatureDistanceMedian: z.number(),
    testToNearestTrainPixelRms: distributionSummary,
    /** Real test images against the training images: the floor, in the best judge's and the object judge's features. */
    testVsTrain: kidFid,
    testVsTrainObjectFeatures: kidFid,
    realDiversity: diversity,
    /** The judges on the real test images: what a perfect generator's class samples would score, and the share of real images in the hybrid window. */
    realTest: z.object({
      count: z.number().int().min(1),
      accuracy: z.object({ best: perClass(z.number()), second: perClass(z.number()), objectTop1: perClass(z.number()) }),
      shareInRange: z.object({ best: z.number(), second: z.number() }),
      calibratedShareInRange: z.object({ best: z.number(), second: z.number() }),
      meanPClockPlusCrocodile: z.number(),
    }),
  }),
  models: z.record(z.string(), generatorModelMetrics).refine((m) => Object.keys(m).length > 0, 'no models'),
});
export type GeneratorMetrics = z.infer<typeof generatorMetrics>;
