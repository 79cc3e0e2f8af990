// Progress for long work: a live bar on a terminal, plain lines (every ~10%) in logs and CI.
import cliProgress from 'cli-progress';

export interface Progress {
  /** Advance by `n` and optionally show a short status (e.g. "loss 0.31"). */
  tick(n?: number, status?: string): void;
  done(status?: string): void;
}

export function createProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY && total > 0) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} {eta_formatted} {status}`, stream, hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { status: '' });
    let value = 0;
    return {
      tick: (n = 1, status = '') => {
        value += n;
        bar.update(value, { status });
      },
      done: (status = '') => {
        bar.update(total, { status });
        bar.stop();
      },
    };
  }
  let value = 0;
  let lastReported = -1;
  const started = Date.now();
  const line = (status: string): void => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    stream.write(`${label} ${value}/${total} ${seconds}s${status ? ` ${status}` : ''}\n`);
  };
  return {
    tick: (n = 1, status = '') => {
      value += n;
      const decile = total > 0 ? Math.floor((value / total) * 10) : 10;
      if (decile !== lastReported) {
        lastReported = decile;
        line(status);
      }
    },
    done: (status = '') => {
      value = total;
      line(status);
    },
  };
}
