// The classifier networks' shapes as params (pipeline YAML `architecture:` blocks): one schema
// for the classifier and pretrain stages, and the TypeScript types the builders take. No defaults:
// a network's shape is written out in the pipeline file.
import { z } from 'zod';

/** The study's shallow net: dense layers with LeakyReLU; the last width is fc7. */
export const shallowArchitecture = z.strictObject({
  kind: z.literal('shallow'),
  hidden: z.array(z.number().int().positive()).min(1),
  dropout: z.number().min(0).max(0.9),
});

/** The study's 5-conv CNN (= the ../shared/bench reference network). */
export const cnnArchitecture = z.strictObject({
  kind: z.literal('cnn'),
  filters: z.array(z.number().int().positive()).length(5),
  dense: z.number().int().positive(),
  dropout: z.number().min(0).max(0.9),
});

/** A small ResNet; the pretrain stage builds the same network. */
export const resnetArchitecture = z.strictObject({
  kind: z.literal('resnet'),
  widths: z.array(z.number().int().positive()).min(1).max(4),
  blocksPerStage: z.number().int().min(1).max(4),
  dense: z.number().int().positive(),
  dropout: z.number().min(0).max(0.9),
  /** Max-pool 2x2 after the stem: 4x cheaper, lower resolution. */
  stemPool: z.boolean(),
});

export const architecture = z.discriminatedUnion('kind', [shallowArchitecture, cnnArchitecture, resnetArchitecture]);

export type ShallowOptions = z.infer<typeof shallowArchitecture>;
export type CnnOptions = z.infer<typeof cnnArchitecture>;
export type ResnetOptions = z.infer<typeof resnetArchitecture>;
export type ArchitectureOptions = z.infer<typeof architecture>;
export const MODEL_KINDS = ['shallow', 'cnn', 'resnet'] as const;
export type ModelKind = ArchitectureOptions['kind'];
