// The sections a report can show, in page order. Each reads only the artifacts it names; a
// section is listed in params.sections only when its stage is in the pipeline (never faked).
import { classifierSection } from './classifier.ts';
import { datasetSection } from './dataset.ts';
import { generatorSection } from './generator.ts';
import { pipelineSection } from './pipeline-dag.ts';
import { pretrainSection } from './pretrain.ts';
import { provenanceSection } from './provenance.ts';
import { rankerSection } from './ranker.ts';
import type { RenderedSection, SectionContext } from './section.ts';

export interface SectionOptions {
  pipelineFile: string;
  reportStage: string;
  samplesPerClass: number;
  topPerScorer: number;
  bestHybrids: number;
}

export const SECTION_BUILDERS = {
  pipeline: (ctx: SectionContext, o: SectionOptions) => pipelineSection(ctx, o),
  dataset: (ctx: SectionContext, o: SectionOptions) => datasetSection(ctx, o),
  pretrain: (ctx: SectionContext) => pretrainSection(ctx),
  classifier: (ctx: SectionContext) => classifierSection(ctx),
  ranker: (ctx: SectionContext, o: SectionOptions) => rankerSection(ctx, o),
  generator: (ctx: SectionContext, o: SectionOptions) => generatorSection(ctx, o),
  provenance: (ctx: SectionContext, o: SectionOptions) => provenanceSection(ctx, o),
} satisfies Record<string, (ctx: SectionContext, o: SectionOptions) => Promise<RenderedSection>>;

export type SectionName = keyof typeof SECTION_BUILDERS;
export const SECTION_NAMES = Object.keys(SECTION_BUILDERS) as [SectionName, ...SectionName[]];
