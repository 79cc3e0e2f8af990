// The classifier's training plan: per model, a run on the train split (validation curves), one
// run per fold and the full model, each member of an ensemble trained one after another. Fold and
// full runs are planned at maxEpochs until the validation run has chosen their epochs.
import { costKey, type PlanItem } from '@cvc/core';
import type { ModelSpec } from './params.ts';

export interface Splits {
  train: readonly number[];
  validation: readonly number[];
  folds: readonly (readonly number[])[];
}

/** A run of one model: "validation-run", "fold-<k>" or "full". */
export const planItemId = (model: string, run: string, member: number): string => `${model}/${run}/member-${member}`;

function runLabel(run: string, folds: number): string {
  if (run === 'validation-run') return 'validation run';
  if (run === 'full') return 'full model';
  return `fold ${Number(run.slice('fold-'.length)) + 1}/${folds}`;
}

/** Training images of a run (its epoch's work). */
export function runSize(run: string, splits: Splits): number {
  if (run === 'validation-run') return splits.train.length;
  if (run === 'full') return splits.train.length + splits.validation.length;
  const k = Number(run.slice('fold-'.length));
  return splits.folds.reduce((a, f, j) => (j === k ? a : a + f.length), 0);
}

export function classifierPlan(models: ModelSpec[], splits: Splits, batchSize: number): PlanItem[] {
  const runs = ['validation-run', ...splits.folds.map((_, k) => `fold-${k}`), 'full'];
  return models.flatMap((spec, m) => {
    const key = costKey(spec.name, [spec.architecture, spec.training, batchSize]);
    return runs.flatMap((run) =>
      Array.from({ length: spec.ensemble }, (_, member) => ({
        id: planItemId(spec.name, run, member),
        label: `model ${m + 1}/${models.length} ${spec.name} · ${runLabel(run, splits.folds.length)}${spec.ensemble > 1 ? ` · member ${member + 1}/${spec.ensemble}` : ''}`,
        epochs: spec.training.maxEpochs,
        costKey: key,
        size: runSize(run, splits),
      })),
    );
  });
}
