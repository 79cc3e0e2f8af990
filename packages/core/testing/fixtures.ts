// Test fixtures shared by the packages' specs: tiny image folders and throw-away workspaces.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createRng } from '../src/random.ts';

const createdDirs: string[] = [];

/** Remove every folder `tempDir` made (called after each spec file by vitest's setup file). */
export function removeTempDirs(): void {
  for (const dir of createdDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A fresh folder under the OS temp dir, removed after the spec file that made it. */
export function tempDir(prefix = 'cvc-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  createdDirs.push(dir);
  return dir;
}

/**
 * A throw-away workspace holding `pipelines/test.yaml`, for running stages with `runStage`.
 * `pipeline` gets the workspace root, so stage packages can be given relative to it.
 */
export function testWorkspace(prefix: string, pipeline: (root: string) => string[]): { root: string; pipelineFile: string } {
  const root = tempDir(prefix);
  mkdirSync(join(root, 'pipelines'));
  const pipelineFile = join(root, 'pipelines', 'test.yaml');
  writeFileSync(pipelineFile, pipeline(root).join('\n'));
  return { root, pipelineFile };
}

/** A solid-ish RGB image with seeded noise around `rgb`, as PNG or JPEG bytes. */
export async function noiseImage(rgb: [number, number, number], opts: { size?: number; seed?: number; format?: 'png' | 'jpeg'; channels?: 1 | 3 | 4 } = {}): Promise<Buffer> {
  const size = opts.size ?? 32;
  const channels = opts.channels ?? 3;
  const rng = createRng(opts.seed ?? 1);
  const data = Buffer.alloc(size * size * channels);
  for (let p = 0; p < size * size; p++) {
    for (let c = 0; c < channels; c++) {
      const base = c < 3 ? rgb[c]! : 255;
      data[p * channels + c] = Math.max(0, Math.min(255, Math.round(base + (rng.next() - 0.5) * 40)));
    }
  }
  const image = sharp(data, { raw: { width: size, height: size, channels } });
  return opts.format === 'jpeg' ? image.jpeg().toBuffer() : image.png().toBuffer();
}

/** Write `<root>/<class>/<class>.<i>.png` for each class: `perClass` noisy images of the class colour. */
export async function writeClassFolders(root: string, classes: Record<string, [number, number, number]>, perClass: number): Promise<string> {
  for (const [name, rgb] of Object.entries(classes)) {
    mkdirSync(join(root, name), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      writeFileSync(join(root, name, `${name}.${i}.png`), await noiseImage(rgb, { seed: i + 1000 * name.length }));
    }
  }
  return root;
}
export { tinyDataset, writeTinyDataset } from './tiny-dataset.ts';
