// `npm run fetch-data` (also run by `npm install`'s postinstall): puts the pinned CIFAR-10 tarball
// at <workspace>/data/ (git-ignored) for the pretrain stage. Idempotent: a verified copy is kept.
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCifar10 } from '../src/fetch.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const { path, fetched } = await ensureCifar10(join(root, 'data'), undefined, (m) => console.error(m));
console.error(`${relative(root, path)}: ${fetched ? 'fetched and verified' : 'present and verified'}`);
