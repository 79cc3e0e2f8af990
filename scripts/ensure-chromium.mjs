#!/usr/bin/env node
// `npm test` runs this first (the pretest script): the report's page test opens the page in
// headless Chromium, Debian's package at /usr/bin/chromium (CVC_CHROMIUM names another binary).
// Missing, it is installed with apt-get when this runs as root on a Debian-like system (never a
// browser downloaded from elsewhere); otherwise it says what to run and fails.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const chromium = process.env.CVC_CHROMIUM || '/usr/bin/chromium';
const say = (line) => process.stderr.write(`ensure-chromium: ${line}\n`);

if (existsSync(chromium)) process.exit(0);
if (process.env.CVC_CHROMIUM) {
  say(`CVC_CHROMIUM=${chromium}: no such file; point it at a Chromium or Chrome binary, or unset it to use Debian's /usr/bin/chromium`);
  process.exit(1);
}
const apt = ['/usr/bin/apt-get', '/bin/apt-get'].find((p) => existsSync(p));
const root = typeof process.getuid === 'function' && process.getuid() === 0;
if (!apt || !root) {
  say(`the report's page test needs Chromium at ${chromium} and it is not there.`);
  say(apt ? 'install Debian\'s package (as root): sudo apt-get update && sudo apt-get install -y chromium' : 'no apt-get here: install Chromium with your system\'s package manager and set CVC_CHROMIUM=/path/to/chromium');
  process.exit(1);
}
say(`installing Debian's chromium for the report's page test: apt-get update && apt-get install -y chromium`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', 'chromium']]) {
  const run = spawnSync(apt, args, { stdio: ['ignore', 'inherit', 'inherit'], env });
  if (run.status !== 0) {
    say(`apt-get ${args.join(' ')} failed (exit ${run.status ?? run.signal}); install chromium by hand, or set CVC_CHROMIUM`);
    process.exit(1);
  }
}
if (!existsSync(chromium)) {
  say(`apt-get installed chromium, but ${chromium} is still missing; set CVC_CHROMIUM to its path`);
  process.exit(1);
}
say(`installed: ${chromium}`);
