// Progress for long work that is not a training loop (decoding, embedding, sampling): a live bar
// on a terminal, plain lines (every ~10%) in logs and CI. Training loops use training-plan.ts.
import { bar, createStageOutput, humanSeconds, type StageOutput } from './terminal.ts';

export interface Progress {
  /** Advance by `n` and optionally show a short status (e.g. "loss 0.31"). */
  tick(n?: number, status?: string): void;
  done(status?: string): void;
}

export function createProgress(label: string, total: number, out: StageOutput = createStageOutput()): Progress {
  let value = 0;
  let lastDecile = -1;
  let lastLine = -1;
  const started = Date.now();
  const seconds = () => (Date.now() - started) / 1000;
  const line = (status: string) => {
    lastLine = value;
    out.line(`${label} ${value}/${total} ${seconds().toFixed(1)}s${status ? ` ${status}` : ''}`);
  };
  return {
    tick(n = 1, status = '') {
      value += n;
      if (out.interactive) {
        const fraction = total > 0 ? value / total : 1;
        const eta = fraction > 0 ? seconds() * (1 / fraction - 1) : NaN;
        out.status(`${label} ${bar(fraction)} ${value}/${total} ETA ${humanSeconds(eta)}${status ? ` ${status}` : ''}`);
        return;
      }
      const decile = total > 0 ? Math.floor((value / total) * 10) : 10;
      if (decile !== lastDecile) {
        lastDecile = decile;
        line(status);
      }
    },
    done(status = '') {
      value = total;
      out.clearStatus();
      if (status || lastLine !== total) line(status);
    },
  };
}
