// The stage contract. A stage package's `src/stage.ts` default-exports a StageDefinition:
// a params schema and a `run` that reads its inputs and writes its outputs through the
// context. The runner (runner.ts) does everything else: loading, seeding, atomic writes, the lock.
import type { z } from 'zod';
import type { Rng } from './random.ts';
import type { Progress } from './progress.ts';
import type { PlanItem, TrainingPlan } from './training-plan.ts';

export interface StageContext<P> {
  stage: string;
  params: P;
  /** This stage's seed, derived from the pipeline's global seed and the stage name. */
  seed: number;
  /**
   * Digest of the code this stage runs (its package and the workspace packages it depends on, native
   * kernels included): a key for anything a stage keeps outside its outputs, e.g. resumable checkpoints.
   */
  codeDigest: string;
  /** A generator for one purpose (e.g. "split", "fold-3/init"), seeded from the stage seed and that name. */
  rng(purpose: string): Rng;
  /** Absolute path of an input artifact (an upstream stage's output). */
  input(artifact: string): string;
  /** Absolute path where an output artifact must be written (inside a temp folder swapped in at the end). */
  output(artifact: string): string;
  /** Resolve a path param relative to the workspace root. */
  resolvePath(path: string): string;
  log(message: string): void;
  /** A counter for work that is not a training loop (decoding, embedding): a bar on a terminal, a line every 10% otherwise. */
  progress(label: string, total: number): Progress;
  /** The stage's training runs: one Keras-style line per epoch with the plan position and the stage's ETA (training-plan.ts). */
  plan(items: PlanItem[]): TrainingPlan;
}

export interface StageDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  /** Zod schema of the stage's params; errors name the field. */
  params: S;
  /** Whether the runner must pick a TensorFlow.js backend before `run`. */
  usesTensorflow?: boolean;
  /** Schemas (packages/artifacts) of the stage's JSON outputs, by artifact name: the runner checks each written file against its schema. */
  outputSchemas?: Record<string, z.ZodType>;
  run(ctx: StageContext<z.infer<S>>): Promise<void>;
}

export function defineStage<S extends z.ZodType>(definition: StageDefinition<S>): StageDefinition<S> {
  return definition;
}
