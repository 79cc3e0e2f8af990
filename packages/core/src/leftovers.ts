// What an interrupted stage leaves behind, and how it goes away.
//
// A stage builds its outputs in artifacts/.tmp/<stage>-<pid>/ and holds artifacts/.locks/<stage>.json.
// On Ctrl-C, SIGTERM or kill -9 the process ends without running its `finally`. Why not a
// process.on('SIGINT') handler: Node runs it only when the event loop turns, and a training loop
// awaits only already-resolved promises (tfjs cpu reads), so the handler — and the exit — would wait
// for the whole training to end; kill -9 runs nothing at all. Instead each run starts a small
// watcher process holding one end of a pipe: when the stage process ends in any way, the pipe
// closes and the watcher removes that run's temp folder and lock (it ignores the terminal's
// signals and runs in its own session, so Ctrl-C does not stop it first). Should the watcher be
// killed too, the next run sweeps temp folders of processes that no longer exist.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { processAlive } from './stage-run-lock.ts';

/** The watcher: removes argv[1] (a folder) and argv[2] (a lock file, only while it holds `pid` argv[3]) when stdin closes without "done". */
const WATCHER = `
const { readFileSync, rmSync } = require('node:fs');
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => {});
const [dir, lock, pid] = process.argv.slice(1);
let said = '';
process.stdin.on('data', (d) => { said += d; });
process.stdin.on('close', () => {
  if (said.includes('done')) process.exit(0);
  rmSync(dir, { recursive: true, force: true });
  try { if (JSON.parse(readFileSync(lock, 'utf8')).pid === Number(pid)) rmSync(lock, { force: true }); } catch {}
  process.exit(0);
});
`;

/**
 * Start a watcher that removes `tempDir` and `lockFile` if this process ends before the returned
 * function is called. Call it once the run has cleaned up after itself (success or failure).
 */
export function cleanUpIfKilled(tempDir: string, lockFile: string): () => void {
  const child = spawn(process.execPath, ['-e', WATCHER, tempDir, lockFile, String(process.pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  child.on('error', () => {}); // no watcher: the next run's sweep is the fallback
  const stdin = child.stdin as Socket;
  stdin.on('error', () => {});
  // Neither the child nor its pipe keeps this process alive.
  child.unref();
  stdin.unref();
  let finished = false;
  return () => {
    if (finished) return;
    finished = true;
    stdin.end('done\n');
  };
}

const TEMP_NAME = /^(.+)-(\d+)$/;
const OLD_NAME = /^(.+)\.old-(\d+)$/;
const LOCK_ASIDE_NAME = /^(.+\.json)\.(\d+)$/;

/**
 * Remove temp folders (artifacts/.tmp/<stage>-<pid>), half-swapped old folders
 * (artifacts/<stage>.old-<pid>) and half-made run locks (artifacts/.locks/<stage>.json.<pid>)
 * whose process no longer exists. Returns the removed paths, relative to `root`.
 */
export function sweepLeftovers(root: string): string[] {
  const removed: string[] = [];
  const sweep = (dir: string, pattern: RegExp, rel: string): void => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const match = pattern.exec(name);
      if (!match || processAlive(Number(match[2]))) continue;
      rmSync(join(dir, name), { recursive: true, force: true });
      removed.push(`${rel}${name}`);
    }
  };
  sweep(join(root, 'artifacts', '.tmp'), TEMP_NAME, 'artifacts/.tmp/');
  sweep(join(root, 'artifacts'), OLD_NAME, 'artifacts/');
  sweep(join(root, 'artifacts', '.locks'), LOCK_ASIDE_NAME, 'artifacts/.locks/');
  return removed;
}
