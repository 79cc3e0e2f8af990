// Reading a folder laid out as <root>/<class name>/<image files> (list-data-folder.ts says which
// files count), with errors that name every folder or file at fault, not only the first.
import { join } from 'node:path';
import { decodeToRgb } from '@cvc/core';
import { listDataFolder } from './list-data-folder.ts';

export interface LabelledImages {
  /** [N, size, size, 3] interleaved RGB. */
  images: Uint8Array;
  labels: number[];
  /** Paths relative to the data folder, e.g. "clock/clock.1.png". */
  files: string[];
  classNames: string[];
}

export function countClassFolderFiles(root: string): number {
  return listDataFolder(root).filesByClass.reduce((n, files) => n + files.length, 0);
}

/** One error for all bad files of a data folder. */
function badFilesError(root: string, total: number, bad: string[]): Error {
  return new Error(`${root}: ${bad.length} of ${total} file${total === 1 ? ' is' : 's are'} not usable images:\n${bad.map((b) => `  ${b}`).join('\n')}`);
}

/** Decode every image of every class folder, `concurrency` at a time, in a stable order; `warn` gets what is skipped or odd. */
export async function readClassFolders(root: string, size: number, onImage: () => void = () => {}, concurrency = 8, warn: (message: string) => void = () => {}): Promise<LabelledImages> {
  const { classNames, filesByClass, badEntries, warnings } = listDataFolder(root);
  warnings.forEach(warn);
  const files = filesByClass.flat();
  const labels = filesByClass.flatMap((list, label) => list.map(() => label));
  const bytesPerImage = size * size * 3;
  const images = new Uint8Array(files.length * bytesPerImage);
  const failed = new Map<number, string>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const index = next++;
      try {
        images.set(await decodeToRgb(join(root, files[index]!), size), index * bytesPerImage);
      } catch (err) {
        failed.set(index, (err as Error).message);
      }
      onImage();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  const bad = [...badEntries, ...[...failed.keys()].sort((a, b) => a - b).map((i) => failed.get(i)!)];
  if (bad.length > 0) throw badFilesError(root, files.length + badEntries.length, bad);
  return { images, labels, files, classNames };
}
