// Each stage's headline figures, one small reader per artifact: it parses the file with the
// artifact's schema (packages/artifacts) and picks the few figures a person compares between runs.
// Adding a stage's figures = adding one entry to HEADLINES. A JSON `*_metrics` artifact without
// an entry still shows its top-level numbers (genericFigures), so a new stage is never invisible.
//
// The ranker's and generator's readers parse only the fields they show (loose objects, newer fields
// optional) rather than their full schemas in packages/artifacts, so that the snapshots of older
// runs in artifacts/.runs/history stay readable when those schemas grow.
import { z } from 'zod';
import { readJson, readJsonArtifact } from '@cvc/core';
import { classifierMetrics } from '@cvc/artifacts/classifier-metrics';
import { pretrainMetrics } from '@cvc/artifacts/pretrain-metrics';
import type { Figure } from './figures.ts';

export interface HeadlineReader {
  stage: string;
  /** Artifact name in the pipeline's catalog. */
  artifact: string;
  /** A file inside a folder artifact (kept in run snapshots, so it must be small). */
  file?: string;
  figures(path: string): Omit<Figure, 'stage'>[];
}

const datasetManifest = z.looseObject({ classNames: z.array(z.string()), classCounts: z.array(z.number()), splits: z.looseObject({ train: z.array(z.number()), validation: z.array(z.number()), test: z.array(z.number()) }) });

const embeddingsIndex = z.looseObject({ model: z.string(), variant: z.string(), layers: z.array(z.looseObject({ name: z.string(), dim: z.number() })) });

const heldOutTop1 = z.looseObject({ top1: z.number(), perClass: z.record(z.string(), z.looseObject({ top1: z.number() })) });
const objectJudgeHeadlines = z.looseObject({ epochs: z.number(), cifar10Test: heldOutTop1, datasetTest: heldOutTop1 });

const byK = z.record(z.string(), z.number());
const rankerHeadlines = z.looseObject({
  spearman: z.record(z.string(), z.record(z.string(), z.number())),
  misclassifiedOutOfFold: z.record(z.string(), byK),
  neither: z.looseObject({ inTop100: z.record(z.string(), z.number()) }).optional(),
  headline: z.looseObject({ scorer: z.string(), heldOut: byK, pairwiseLevel: byK }).optional(),
});

const generatorHeadlines = z.looseObject({
  models: z.record(
    z.string(),
    z.looseObject({
      hybrids: z.looseObject({
        shareInRange: z.number(),
        secondJudge: z.looseObject({ shareInRange: z.number() }).optional(),
        calibratedShareInRange: z.looseObject({ best: z.number(), second: z.number() }).optional(),
      }),
      objectAware: z.looseObject({ classTop1: z.record(z.string(), z.number()), hybrids: z.looseObject({ meanPClockPlusCrocodile: z.number() }) }).optional(),
      classSamples: z.looseObject({
        classAccuracy: z.record(z.string(), z.number()),
        kid: z.number(),
        fid: z.number(),
        precisionRecall: z.record(z.string(), z.unknown()).optional(),
      }),
    }),
  ),
});
const precisionRecall = z.looseObject({ precision: z.number(), recall: z.number() });

/** `@32` if the file has it, else its first `@K`. */
const pickK = (byk: Record<string, number>): string | undefined => ('@32' in byk ? '@32' : Object.keys(byk)[0]);

export const HEADLINES: HeadlineReader[] = [
  {
    stage: 'data-prep',
    artifact: 'dataset',
    file: 'manifest.json',
    figures(path) {
      const m = readJsonArtifact(path, datasetManifest);
      return [
        ...m.classNames.map((c, i) => ({ name: `${c} images`, value: m.classCounts[i] ?? 0, unit: 'count' as const })),
        { name: 'train / validation / test', value: `${m.splits.train.length} / ${m.splits.validation.length} / ${m.splits.test.length}`, unit: 'text' },
      ];
    },
  },
  {
    stage: 'pretrain',
    artifact: 'pretrain_metrics',
    figures(path) {
      const m = readJsonArtifact(path, pretrainMetrics);
      return [
        { name: 'CIFAR-10 test accuracy', value: m.testAccuracy, unit: 'percent', better: 'higher' },
        { name: 'epochs', value: m.epochs, unit: 'count' },
      ];
    },
  },
  {
    stage: 'object-judge',
    artifact: 'object_judge_metrics',
    figures(path) {
      const m = readJsonArtifact(path, objectJudgeHeadlines);
      return [
        { name: 'CIFAR-10 test top-1 (12-way)', value: m.cifar10Test.top1, unit: 'percent', better: 'higher' },
        // The dataset's own classes on its test split: the ceiling the generator's class samples are read against.
        ...Object.entries(m.datasetTest.perClass).map(([c, r]) => ({ name: `test ${c}s top-1`, value: r.top1, unit: 'percent' as const, better: 'higher' as const })),
        { name: 'epochs', value: m.epochs, unit: 'count' },
      ];
    },
  },
  {
    stage: 'classifier',
    artifact: 'classifier_metrics',
    figures(path) {
      const m = readJsonArtifact(path, classifierMetrics);
      return [
        { name: 'best model', value: m.best, unit: 'text' },
        ...m.models.flatMap((r) => [
          { subject: r.model, name: 'CV accuracy', value: r.crossValidation.mean, spread: r.crossValidation.std, unit: 'percent' as const, better: 'higher' as const },
          { subject: r.model, name: 'test accuracy', value: r.test.accuracy, unit: 'percent' as const, better: 'higher' as const },
          { subject: r.model, name: 'test AUC', value: r.test.auc, unit: 'number' as const, better: 'higher' as const },
          { subject: r.model, name: 'ECE raw', value: r.outOfFold.ece.raw, unit: 'number' as const, better: 'lower' as const },
          { subject: r.model, name: 'ECE scaled', value: r.outOfFold.ece.calibrated, unit: 'number' as const, better: 'lower' as const },
          { subject: r.model, name: 'epochs', value: r.epochs.chosen, unit: 'count' as const },
        ]),
      ];
    },
  },
  {
    stage: 'embedder',
    artifact: 'embeddings',
    file: 'index.json',
    figures(path) {
      const m = readJsonArtifact(path, embeddingsIndex);
      return [{ name: 'model', value: `${m.model}/${m.variant} (${m.layers.map((l) => `${l.name} ${l.dim}`).join(', ')})`, unit: 'text' }];
    },
  },
  {
    stage: 'ranker',
    artifact: 'ranker_metrics',
    figures(path) {
      const m = readJsonArtifact(path, rankerHeadlines);
      const scorers = Object.keys(m.spearman);
      const pairs = scorers.flatMap((a, i) => scorers.slice(i + 1).map((b) => m.spearman[a]![b]!));
      const out: Omit<Figure, 'stage'>[] = [];
      if (m.headline) {
        const k = pickK(m.headline.heldOut);
        if (k) {
          out.push({ name: `${m.headline.scorer} held-out panel |p-0.5| ${k}`, value: m.headline.heldOut[k]!, unit: 'number', better: 'lower' });
          out.push({ name: `panel pairwise level ${k}`, value: m.headline.pairwiseLevel[k]!, unit: 'number' });
        }
      }
      if (pairs.length) out.push({ name: 'scorer agreement (mean Spearman)', value: pairs.reduce((a, b) => a + b, 0) / pairs.length, unit: 'number' });
      for (const [scorer, shares] of Object.entries(m.misclassifiedOutOfFold)) {
        const k = pickK(shares);
        if (k) out.push({ subject: scorer, name: `misclassified in top ${k.slice(1)}`, value: shares[k]!, unit: 'percent' });
      }
      for (const [scorer, n] of Object.entries(m.neither?.inTop100 ?? {})) out.push({ subject: scorer, name: '"neither" in top 100', value: n, unit: 'count', better: 'lower' });
      return out;
    },
  },
  {
    stage: 'generator',
    artifact: 'generator_metrics',
    figures(path) {
      const m = readJsonArtifact(path, generatorHeadlines);
      return Object.entries(m.models).flatMap(([model, g]) => {
        const pr = Object.entries(g.classSamples.precisionRecall ?? {}).flatMap(([cls, v]) => {
          const parsed = precisionRecall.safeParse(v);
          return parsed.success
            ? [
                { subject: model, name: `${cls} precision`, value: parsed.data.precision, unit: 'number' as const, better: 'higher' as const },
                { subject: model, name: `${cls} recall`, value: parsed.data.recall, unit: 'number' as const, better: 'higher' as const },
              ]
            : [];
        });
        const second = g.hybrids.secondJudge;
        const calibrated = g.hybrids.calibratedShareInRange;
        const object = g.objectAware;
        return [
          { subject: model, name: 'hybrid share', value: g.hybrids.shareInRange, unit: 'percent' as const, better: 'higher' as const },
          ...(second ? [{ subject: model, name: 'hybrid share, 2nd judge', value: second.shareInRange, unit: 'percent' as const, better: 'higher' as const }] : []),
          ...(calibrated
            ? [
                { subject: model, name: 'hybrid share, calibrated', value: calibrated.best, unit: 'percent' as const, better: 'higher' as const },
                { subject: model, name: 'hybrid share, 2nd judge calibrated', value: calibrated.second, unit: 'percent' as const, better: 'higher' as const },
              ]
            : []),
          ...(object ? [{ subject: model, name: 'hybrids 12-way p(clk)+p(croc)', value: object.hybrids.meanPClockPlusCrocodile, unit: 'number' as const, better: 'higher' as const }] : []),
          { subject: model, name: 'FID', value: g.classSamples.fid, unit: 'number' as const, better: 'lower' as const },
          { subject: model, name: 'KID', value: g.classSamples.kid, unit: 'number' as const, better: 'lower' as const },
          ...Object.entries(g.classSamples.classAccuracy).map(([cls, acc]) => ({ subject: model, name: `${cls} recognised`, value: acc, unit: 'percent' as const, better: 'higher' as const })),
          ...Object.entries(object?.classTop1 ?? {}).map(([cls, acc]) => ({ subject: model, name: `${cls} 12-way top-1`, value: acc, unit: 'percent' as const, better: 'higher' as const })),
          ...pr,
        ];
      });
    },
  },
];

/** For a metrics file no reader knows: its numbers up to two levels deep (not inside lists), at most 12. */
export function genericFigures(path: string): Omit<Figure, 'stage'>[] {
  const out: Omit<Figure, 'stage'>[] = [];
  const visit = (value: unknown, name: string, depth: number) => {
    if (out.length >= 12) return;
    if (typeof value === 'number') out.push({ name, value, unit: 'number' });
    else if (depth < 2 && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) visit(v, name ? `${name}.${k}` : k, depth + 1);
    }
  };
  visit(readJson<unknown>(path), '', 0);
  return out;
}
