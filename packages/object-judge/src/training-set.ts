// The 12-way training set: CIFAR-10's images with labels 0..9, then the dataset's training-split
// images of each class with labels 10, 11, ..., each repeated so a class weighs about as much as a
// CIFAR-10 class. Validation and test images of the dataset are never included.
const IMAGE_BYTES = 32 * 32 * 3;

export interface LabelledImages {
  /** uint8 [n, 32, 32, 3] */
  images: Uint8Array;
  labels: number[];
}

export interface TwelveWaySet extends LabelledImages {
  /** Times each dataset class's training images appear, per dataset class. */
  repeats: number[];
}

/** Repeats for a class of `count` images to weigh about `target` images (at least 1). */
export const repeatsFor = (count: number, target: number): number => Math.max(1, Math.round(target / Math.max(1, count)));

/**
 * `extra`: the dataset's images with their class ids (0..k-1) and the indices to use (its training split).
 * `balance`: repeat each extra class up to the mean CIFAR-10 class size.
 */
export function twelveWaySet(cifar: LabelledImages, cifarClasses: number, extra: { images: Uint8Array; labels: number[]; indices: number[]; classes: number }, balance: boolean): TwelveWaySet {
  const perCifarClass = cifar.labels.length / cifarClasses;
  const byClass = Array.from({ length: extra.classes }, (_, c) => extra.indices.filter((i) => extra.labels[i] === c));
  const empty = byClass.findIndex((idx) => idx.length === 0);
  if (empty >= 0) throw new Error(`dataset class ${empty} has no training images: the 12-way judge needs examples of every class`);
  const repeats = byClass.map((idx) => (balance ? repeatsFor(idx.length, perCifarClass) : 1));
  const total = cifar.labels.length + byClass.reduce((s, idx, c) => s + idx.length * repeats[c]!, 0);
  const images = new Uint8Array(total * IMAGE_BYTES);
  images.set(cifar.images.subarray(0, cifar.labels.length * IMAGE_BYTES));
  const labels = cifar.labels.slice();
  let row = cifar.labels.length;
  byClass.forEach((idx, c) => {
    for (let r = 0; r < repeats[c]!; r++) {
      for (const i of idx) {
        images.set(extra.images.subarray(i * IMAGE_BYTES, (i + 1) * IMAGE_BYTES), row * IMAGE_BYTES);
        labels.push(cifarClasses + c);
        row++;
      }
    }
  });
  return { images, labels, repeats };
}
