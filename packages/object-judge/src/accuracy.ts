// Top-1 accuracy of k-way scores against labels, overall and per true class, with what each class
// is mistaken for (e.g. test clocks called "frog").

export interface ClassAccuracy {
  count: number;
  top1: number;
  /** Predicted class name → how many images of this class got it (the class itself included). */
  predicted: Record<string, number>;
}

export interface AccuracyReport {
  count: number;
  top1: number;
  perClass: Record<string, ClassAccuracy>;
}

const r4 = (v: number) => Number(v.toFixed(4));

/** Index of the largest score in each row of `scores` ([n, k] row-major); ties go to the lower index. */
export function argmaxRows(scores: Float32Array, k: number): number[] {
  const n = scores.length / k;
  return Array.from({ length: n }, (_, i) => {
    let best = 0;
    for (let c = 1; c < k; c++) if (scores[i * k + c]! > scores[i * k + best]!) best = c;
    return best;
  });
}

/** `classNames[c]` names score column c; `labels` are column indices. Classes without images are left out of perClass. */
export function accuracyReport(scores: Float32Array, labels: number[], classNames: readonly string[]): AccuracyReport {
  const k = classNames.length;
  if (scores.length !== labels.length * k) throw new Error(`accuracyReport: ${scores.length} scores for ${labels.length} labels × ${k} classes`);
  const predicted = argmaxRows(scores, k);
  const perClass: Record<string, ClassAccuracy> = {};
  let hits = 0;
  labels.forEach((label, i) => {
    const name = classNames[label]!;
    const entry = (perClass[name] ??= { count: 0, top1: 0, predicted: {} });
    entry.count++;
    const as = classNames[predicted[i]!]!;
    entry.predicted[as] = (entry.predicted[as] ?? 0) + 1;
    if (predicted[i] === label) { entry.top1++; hits++; }
  });
  for (const entry of Object.values(perClass)) {
    entry.top1 = r4(entry.top1 / entry.count);
    // Most frequent first, names alphabetical among equals: stable output.
    entry.predicted = Object.fromEntries(Object.entries(entry.predicted).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
  }
  return { count: labels.length, top1: labels.length ? r4(hits / labels.length) : 0, perClass: Object.fromEntries(classNames.filter((c) => perClass[c]).map((c) => [c, perClass[c]!])) };
}
