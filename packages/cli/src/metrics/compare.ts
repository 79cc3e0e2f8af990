// What differs between two runs: param changes per stage (the notation `cvc status` uses), stages
// whose outputs changed without a param change (code or data), and every figure that moved.
import { paramChanges } from '@cvc/core/status';
import { type Figure, figureLabel, formatChange, formatFigure, verdict } from './figures.ts';
import type { RunState } from './runs.ts';

export interface ParamDiff {
  stage: string;
  key: string;
  before?: string;
  after?: string;
}

export interface FigureDiff {
  stage: string;
  name: string;
  before?: string;
  after?: string;
  /** "+1.8 pt", "new", "gone", "changed", or empty when equal. */
  change: string;
  /** "better", "worse" or "". */
  verdict: string;
}

export interface RunMeta {
  name: string;
  profile: string | null;
  experiment: string | null;
  takenAt: string | null;
}

export interface RunDiff {
  from: RunMeta;
  to: RunMeta;
  params: ParamDiff[];
  /** Stages whose artifacts differ though their params do not (code, data or upstream changed). */
  outputsChanged: string[];
  figures: FigureDiff[];
}

const key = (f: Pick<Figure, 'stage' | 'subject' | 'name'>) => `${f.stage}\u0000${figureLabel(f)}`;

export function diffRuns(stages: string[], before: RunState, beforeFigures: Figure[], after: RunState, afterFigures: Figure[]): RunDiff {
  const params: ParamDiff[] = [];
  const outputsChanged: string[] = [];
  for (const stage of stages) {
    const a = before.stages[stage];
    const b = after.stages[stage];
    const changes = paramChanges(a?.params ?? {}, b?.params ?? {});
    params.push(...changes.map((c) => ({ stage, ...c })));
    if (!changes.length && a?.outputs && b?.outputs && JSON.stringify(a.outputs) !== JSON.stringify(b.outputs)) outputsChanged.push(stage);
  }
  // A stage whose params and artifacts are the same in both runs was not remade between them: its
  // "run time" differs only because some later execution (or another machine's) was timed.
  const same = new Set(stages.filter((s) => !params.some((p) => p.stage === s) && !outputsChanged.includes(s) && before.stages[s]?.outputs && JSON.stringify(before.stages[s]?.outputs) === JSON.stringify(after.stages[s]?.outputs)));
  const beforeByKey = new Map(beforeFigures.map((f) => [key(f), f]));
  const afterByKey = new Map(afterFigures.map((f) => [key(f), f]));
  const order = [...afterFigures, ...beforeFigures.filter((f) => !afterByKey.has(key(f)))];
  const figures = order.map((f) => {
    const a = beforeByKey.get(key(f));
    const b = afterByKey.get(key(f));
    return {
      stage: f.stage,
      name: figureLabel(f),
      ...(a ? { before: formatFigure(a) } : {}),
      ...(b ? { after: formatFigure(b) } : {}),
      change: f.unit === 'seconds' && same.has(f.stage) ? '' : formatChange(f.unit, a?.value, b?.value),
      verdict: f.unit === 'seconds' && same.has(f.stage) ? '' : verdict(f, a?.value, b?.value),
    };
  });
  const meta = (s: RunState): RunMeta => ({ name: s.name, profile: s.profile, experiment: s.experiment, takenAt: s.takenAt });
  return { from: meta(before), to: meta(after), params, outputsChanged, figures };
}
