#!/usr/bin/env node
// Builds the native addon (build/Release/cvc_compute.node) with npm's bundled node-gyp against
// the Node headers installed next to this node binary: no downloads. Run by the root
// `postinstall`, so it never fails an install: without a toolchain it warns and exits 0
// (pass --strict to fail instead). The runtime then falls back to the wasm backend.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');

function giveUp(reason) {
  console.warn(`@cvc/compute: native addon not built: ${reason}. Training will use the next backend (wasm).`);
  process.exit(strict ? 1 : 0);
}

function has(cmd, args = ['--version']) {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.status === 0;
}

const cxx = process.env.CXX || 'g++';
if (!has(cxx)) giveUp(`C++ compiler '${cxx}' not found`);
if (!has('make')) giveUp("'make' not found");
if (!has('python3')) giveUp("'python3' not found (node-gyp needs it)");

// Local headers: <prefix>/include/node/node_api.h for <prefix>/bin/node (Debian, nvm, official tarballs).
const nodedir = process.env.npm_config_nodedir || resolve(dirname(process.execPath), '..');
if (!existsSync(join(nodedir, 'include', 'node', 'node_api.h'))) {
  giveUp(`Node headers not found under ${nodedir}/include/node (set npm_config_nodedir)`);
}

function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed as a package: fine
  }
  return candidates.find((p) => p && existsSync(p));
}
const gyp = findNodeGyp();
if (!gyp) giveUp('node-gyp not found (it ships with npm)');

const t0 = Date.now();
const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`, '-j', 'max'], {
  cwd: pkgDir, encoding: 'utf8', env: { ...process.env, npm_config_nodedir: nodedir },
});
if (r.status !== 0) {
  const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
  console.warn(tail);
  giveUp(`node-gyp failed (exit ${r.status})`);
}
console.log(`@cvc/compute: native addon built in ${((Date.now() - t0) / 1000).toFixed(1)} s (${join(pkgDir, 'build/Release/cvc_compute.node')})`);
