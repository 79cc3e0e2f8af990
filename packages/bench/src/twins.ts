// Running a PyTorch twin: Debian's python3-torch (/usr/bin/python3), one JSON line on stdout.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { exportForTwin, repoRoot, type Images } from './data.ts';

export const PYTHON = '/usr/bin/python3';
export const TWINS_DIR = resolve(import.meta.dirname, '../twins');
/** The shared reference of ../shared/bench (the reference CNN's PyTorch side). */
export const TORCH_REFERENCE = resolve(repoRoot, '../shared/bench/torch_reference.py');

/** Why PyTorch cannot run here, or '' when it can. */
export function torchUnavailable(): string {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  if (spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0) return `${PYTHON} has no torch (apt-get install -y python3-torch)`;
  return '';
}

/** Run a script with arguments; its last stdout line parsed as JSON. */
export function runPython(script: string, args: string[]): Record<string, unknown> {
  const r = spawnSync(PYTHON, [script, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${PYTHON} ${script} failed (exit ${r.status}):\n${r.stderr}`);
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error(`${script}: expected a JSON line on stdout, got: ${line.slice(0, 200)}`);
  }
}

/** A workload's twin on the same images and labels (exported to a temp folder for it). */
export function runTwin(script: string, args: string[], data: Images, threads: number): Record<string, unknown> {
  const dir = exportForTwin(data);
  try {
    return runPython(join(TWINS_DIR, script), [...args, '--data', dir, '--threads', String(threads)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
