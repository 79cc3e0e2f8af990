// The same picture twice: in two classes it is trained on with both labels (and may sit in train
// and test at once); twice in one class it counts double. Found by the sha256 of the decoded
// pixels, i.e. what the models see, so a PNG and its re-save as another PNG match too.
import { createHash } from 'node:crypto';

export type DuplicatePolicy = 'refuse' | 'warn';

export interface Duplicates {
  /** Groups of image indices with equal pixels and more than one label. */
  acrossClasses: number[][];
  /** Groups of image indices with equal pixels, all of one label. */
  withinClass: number[][];
}

/** images: [N, size, size, 3]; groups in order of their first image. */
export function findDuplicates(images: Uint8Array, count: number, labels: number[]): Duplicates {
  const bytes = images.length / Math.max(1, count);
  const groups = new Map<string, number[]>();
  for (let i = 0; i < count; i++) {
    const hash = createHash('sha256').update(images.subarray(i * bytes, (i + 1) * bytes)).digest('hex');
    const group = groups.get(hash);
    if (group) group.push(i);
    else groups.set(hash, [i]);
  }
  const repeated = [...groups.values()].filter((g) => g.length > 1);
  const mixed = (g: number[]): boolean => g.some((i) => labels[i] !== labels[g[0]!]);
  return { acrossClasses: repeated.filter(mixed), withinClass: repeated.filter((g) => !mixed(g)) };
}

const describe = (groups: number[][], files: string[]): string => groups.map((g) => `  ${g.map((i) => files[i]).join(' = ')}`).join('\n');

/**
 * Apply the policy: duplicates across classes throw (refuse) or are warned about (warn);
 * duplicates within a class are always a warning.
 */
export function checkDuplicates(
  where: string,
  loaded: { images: Uint8Array; labels: number[]; files: string[] },
  policy: DuplicatePolicy,
  warn: (message: string) => void,
): Duplicates {
  const found = findDuplicates(loaded.images, loaded.files.length, loaded.labels);
  const { acrossClasses, withinClass } = found;
  if (acrossClasses.length > 0) {
    const head = `${where}: ${acrossClasses.length} image${acrossClasses.length === 1 ? ' is' : 's are'} in more than one class (same pixels), so training would see ${acrossClasses.length === 1 ? 'it' : 'each'} with both labels:\n${describe(acrossClasses, loaded.files)}`;
    if (policy === 'refuse') {
      throw new Error(`${head}\nRemove the copy in the wrong class, or set stages.data-prep.params.duplicates: warn to keep both.`);
    }
    warn(`${head}\nKept (stages.data-prep.params.duplicates: warn).`);
  }
  if (withinClass.length > 0) {
    warn(`${where}: ${withinClass.length} image${withinClass.length === 1 ? ' appears' : 's appear'} more than once in one class (same pixels; counted more than once, and may land in both train and test):\n${describe(withinClass, loaded.files)}`);
  }
  return found;
}
