// Where a stage's messages go: permanent lines (logs, one line per epoch) and, when a person
// watches a terminal, one transient status line (a progress bar) redrawn in place below them.
//
// Under `nx run` a stage's stderr is a pipe even when the user sits at a terminal: Nx streams it
// unchanged to its own output (output style `stream-without-prefixes`, set in the workspace's
// .env), so the bar is drawn when the nx process's own output is a terminal. Anything else
// (a log file, CI, `--output-style=stream` which prefixes every line) gets plain lines only.
import { openSync, readlinkSync } from 'node:fs';
import { WriteStream } from 'node:tty';
import { nxAncestorArgv } from './profile-choice.ts';

/** Force plain lines (`lines`) or bars (`bars`); unset: detect. */
export const PROGRESS_ENV = 'CVC_PROGRESS';
/** Redraw the status line at most this often: frames also land in Nx's stored task output. */
const STATUS_INTERVAL_MS = 500;

export interface StageOutput {
  /** True when a status line is drawn (a terminal is watching). */
  readonly interactive: boolean;
  /** A permanent line. */
  line(text: string): void;
  /** Replace the status line (ignored when not interactive; throttled unless `force`). */
  status(text: string, force?: boolean): void;
  /** Remove the status line (before the process goes on with other output). */
  clearStatus(): void;
}

/** The value of `--output-style` in an nx argv, if any. */
export function outputStyleFlag(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const eq = /^--output-?[sS]tyle=(.*)$/.exec(argv[i]!);
    if (eq) return eq[1];
    if (argv[i] === '--output-style' || argv[i] === '--outputStyle') return argv[i + 1];
  }
  return undefined;
}

/** Columns of the terminal a stream (or the nx process running this one) writes to; null: no terminal. */
export function terminalColumns(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env, proc = '/proc'): number | null {
  if (env[PROGRESS_ENV] === 'lines') return null;
  if (stream.isTTY) return stream.columns || 100;
  if (env[PROGRESS_ENV] === 'bars') return Number(env.COLUMNS) || 100;
  const nxPid = Number((env.NX_INVOCATION_ANCESTOR_PIDS ?? '').split(',')[0]);
  if (!Number.isInteger(nxPid) || nxPid <= 0) return null;
  const argv = nxAncestorArgv(proc);
  const style = (argv && outputStyleFlag(argv)) ?? env.NX_DEFAULT_OUTPUT_STYLE;
  if (style !== 'stream-without-prefixes') return null;
  let device: string;
  try {
    device = readlinkSync(`${proc}/${nxPid}/fd/1`);
  } catch {
    return null;
  }
  if (!/^\/dev\/(pts\/\d+|tty\w*)$/.test(device)) return null;
  try {
    const tty = new WriteStream(openSync(device, 'w'));
    const columns = tty.columns;
    tty.destroy();
    return columns || 100;
  } catch {
    return 100;
  }
}

export function createStageOutput(stream: NodeJS.WriteStream = process.stderr, columns: number | null = terminalColumns(stream)): StageOutput {
  let shown = '';
  let lastDraw = 0;
  const width = Math.max(20, (columns ?? 100) - 1); // never wrap: a wrapped line cannot be redrawn with \r
  const draw = (text: string) => {
    shown = text.length > width ? `${text.slice(0, width - 1)}…` : text;
    stream.write(`\r${shown}\x1b[K`);
    lastDraw = Date.now();
  };
  return {
    interactive: columns !== null,
    line(text) {
      if (columns !== null && shown) {
        stream.write(`\r\x1b[K${text}\n`);
        stream.write(`${shown}\x1b[K`);
      } else {
        stream.write(`${text}\n`);
      }
    },
    status(text, force = false) {
      if (columns === null) return;
      if (!force && Date.now() - lastDraw < STATUS_INTERVAL_MS) return;
      draw(text);
    },
    clearStatus() {
      if (columns !== null && shown) stream.write('\r\x1b[K');
      shown = '';
    },
  };
}

/** `[#######-------]` for a fraction in [0, 1]. */
export function bar(fraction: number, width = 20): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/** 45 s, 6 min, 1 h 12 min. */
export function humanSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
