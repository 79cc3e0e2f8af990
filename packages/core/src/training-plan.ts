// A stage's training plan: every training run it will do (model 3/3 resnet · fold 2/5 · member
// 1/2), how many epochs each, and what an epoch costs. Training loops report each epoch through
// an EpochReporter; the plan prints one Keras-style line per epoch with where the stage is in its
// plan and the stage's ETA, and draws one live bar on a terminal.
//
// ETA: seconds per unit of work (an epoch over `size` images) per cost key — measured in this run
// once a key has run an epoch, else the last run's (artifacts/.runs/epoch-times/, kept by the
// runner) — times the work left, plus the stage's time outside training in its last run. Until
// every key has a time, the last run's whole stage time (artifacts/.runs/<stage>.json) stands in.
import { sha256 } from './files.ts';
import { canonicalJson } from './pipeline-file.ts';
import { bar, humanSeconds, type StageOutput } from './terminal.ts';

export type Figures = Record<string, number>;

export interface PlanItem {
  /** Unique in the plan, e.g. "resnet/fold-2/member-1". */
  id: string;
  /** Where the item sits in the stage: "model 3/3 resnet · fold 2/5 · member 1/2". */
  label: string;
  epochs: number;
  /** Items with one cost key cost the same per epoch and unit of size (same network, batch size, recipe). */
  costKey: string;
  /** Work per epoch in units of its cost key (e.g. training images); default 1. */
  size?: number;
}

export interface EpochReporter {
  /** Training resumes after `epochs` already done (a checkpoint). */
  resume(epochs: number): void;
  /** Within an epoch: `done` of `total` batches (drives the live bar). */
  batch(epoch: number, done: number, total: number, figures?: Figures): void;
  /** An epoch ended with these figures (loss, acc, val_loss, …): one line. */
  epoch(epoch: number, figures: Figures): void;
}

export interface TrainingPlan {
  start(id: string): EpochReporter;
  /** Revise an item's epochs before it starts (e.g. chosen on a validation run). */
  setEpochs(id: string, epochs: number): void;
  /** Seconds per unit per cost key measured in this run, and the seconds spent training. */
  measured(): { rates: Record<string, number>; trainingSeconds: number };
}

/** What the last run left for the ETA. */
export interface PlanTimes {
  rates: Record<string, number>;
  /** Seconds of the stage outside training (loading, evaluation, pictures), last run with these params. */
  overheadSeconds?: number;
  /** The whole stage's seconds in its last run with these params: the ETA until epoch times are known. */
  stageSeconds?: number;
}

/** A cost key: a name and a digest of what sets an epoch's cost (network, batch size, augmentation). */
export function costKey(name: string, config: unknown): string {
  return `${name}:${sha256(canonicalJson(config)).slice(0, 12)}`;
}

interface ItemState extends Required<PlanItem> {
  done: number;
  /** Fraction of the running epoch done (batches). */
  partial: number;
}

const formatFigures = (figures: Figures): string =>
  Object.entries(figures)
    .map(([k, v]) => ` - ${k}: ${Math.abs(v) >= 1000 ? v.toFixed(0) : v.toFixed(4)}`)
    .join('');

export function createTrainingPlan(
  items: PlanItem[],
  opts: { out: StageOutput; prefix: string; previous?: PlanTimes; stageStarted?: number; now?: () => number },
): TrainingPlan {
  const now = opts.now ?? Date.now;
  const started = opts.stageStarted ?? now();
  const states = new Map<string, ItemState>();
  for (const item of items) {
    if (states.has(item.id)) throw new Error(`training plan: item "${item.id}" listed twice`);
    states.set(item.id, { size: 1, ...item, done: 0, partial: 0 });
  }
  const measuredSeconds = new Map<string, number>();
  const measuredUnits = new Map<string, number>();
  let trainingSeconds = 0;

  const rate = (key: string): number | undefined => {
    const units = measuredUnits.get(key);
    return units ? measuredSeconds.get(key)! / units : opts.previous?.rates[key];
  };

  /** Seconds left (and whether every item has a rate), counting the running epoch's batches. */
  const remaining = (): { seconds: number; known: boolean; knownAny: boolean } => {
    let seconds = 0;
    let known = true;
    let knownAny = false;
    for (const s of states.values()) {
      const left = Math.max(0, s.epochs - s.done - s.partial);
      if (left <= 0) continue;
      const r = rate(s.costKey);
      if (r === undefined) {
        known = false;
        continue;
      }
      knownAny = true;
      seconds += left * s.size * r;
    }
    const overhead = opts.previous?.overheadSeconds;
    if (overhead !== undefined) seconds += Math.max(0, overhead - ((now() - started) / 1000 - trainingSeconds));
    return { seconds, known, knownAny };
  };

  const where = (): string => {
    const left = remaining();
    const elapsed = (now() - started) / 1000;
    const last = opts.previous?.stageSeconds;
    if (!left.known && last !== undefined) return `stage ${Math.min(99, Math.floor((100 * elapsed) / last))}%, ETA ${humanSeconds(Math.max(0, last - elapsed))} (last run's stage time)`;
    if (left.known) return `stage ${Math.floor((100 * elapsed) / Math.max(1e-9, elapsed + left.seconds))}%, ETA ${humanSeconds(left.seconds)}`;
    const total = [...states.values()].reduce((a, s) => a + s.epochs, 0);
    const done = [...states.values()].reduce((a, s) => a + Math.min(s.epochs, s.done), 0);
    const pct = `stage ${Math.floor((100 * done) / Math.max(1, total))}% of epochs`;
    return left.knownAny && left.seconds >= 1 ? `${pct}, ETA > ${humanSeconds(left.seconds)}` : `${pct}, ETA after the first epochs`;
  };

  const itemOf = (id: string): ItemState => {
    const s = states.get(id);
    if (!s) throw new Error(`training plan: no item "${id}" (items: ${[...states.keys()].slice(0, 5).join(', ')}${states.size > 5 ? ', …' : ''})`);
    return s;
  };

  const totalEpochs = items.reduce((a, i) => a + i.epochs, 0);
  const first = remaining();
  opts.out.line(
    `${opts.prefix} plan: ${items.length} training run${items.length === 1 ? '' : 's'}, ${totalEpochs} epoch${totalEpochs === 1 ? '' : 's'}; ` +
      (first.known
        ? `ETA ${humanSeconds(first.seconds)} (epoch times of the last run)`
        : opts.previous?.stageSeconds !== undefined
          ? `ETA ${humanSeconds(opts.previous.stageSeconds)} (the last run's stage time)`
          : 'ETA after the first epochs (no earlier run of these settings)'),
  );

  return {
    setEpochs(id, epochs) {
      itemOf(id).epochs = epochs;
    },
    measured() {
      const rates: Record<string, number> = {};
      for (const [key, units] of measuredUnits) rates[key] = Number((measuredSeconds.get(key)! / units).toPrecision(6));
      return { rates, trainingSeconds };
    },
    start(id) {
      const s = itemOf(id);
      let mark = now();
      return {
        resume(epochs) {
          s.done = epochs;
          mark = now();
        },
        batch(epoch, done, total, figures = {}) {
          s.partial = total > 0 ? done / total : 0;
          if (!opts.out.interactive) return;
          opts.out.status(`${opts.prefix} ${s.label} · epoch ${epoch}/${s.epochs} ${bar(s.partial, 16)} ${done}/${total}${formatFigures(figures)} - ${where()}`);
        },
        epoch(epoch, figures) {
          const t = now();
          const seconds = (t - mark) / 1000;
          mark = t;
          trainingSeconds += seconds;
          measuredSeconds.set(s.costKey, (measuredSeconds.get(s.costKey) ?? 0) + seconds);
          measuredUnits.set(s.costKey, (measuredUnits.get(s.costKey) ?? 0) + s.size);
          s.done = epoch;
          s.partial = 0;
          opts.out.line(`${opts.prefix} ${s.label} · epoch ${epoch}/${s.epochs} - ${seconds.toFixed(1)}s${formatFigures(figures)} - ${where()}`);
        },
      };
    },
  };
}
