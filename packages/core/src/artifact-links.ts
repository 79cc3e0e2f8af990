// Catalog paths are normalised when the pipeline file is read (pipeline-file.ts), so their text
// cannot leave artifacts/<stage>/. A symbolic link on the way can: `artifacts/data-prep` or a
// file inside an artifact pointing at /tmp would make a stage read (or a reader trust) bytes
// from outside the workspace. Rule: every real location of an artifact, and of each entry in it,
// lies inside `<real artifacts folder>/<producing stage>/`. The artifacts folder itself may be a
// link (to another disk); a link below it that leads out of its stage's folder is refused.
import { existsSync, lstatSync, readdirSync, realpathSync, readlinkSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Pipeline } from './pipeline-file.ts';

export class ArtifactLinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArtifactLinkError';
  }
}

const inside = (path: string, folder: string): boolean => path === folder || path.startsWith(folder + sep);

/** Where a link points, for the message (its text, and its real target when it resolves). */
function describeLink(path: string): string {
  const text = readlinkSync(path);
  let real: string | undefined;
  try {
    real = realpathSync(path);
  } catch {
    real = undefined;
  }
  return real && real !== text ? `${text} (${real})` : real ? text : `${text} (broken)`;
}

/** Symbolic links under `path` (itself included), not followed; a folder reached through a link is not walked. */
function linksIn(path: string): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    const stat = lstatSync(p);
    if (stat.isSymbolicLink()) out.push(p);
    else if (stat.isDirectory()) for (const name of readdirSync(p).sort()) walk(join(p, name));
  };
  if (existsSync(path) || isLink(path)) walk(path);
  return out;
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Throws an ArtifactLinkError naming the link if artifact `name` (produced by `producer`) is, is
 * reached through, or contains a symbolic link whose target is outside artifacts/<producer>/.
 */
export function assertArtifactInside(pipeline: Pipeline, name: string, producer: string): void {
  const artifactsDir = join(pipeline.root, 'artifacts');
  if (!existsSync(artifactsDir)) return;
  const allowed = join(realpathSync(artifactsDir), producer);
  const path = join(pipeline.root, pipeline.artifacts[name]!.path);
  // The folders between artifacts/ and the artifact, then the artifact's own tree.
  const parts = relative(artifactsDir, path).split(sep);
  const candidates = parts.slice(0, -1).map((_, i) => join(artifactsDir, ...parts.slice(0, i + 1)));
  const links = [...candidates.filter(isLink), ...linksIn(path)];
  for (const link of links) {
    let real: string | undefined;
    try {
      real = realpathSync(link);
    } catch {
      real = undefined; // broken: leads nowhere we can check
    }
    if (real === undefined || !inside(real, allowed)) {
      throw new ArtifactLinkError(
        `${relative(pipeline.root, link)}: symbolic link to ${describeLink(link)}, outside artifacts/${producer}/ ` +
          `(artifact "${name}"). Stages read and write artifacts only inside the workspace: remove the link ` +
          `(the producing stage writes a real folder in its place).`,
      );
    }
  }
}

/** assertArtifactInside for every input and output of a stage. */
export function assertStageArtifactsInside(pipeline: Pipeline, stage: { name: string; deps: string[]; outs: string[] }): void {
  for (const name of [...stage.deps, ...stage.outs]) {
    const producer = pipeline.stages.find((s) => s.outs.includes(name))?.name ?? stage.name;
    assertArtifactInside(pipeline, name, producer);
  }
}
