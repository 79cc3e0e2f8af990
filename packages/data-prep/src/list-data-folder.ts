// Which files a data folder <root>/<class name>/… holds, with nothing skipped silently:
// - symbolic links are followed (a linked image is read as the image it points to; a linked class
//   folder or subfolder is walked); a broken link is a bad file, reported with the others;
// - nested folders inside a class folder are walked, their images keep the class of the top folder
//   (listed as "clock/sub/x.png");
// - a link that leads back into a folder being walked (a loop) is an error naming both;
// - hidden entries (".DS_Store", ".git") are skipped, and so are files beside the class folders
//   (a README), which are named in a warning;
// - exactly BINARY_CLASSES class folders, because the classifier, ranker and generator downstream
//   model p(class 1) (refused here rather than an hour later in the classifier).
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Class count the downstream stages can use (a binary classifier's p(class 1)). */
export const BINARY_CLASSES = 2;

export interface DataFolderListing {
  classNames: string[];
  /** Per class, paths relative to the root ("clock/sub/x.png"), in natural order. */
  filesByClass: string[][];
  /** Entries that cannot be read as files (broken links), as "<path>: <why>". */
  badEntries: string[];
  /** Things a user should know that do not stop the run. */
  warnings: string[];
}

const byNaturalOrder = new Intl.Collator('en', { numeric: true }).compare;
const visible = (name: string): boolean => !name.startsWith('.');

/** stat through links; undefined for a broken link. */
function statFollowing(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Files under `folder` (relative to `root`), following links; `ancestors` are the real paths of the folders being walked. */
function walkClassFolder(root: string, rel: string, ancestors: string[], out: string[], bad: string[]): void {
  const folder = join(root, rel);
  const real = realpathSync(folder);
  const loop = ancestors.indexOf(real);
  if (loop >= 0) {
    throw new Error(`${folder}: symbolic link loop (it leads back to ${real}, which contains it); remove the link`);
  }
  const entries = readdirSync(folder).filter(visible).sort(byNaturalOrder);
  for (const name of entries) {
    const path = join(folder, name);
    const stat = statFollowing(path);
    if (!stat) {
      bad.push(`${path}: broken symbolic link (to a file that does not exist)`);
    } else if (stat.isDirectory()) {
      walkClassFolder(root, `${rel}/${name}`, [...ancestors, real], out, bad);
    } else if (stat.isFile()) {
      out.push(`${rel}/${name}`);
    } else {
      bad.push(`${path}: not a file or folder`);
    }
  }
}

export function listDataFolder(root: string): DataFolderListing {
  if (!existsSync(root)) throw new Error(`${root}: data folder not found`);
  if (!statSync(root).isDirectory()) throw new Error(`${root}: not a folder (expected one subfolder per class)`);
  const classNames: string[] = [];
  const strayFiles: string[] = [];
  const badEntries: string[] = [];
  for (const name of readdirSync(root).filter(visible).sort(byNaturalOrder)) {
    const path = join(root, name);
    const stat = statFollowing(path);
    if (!stat) badEntries.push(`${path}: broken symbolic link (expected a class folder)`);
    else if (stat.isDirectory()) classNames.push(name);
    else strayFiles.push(name);
  }
  if (classNames.length !== BINARY_CLASSES) {
    const found = classNames.length ? ` (${classNames.join(', ')})` : '';
    throw new Error(
      `${root}: found ${classNames.length} class folder${classNames.length === 1 ? '' : 's'}${found}; need exactly ${BINARY_CLASSES}, ` +
        'one subfolder per class (the classifier, ranker and generator are binary)',
    );
  }
  const rootReal = realpathSync(root);
  const filesByClass = classNames.map((name) => {
    const files: string[] = [];
    walkClassFolder(root, name, [rootReal], files, badEntries);
    if (files.length === 0 && !badEntries.some((b) => b.startsWith(join(root, name)))) throw new Error(`${join(root, name)}: class folder has no images`);
    return files;
  });
  const warnings = strayFiles.length
    ? [`${root}: ${strayFiles.length} file${strayFiles.length === 1 ? '' : 's'} beside the class folders not used (not in a class folder): ${strayFiles.join(', ')}`]
    : [];
  return { classNames, filesByClass, badEntries, warnings };
}
