// The files `cvc classify` is given: files as they are, folders walked (hidden entries skipped);
// a file under a class-named top-level subfolder is labelled with that class.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { ImageEntry } from '@cvc/vision/classify';

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.'))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Files to classify, labelled by a top-level class subfolder where there is one. */
export function collectImages(paths: string[], classes: string[]): ImageEntry[] {
  return paths.flatMap((path): ImageEntry[] => {
    if (!existsSync(path)) return [{ file: path }]; // reported as unreadable when classified
    if (!statSync(path).isDirectory()) return [{ file: path }];
    return walk(path).map((file) => {
      const top = relative(path, file).split(sep)[0]!;
      const label = classes.indexOf(top);
      return label >= 0 && top !== relative(path, file) ? { file, label } : { file };
    });
  });
}
