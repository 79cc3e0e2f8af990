// One run of a stage at a time per workspace: two runs would build the same artifacts/<stage>/
// and swap it in over each other, and a reader of the half-swapped folder would fail with advice
// about the wrong stage. The lock is a file artifacts/.locks/<stage>.json holding the holder's pid,
// created atomically (written aside, then hard-linked into place, which fails if it exists).
// A lock whose process is gone (kill -9, a crash, a power cut) is stale and taken over.
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface StageLockHolder {
  pid: number;
  stage: string;
  startedAt: string;
  command: string;
}

export class StageBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StageBusyError';
  }
}

export function runLockFile(root: string, stage: string): string {
  return join(root, 'artifacts', '.locks', `${stage}.json`);
}

/** Whether process `pid` exists (on this machine). EPERM: it exists, owned by someone else. */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): StageLockHolder | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StageLockHolder;
  } catch {
    return undefined; // vanished or unreadable: treated as free below
  }
}

/**
 * Take the run lock of `stage` in the workspace at `root`, or throw a StageBusyError naming the
 * holder's pid. Returns the release function (idempotent; removes the file only while it is ours).
 */
export function acquireStageRunLock(root: string, stage: string, log: (message: string) => void = () => {}): () => void {
  const file = runLockFile(root, stage);
  mkdirSync(join(root, 'artifacts', '.locks'), { recursive: true });
  const holder: StageLockHolder = { pid: process.pid, stage, startedAt: new Date().toISOString(), command: process.argv.slice(1).join(' ') };
  const aside = `${file}.${process.pid}`;
  writeFileSync(aside, `${JSON.stringify(holder, null, 2)}\n`);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(aside, file);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw err;
      }
      const other = readHolder(file);
      if (other && processAlive(other.pid)) {
        throw new StageBusyError(
          `stage ${stage} is already running in this workspace (pid ${other.pid}, since ${other.startedAt}: ${other.command}). ` +
            `Two runs of one stage would write the same artifacts/${stage}/; wait for it to finish, or stop it (kill ${other.pid}). ` +
            `Lock: ${relative(root, file)}`,
        );
      }
      log(`removed a stale run lock of stage ${stage}${other ? ` (pid ${other.pid} is gone)` : ' (unreadable)'}`);
      rmSync(file, { force: true });
    }
  } finally {
    rmSync(aside, { force: true });
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (readHolder(file)?.pid === process.pid) rmSync(file, { force: true });
  };
}
