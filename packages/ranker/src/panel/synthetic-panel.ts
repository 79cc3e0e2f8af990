// A synthetic panel over the synthetic embeddings (scorers/synthetic.ts), for tests: every member
// sees the class axis through its own noise, p = sigmoid(1.2·x0 + noise); the far outliers are
// atypical, and every member is unsure about them (p ≈ 0.5), as real models are about images unlike
// anything they trained on.
import { createRng } from '@cvc/core';
import type { SyntheticSet } from '../scorers/synthetic.ts';
import type { Panel } from './panel.ts';

export function syntheticPanel(set: SyntheticSet, opts: { members?: number; noise?: number; seed?: number } = {}): Panel {
  const members = opts.members ?? 4;
  const noise = opts.noise ?? 0.6;
  const rng = createRng(opts.seed ?? 11);
  const outliers = new Set(set.outliers);
  const n = set.labels.length;
  const names = Array.from({ length: members }, (_, m) => `m${m}`);
  const p = names.map(() =>
    Float64Array.from({ length: n }, (_, i) => {
      if (outliers.has(i)) return 0.5 + 0.02 * rng.normal();
      const x0 = set.features.data[i * set.features.dim]!;
      return 1 / (1 + Math.exp(-(1.2 * x0 + noise * rng.normal())));
    }),
  );
  return { members: names, p, descriptions: Object.fromEntries(names.map((m) => [m, `synthetic member ${m}`])) };
}

/** Folds 0 … folds − 1 in turn, every (folds + 1)-th image a test image (null). */
export function syntheticFolds(n: number, folds = 5): (number | null)[] {
  return Array.from({ length: n }, (_, i) => (i % (folds + 1) === folds ? null : i % (folds + 1)));
}
