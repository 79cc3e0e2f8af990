// Classifying image files with a saved classifier (the engine of `cvc classify`): decode,
// normalise with the model's own statistics, logits (with its test-time views), temperature.
import { decodeToRgb } from '@cvc/core';
import type { ClassifierModel } from './classifier-model.ts';
import { normalizeImages } from './normalize.ts';
import { predictLogits } from './predict.ts';

export interface ImageEntry {
  file: string;
  /** Class index when the file sits under a class-named folder of a given folder. */
  label?: number;
}

export interface Classified {
  file: string;
  label: string;
  pCrocodile: number;
  trueLabel?: string;
}

/** Classify `entries` in batches; a file that cannot be read is passed to `onError` and skipped. */
export async function classifyImages(
  classifier: ClassifierModel,
  entries: ImageEntry[],
  onResult: (result: Classified) => void,
  onError: (file: string, error: Error) => void,
  batchSize = 64,
): Promise<void> {
  const { classes, inputSize: size, normalization, temperature, tta, ttaShift } = classifier.metadata;
  for (let start = 0; start < entries.length; start += batchSize) {
    const decoded: { entry: ImageEntry; rgb: Uint8Array }[] = [];
    for (const entry of entries.slice(start, start + batchSize)) {
      try {
        decoded.push({ entry, rgb: await decodeToRgb(entry.file, size) });
      } catch (err) {
        onError(entry.file, err as Error);
      }
    }
    if (decoded.length === 0) continue;
    const pixels = new Uint8Array(decoded.length * size * size * 3);
    decoded.forEach((d, i) => pixels.set(d.rgb, i * size * size * 3));
    const logits = await predictLogits(classifier.logits, normalizeImages(pixels, normalization), size, decoded.map((_, i) => i), { tta, shift: ttaShift });
    decoded.forEach(({ entry }, i) => {
      const p = 1 / (1 + Math.exp(-logits[i]! / temperature));
      onResult({
        file: entry.file,
        label: classes[p > 0.5 ? 1 : 0]!,
        pCrocodile: p,
        ...(entry.label !== undefined ? { trueLabel: classes[entry.label]! } : {}),
      });
    });
  }
}
