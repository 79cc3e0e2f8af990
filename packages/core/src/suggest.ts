// "Did you mean …?" for names a user typed: the closest known name by edit distance, if close.
import { distance } from 'fastest-levenshtein';

/** The known name nearest to `typed`, when it is within a third of its length in edits (else undefined). */
export function nearestName(typed: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const d = distance(typed.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.ceil(typed.length / 3)) ? best : undefined;
}

/** " (did you mean x?)" or "". */
export function didYouMean(typed: string, known: readonly string[]): string {
  const near = nearestName(typed, known);
  return near ? ` (did you mean "${near}"?)` : '';
}
