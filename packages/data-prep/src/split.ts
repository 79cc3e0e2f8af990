// Seeded, stratified split into train / validation / test, and k folds over train ∪ validation.
// Pure: labels and an RNG in, index lists out.
import { type DatasetSplits, type Rng, shuffled } from '@cvc/core';

export interface SplitFractions {
  validation: number;
  test: number;
}

export function stratifiedSplit(labels: readonly number[], classNames: readonly string[], fractions: SplitFractions, folds: number, rng: Rng): DatasetSplits {
  const train: number[] = [];
  const validation: number[] = [];
  const test: number[] = [];
  const foldLists: number[][] = Array.from({ length: folds }, () => []);
  let foldCursor = 0; // continues across classes so fold sizes differ by at most one
  classNames.forEach((name, label) => {
    const members = shuffled(
      labels.flatMap((l, i) => (l === label ? [i] : [])),
      rng,
    );
    const nTest = Math.round(members.length * fractions.test);
    const nValidation = Math.round(members.length * fractions.validation);
    const nTrain = members.length - nTest - nValidation;
    if (nTrain < 1 || (fractions.test > 0 && nTest < 1) || (fractions.validation > 0 && nValidation < 1) || nTrain + nValidation < folds) {
      throw new Error(
        `class "${name}" has ${members.length} images: too few for test ${fractions.test}, validation ${fractions.validation} and ${folds} folds`,
      );
    }
    test.push(...members.slice(0, nTest));
    validation.push(...members.slice(nTest, nTest + nValidation));
    train.push(...members.slice(nTest + nValidation));
    for (const index of members.slice(nTest)) {
      foldLists[foldCursor % folds]!.push(index);
      foldCursor++;
    }
  });
  const ascending = (list: number[]): number[] => list.sort((a, b) => a - b);
  return {
    train: ascending(train),
    validation: ascending(validation),
    test: ascending(test),
    folds: foldLists.map(ascending),
  };
}
