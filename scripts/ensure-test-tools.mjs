#!/usr/bin/env node
// `npm test` runs this first (the pretest script). Two tests need system packages that npm cannot
// bring: the report's page test opens the page in headless Chromium (Debian's package at
// /usr/bin/chromium; CVC_CHROMIUM names another binary), and the bench's twin test builds the
// PyTorch twins of the pipeline's networks (Debian's python3-torch). Missing, they are installed
// with apt-get when this runs as root on a Debian-like system (never a browser or wheel downloaded
// from elsewhere); otherwise it says what to run and fails.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const say = (line) => process.stderr.write(`ensure-test-tools: ${line}\n`);
const chromium = process.env.CVC_CHROMIUM || '/usr/bin/chromium';
// Debian's interpreter, as the bench runs it (packages/bench/src/twins.ts), not a pyenv shim on PATH.
const hasTorch = () => spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

if (process.env.CVC_CHROMIUM && !existsSync(chromium)) {
  say(`CVC_CHROMIUM=${chromium}: no such file; point it at a Chromium or Chrome binary, or unset it to use Debian's /usr/bin/chromium`);
  process.exit(1);
}
const needs = [
  { pkg: 'chromium', why: "the report's page test", present: () => existsSync(chromium), after: `${chromium} is still missing; set CVC_CHROMIUM to its path` },
  { pkg: 'python3-torch', why: "the bench's PyTorch twins test", present: hasTorch, after: "`/usr/bin/python3 -c \"import torch\"` still fails" },
];
const missing = needs.filter((n) => !n.present());
if (missing.length === 0) process.exit(0);

const names = missing.map((n) => n.pkg).join(' ');
const apt = ['/usr/bin/apt-get', '/bin/apt-get'].find((p) => existsSync(p));
const root = typeof process.getuid === 'function' && process.getuid() === 0;
if (!apt || !root) {
  for (const n of missing) say(`${n.why} needs Debian's ${n.pkg}, and it is not installed.`);
  say(apt ? `install (as root): sudo apt-get update && sudo apt-get install -y ${names}` : `no apt-get here: install ${names} with your system's package manager (Chromium: set CVC_CHROMIUM=/path/to/chromium)`);
  process.exit(1);
}
say(`installing Debian's ${names} for ${missing.map((n) => n.why).join(' and ')}: apt-get update && apt-get install -y ${names}`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', ...missing.map((n) => n.pkg)]]) {
  const run = spawnSync(apt, args, { stdio: ['ignore', 'inherit', 'inherit'], env });
  if (run.status !== 0) {
    say(`apt-get ${args.join(' ')} failed (exit ${run.status ?? run.signal}); install ${names} by hand${missing.some((n) => n.pkg === 'chromium') ? ', or set CVC_CHROMIUM' : ''}`);
    process.exit(1);
  }
}
const still = missing.filter((n) => !n.present());
for (const n of still) say(`apt-get installed ${n.pkg}, but ${n.after}`);
if (still.length > 0) process.exit(1);
say(`installed: ${names}`);
