// Stage report: the last stage of the DAG. Turns the artifacts of every stage that exists into
// one self-contained page, artifacts/report/index.html (pictures and charts inlined), that is
// byte-for-byte reproducible; run times are loaded beside it at view time (run-times.ts).
import { relative } from 'node:path';
import { z } from 'zod';
import { defineStage, loadPipeline, writeFileAtomic } from '@cvc/core';
import { esc } from './html.ts';
import { renderPage } from './page.ts';
import { SECTION_BUILDERS, SECTION_NAMES, type SectionName } from './sections/index.ts';
import type { RenderedSection, SectionContext } from './sections/section.ts';
import { nxInvocation } from './nx-invocation.ts';
import { invocationFor, refreshRunTimes, writeInvocation } from './run-times.ts';
import { PAGE_ARTIFACT, REPORT_STAGE } from './view.ts';

export const reportParams = z.object({
  title: z.string().min(1).default('Clocks vs crocodiles'),
  /** The pipeline file shown in the provenance section (an external input: any edit rebuilds the page). */
  pipelineFile: z.string().min(1),
  /** Sections in page order; each needs its artifacts in the stage's deps. */
  sections: z
    .array(z.enum(SECTION_NAMES))
    .min(1)
    .refine((s) => new Set(s).size === s.length, 'lists a section twice'),
  /** Random training images shown per class in the dataset section. */
  samplesPerClass: z.number().int().min(1).max(64).default(16),
  /** Top images shown per scorer and per one-sided list in the ranker section. */
  topPerScorer: z.number().int().min(1).max(64).default(16),
  /** Best hybrids shown per generative model in the generator section. */
  bestHybrids: z.number().int().min(1).max(64).default(16),
});
export type ReportParams = z.infer<typeof reportParams>;

const STAGE = REPORT_STAGE;

/** ctx.input, with an error that says which section needed the missing dep; records what it read. */
function sectionContext(ctx: SectionContext, section: SectionName, read: string[]): SectionContext {
  return {
    ...ctx,
    input: (artifact) => {
      try {
        const path = ctx.input(artifact);
        if (!read.includes(path)) read.push(path);
        return path;
      } catch (err) {
        throw new Error(`stages.${STAGE}.params.sections: section "${section}" reads artifact "${artifact}": add it to stages.${STAGE}.deps (${(err as Error).message})`);
      }
    },
  };
}

export default defineStage({
  name: STAGE,
  params: reportParams,
  async run(ctx) {
    const started = new Date();
    const { params } = ctx;
    const root = ctx.resolvePath('.');
    const pipeline = loadPipeline(params.pipelineFile);
    const base: SectionContext = { input: ctx.input, resolvePath: ctx.resolvePath, rng: ctx.rng, log: ctx.log };
    const options = { pipelineFile: params.pipelineFile, reportStage: STAGE, samplesPerClass: params.samplesPerClass, topPerScorer: params.topPerScorer, bestHybrids: params.bestHybrids };

    const sections: RenderedSection[] = [];
    for (const name of params.sections) {
      const read: string[] = [];
      const section = await SECTION_BUILDERS[name](sectionContext(base, name, read), options);
      const from = read.map((p) => `<code>${esc(relative(root, p))}</code>`).join(', ');
      sections.push(from ? { ...section, html: `${section.html}\n<p class="from">Drawn from ${from}.</p>` } : section);
      ctx.log(`section ${name}: ${sections.at(-1)!.summary}`);
    }
    const page = renderPage({
      title: params.title,
      // Lower-case only the title's first letter (not an acronym), so "CIFAR-10" stays as written.
      subtitle: `One page per run of the pipeline: ${sections.map((s) => s.title.replace(/^[A-Z](?![A-Z])/, (c) => c.toLowerCase())).join(', ')}. Global seed ${pipeline.seed}.`,
      sections,
    });
    writeFileAtomic(ctx.output(PAGE_ARTIFACT), page);
    ctx.log(`page ${(page.length / 1024).toFixed(0)} KiB`);

    // Outside the artifact: which run this was, and the times the page loads beside it.
    writeInvocation(root, invocationFor(nxInvocation(), started));
    refreshRunTimes(root, pipeline.stages.map((s) => s.name), { writtenBy: 'the report stage', reportStage: STAGE, building: true });
  },
});
