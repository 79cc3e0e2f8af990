// The generator stage's params (pipeline YAML `stages.generator.params`); errors name the field.
import { z } from 'zod';
import { GUIDED_HYBRIDS } from '@cvc/artifacts/generator-metrics';
import { BASELINE_KINDS } from './baselines.ts';
import { HYBRID_RULES } from './hybrid-rules.ts';

const vae = z.object({
  epochs: z.number().int().min(1).default(60),
  batchSize: z.number().int().min(2).default(64),
  latentDim: z.number().int().min(2).default(32),
  channels: z.number().int().min(4).default(32),
  reconWeight: z.number().positive().default(20),
  learningRate: z.number().positive().default(0.001),
});

const gan = z.object({
  epochs: z.number().int().min(1).default(200),
  batchSize: z.number().int().min(2).default(64),
  latentDim: z.number().int().min(2).default(64),
  embedDim: z.number().int().min(2).default(32),
  gChannels: z.number().int().min(4).multipleOf(2).default(32),
  dChannels: z.number().int().min(4).default(32),
  learningRateG: z.number().positive().default(0.0001),
  learningRateD: z.number().positive().default(0.0004),
  beta1: z.number().min(0).max(0.99).default(0),
  beta2: z.number().min(0).max(0.9999).default(0.9),
  dSteps: z.number().int().min(1).default(1),
  emaDecay: z.number().min(0).max(0.9999).default(0.999),
  modeSeeking: z.number().min(0).default(0.1),
  augment: z.object({ color: z.boolean(), translation: z.boolean(), cutout: z.boolean() }).default({ color: true, translation: true, cutout: true }),
});

const diffusion = z.object({
  epochs: z.number().int().min(1).default(300),
  batchSize: z.number().int().min(2).default(64),
  channels: z.number().int().min(8).multipleOf(8).default(16),
  learningRate: z.number().positive().default(0.0005),
  timesteps: z.number().int().min(2).default(1000),
  sampleSteps: z.number().int().min(1).default(25),
  guidance: z.number().min(0).default(2),
  dropLabel: z.number().min(0).max(1).default(0.15),
  emaDecay: z.number().min(0).max(0.9999).default(0.995),
});

const frequency = z.object({
  /** σ in pixels of the Gaussian low-pass (and of its high-pass complement); Oliva et al.'s cut-off, ≈ 1–2 px at 32x32. */
  sigma: z.number().positive().max(16).default(1.5),
});

const autoencoder = z.object({
  epochs: z.number().int().min(1).default(180),
  batchSize: z.number().int().min(2).default(32),
  codeDim: z.number().int().min(2).default(128),
  embedDim: z.number().int().min(2).default(32),
  encoderWidths: z.tuple([z.number().int().min(1), z.number().int().min(1), z.number().int().min(1)]).default([32, 64, 128]),
  decoderWidths: z.tuple([z.number().int().min(1), z.number().int().min(1), z.number().int().min(1), z.number().int().min(1)]).default([128, 64, 32, 16]),
  perceptualWeight: z.number().min(0).default(1),
  codePenalty: z.number().min(0).default(0.001),
  learningRate: z.number().positive().default(0.0005),
  beta1: z.number().min(0).max(0.99).default(0.9),
  beta2: z.number().min(0).max(0.9999).default(0.99),
  flip: z.boolean().default(true),
  shrinkage: z.number().min(0).max(1).default(0.1),
  /** How hybrids are drawn from the trained weights (autoencoder.ts HYBRID_RULES); sampling only, not part of the checkpoint key. */
  hybrid: z.enum(HYBRID_RULES).default('boundary-cycle'),
  /** σ (px) of the frequency hybrids that the `project-frequency` rule encodes. */
  hybridSigma: z.number().positive().max(16).default(1.5),
});

/** Guided sampling (guidance.ts): sampling only, never part of a checkpoint key. */
const GUIDED_KINDS = ['vae', 'gan', 'autoencoder'] as const;
/** How each guided draw moves its latents (a model's `perModel` entry may change any of them). */
const guidanceSteps = z.object({
  /** Adam steps on each sample's latent, and their step size. */
  steps: z.number().int().min(0).default(60),
  /** Adam steps on each hybrid's latent (unset: `steps`): fewer class-sample steps keep their KID near the unguided model's, while hybrids, which start from them, need more to become undecided. */
  hybridSteps: z.number().int().min(0).optional(),
  learningRate: z.number().positive().default(0.05),
  /** Weight of ‖z‖²: the latent's standard-normal prior (keeps codes inside the fitted density). */
  prior: z.number().min(0).default(0.01),
  /** Weight of ‖z − z₀‖²: how close each sample stays to its own start. */
  anchor: z.number().min(0).default(0),
  /** Weight of the pull toward the nearest real image of the class in the pretrain network's features. */
  realism: z.number().min(0).default(1),
  /** Class samples: each guide reads its own random view at each step, shifted by up to this many pixels, maybe mirrored (0: none). */
  views: z.number().int().min(0).max(8).default(3),
  /** The same for hybrids (measured: views lift the best judge's hybrid share but lower the second judge's). */
  hybridViews: z.number().int().min(0).max(8).default(0),
  /** Guided hybrids: `mean-code` (one decode at mix ½), `blend` (a guided clock part and crocodile part, averaged in pixels), `contrast-blend` (that average with its parts' contrast) or `inset` (the crocodile part in a centred disc, the clock part around it). */
  hybrid: z.enum(GUIDED_HYBRIDS).default('blend'),
  /** `inset` hybrids: radius (px) of the centred disc where the crocodile part shows inside the clock part. */
  insetRadius: z.number().positive().max(22).default(10),
  /** Two-part hybrids (all but `mean-code`): weight of the realism pull on the composed hybrid itself, relative to its parts' (0: parts only). */
  wholeRealism: z.number().min(0).default(0),
  /** vae, gan: each class part of a hybrid gets its own latent [z_clock | z_crocodile] (the autoencoder's always does), or both share one z. */
  splitLatent: z.boolean().default(true),
});
/** The same fields, each optional and without its default: an override names only what it changes. */
function withoutDefaults<S extends z.ZodRawShape>(schema: z.ZodObject<S>) {
  const shape = Object.fromEntries(Object.entries(schema.shape).map(([key, field]) => [key, ((field instanceof z.ZodDefault ? field.unwrap() : field) as z.ZodType).optional()]));
  return z.strictObject(shape as { [K in keyof S]: z.ZodOptional<z.ZodType<z.output<S[K]>>> });
}
const guidance = guidanceSteps.extend({
  /** Learned models whose class samples and hybrids are guided (models with a one-pass decoder). */
  models: z.array(z.enum(GUIDED_KINDS)).default(['autoencoder']),
  /** The guides: classifier-stage models by name; never the best model or the second judge. */
  guides: z.array(z.string().min(1)).min(1).default(['resnet-scratch', 'shallow']),
  /** Guide with each model's cross-validation fold models too (6 networks a model), not only its full model. */
  folds: z.boolean().default(true),
  /** Settings for one model only, over the ones above (the full profile's GAN takes fewer class-sample steps than the autoencoder). */
  perModel: z.partialRecord(z.enum(GUIDED_KINDS), withoutDefaults(guidanceSteps)).default({}),
});

/** The learned models (trained, checkpointed). */
export const MODEL_KINDS = ['vae', 'gan', 'diffusion', 'autoencoder'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];
/** Everything `models` may list: the training-free baselines (baselines.ts) and the learned models. */
export const GENERATOR_KINDS = [...BASELINE_KINDS, ...MODEL_KINDS] as const;
export type GeneratorKind = (typeof GENERATOR_KINDS)[number];

export const generatorParams = z.object({
  /** Which baselines to run and models to train; each writes artifacts/generator/<model>/ (declared in the stage's outs as generator_<model>). */
  models: z.array(z.enum(GENERATOR_KINDS)).min(1),
  frequency: frequency.default(frequency.parse({})),
  vae: vae.default(vae.parse({})),
  gan: gan.default(gan.parse({})),
  diffusion: diffusion.default(diffusion.parse({})),
  autoencoder: autoencoder.default(autoencoder.parse({})),
  guidance: guidance.default(guidance.parse({})),
  /** Save a resumable checkpoint every N epochs (and at the end). */
  checkpointEvery: z.number().int().min(1).default(5),
  /** Hybrid images written per model (at mix 0.5). */
  hybrids: z.number().int().min(1).default(128),
  /** Plain samples per class, for the class grid and KID/FID. */
  samplesPerClass: z.number().int().min(2).default(128),
  /** Interpolation strips clock → crocodile, and images per strip. */
  strips: z.number().int().min(1).default(8),
  stripSteps: z.number().int().min(3).default(9),
  /** How many top-scored hybrids the best-hybrids grid shows. */
  bestHybrids: z.number().int().min(1).default(16),
  /** Hybrid window on the classifier's p(crocodile). */
  hybridRange: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).default([0.3, 0.7]),
  /** The independent second judge: a classifier-stage model by name (its full model); the best model (best.json) is the first. */
  secondJudge: z.string().min(1).default('cnn'),
  /** k of the k-nearest-neighbour manifolds of precision/recall (Kynkäänniemi et al. use 3). */
  precisionRecallK: z.number().int().min(1).default(3),
});
export type GeneratorParams = z.infer<typeof generatorParams>;
export type VaeParams = GeneratorParams['vae'];
export type GanParams = GeneratorParams['gan'];

/** The guidance settings one model draws with: the shared ones, then its `perModel` entry over them. */
export function guidanceFor(params: GeneratorParams, kind: ModelKind): GeneratorParams['guidance'] {
  const own = kind === 'diffusion' ? undefined : params.guidance.perModel[kind];
  return { ...params.guidance, ...own };
}
