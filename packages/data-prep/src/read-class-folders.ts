// Reading a folder laid out as <root>/<class name>/<image files>, with errors that name the
// folder or file at fault.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeToRgb } from '@cvc/core';

export interface LabelledImages {
  /** [N, size, size, 3] interleaved RGB. */
  images: Uint8Array;
  labels: number[];
  /** Paths relative to the data folder, e.g. "clock/clock.1.png". */
  files: string[];
  classNames: string[];
}

const byNaturalOrder = new Intl.Collator('en', { numeric: true }).compare;
const visible = (name: string): boolean => !name.startsWith('.');

export function listClassFolders(root: string): { classNames: string[]; filesByClass: string[][] } {
  if (!existsSync(root)) throw new Error(`${root}: data folder not found`);
  if (!statSync(root).isDirectory()) throw new Error(`${root}: not a folder (expected one subfolder per class)`);
  const classNames = readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && visible(e.name))
    .map((e) => e.name)
    .sort(byNaturalOrder);
  if (classNames.length < 2) {
    throw new Error(`${root}: found ${classNames.length} class folder${classNames.length === 1 ? ` (${classNames[0]})` : 's'}; need at least 2, one subfolder per class`);
  }
  const filesByClass = classNames.map((name) => {
    const folder = join(root, name);
    const files = readdirSync(folder, { withFileTypes: true })
      .filter((e) => e.isFile() && visible(e.name))
      .map((e) => e.name)
      .sort(byNaturalOrder);
    if (files.length === 0) throw new Error(`${folder}: class folder has no images`);
    return files.map((file) => `${name}/${file}`);
  });
  return { classNames, filesByClass };
}

export function countClassFolderFiles(root: string): number {
  return listClassFolders(root).filesByClass.reduce((n, files) => n + files.length, 0);
}

/** Decode every image of every class folder, `concurrency` at a time, in a stable order. */
export async function readClassFolders(root: string, size: number, onImage: () => void = () => {}, concurrency = 8): Promise<LabelledImages> {
  const { classNames, filesByClass } = listClassFolders(root);
  const files = filesByClass.flat();
  const labels = filesByClass.flatMap((list, label) => list.map(() => label));
  const bytesPerImage = size * size * 3;
  const images = new Uint8Array(files.length * bytesPerImage);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const index = next++;
      images.set(await decodeToRgb(join(root, files[index]!), size), index * bytesPerImage);
      onImage();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  return { images, labels, files, classNames };
}
