// cvc metrics show | diff | list | snapshot: every stage's headline figures, run history, and what
// changed between two runs (params beside metrics), like `dvc metrics show/diff` and `dvc params diff`.
import { loadPipeline, type Pipeline } from '@cvc/core';
import { chosenProfile } from '@cvc/core/profile-choice';
import { diffRuns, type RunDiff } from '../metrics/compare.ts';
import { formatFigure, type Figure } from '../metrics/figures.ts';
import { HISTORY_DIR, contentDigestOf, describeIdentity, figuresOf, findSnapshot, listSnapshots, snapshotState, takeSnapshot, workspaceState, type RunSnapshot, type RunState } from '../metrics/runs.ts';
import { textTable } from '../table.ts';

interface Options {
  pipeline: string;
  json?: boolean;
  all?: boolean;
}

const describeRun = (s: Pick<RunState, 'name' | 'profile' | 'experiment'>) => `${s.name} (${describeIdentity(s)})`;

/**
 * The workspace: artifacts/ as they are. Its locks do not name an experiment, so it takes its
 * identity from the newest kept run with the same params and artifacts, if there is one.
 */
export function workspaceRun(pipeline: Pipeline, snapshots = listSnapshots(pipeline.root)): RunState {
  const state = workspaceState(pipeline);
  const digest = contentDigestOf(state);
  const same = [...snapshots].reverse().find((s) => s.contentDigest === digest);
  return same ? { ...state, profile: same.profile, experiment: same.experiment ?? null } : state;
}

/** The run `name` names, or the workspace. */
function runNamed(pipeline: Pipeline, name: string | undefined): RunState {
  if (name === undefined || name === 'workspace') return workspaceRun(pipeline);
  return snapshotState(pipeline.root, findSnapshot(pipeline.root, name));
}

/** The run before `current`: the newest kept run older than the one equal to it, preferring its profile. */
export function previousRun(snapshots: RunSnapshot[], current: RunState): RunSnapshot | undefined {
  const digest = contentDigestOf(current);
  let end = snapshots.length;
  for (let i = snapshots.length - 1; i >= 0; i--) {
    if (snapshots[i]!.contentDigest === digest && snapshots[i]!.profile === current.profile && (snapshots[i]!.experiment ?? null) === current.experiment) {
      end = i;
      break;
    }
  }
  const earlier = snapshots.slice(0, end).filter((s) => s.name !== current.name);
  return [...earlier].reverse().find((s) => s.profile === current.profile && (s.experiment ?? null) === current.experiment) ?? earlier.at(-1);
}

/**
 * Stage by stage: its own figures one per line, then what it measures alike for several subjects
 * (models, scorers) as one table, a row per subject — like `dvc metrics show`, readable at a glance.
 */
export function figuresTable(figures: Figure[]): string {
  const stages = [...new Set(figures.map((f) => f.stage))];
  const width = Math.max(...stages.map((s) => s.length)) + 2;
  let out = '';
  for (const stage of stages) {
    const own = figures.filter((f) => f.stage === stage && !f.subject);
    const alike = figures.filter((f) => f.stage === stage && f.subject);
    const lines: string[] = [];
    if (own.length) lines.push(...textTable(['', ''], own.map((f) => [f.name, formatFigure(f)])).split('\n').slice(1, -1));
    if (alike.length) {
      const subjects = [...new Set(alike.map((f) => f.subject!))];
      const measures = [...new Set(alike.map((f) => f.name))];
      const rows = subjects.map((subject) => [subject, ...measures.map((m) => {
        const f = alike.find((x) => x.subject === subject && x.name === m);
        return f ? formatFigure(f) : '—';
      })]);
      lines.push(...textTable(['', ...measures], rows).split('\n').slice(0, -1));
    }
    lines.forEach((line, i) => (out += `${(i === 0 ? stage : '').padEnd(width)}${line}\n`));
  }
  return out;
}

export function diffText(d: RunDiff, all: boolean): string {
  let text = `${describeRun(d.from)} → ${describeRun(d.to)}\n\n`;
  if (d.params.length) {
    text += 'params changed\n';
    text += textTable(['stage', 'param', 'before', 'after'], d.params.map((p) => [p.stage, p.key, p.before ?? '(unset)', p.after ?? '(unset)']), { indent: '  ' });
  } else {
    text += 'params: no change\n';
  }
  if (d.outputsChanged.length) text += `artifacts changed though their params did not (code, data or upstream): ${d.outputsChanged.join(', ')}\n`;
  const shown = all ? d.figures : d.figures.filter((f) => f.change !== '');
  text += '\n';
  if (!shown.length) return `${text}metrics: no change\n`;
  let last = '';
  const rows = shown.map((f) => {
    const stage = f.stage === last ? '' : f.stage;
    last = f.stage;
    return [stage, f.name, f.before ?? '—', f.after ?? '—', f.change, f.verdict];
  });
  return text + `metrics${all ? '' : ' changed'}\n` + textTable(['stage', 'figure', 'before', 'after', 'change', ''], rows, { indent: '  ' });
}

export async function metricsShowCommand(run: string | undefined, opts: Options): Promise<void> {
  const pipeline = loadPipeline(opts.pipeline);
  const state = runNamed(pipeline, run);
  const figures = figuresOf(pipeline, state);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ run: state.name, profile: state.profile, experiment: state.experiment, takenAt: state.takenAt, figures }, null, 1)}\n`);
    return;
  }
  const missing = pipeline.stages.filter((s) => !state.stages[s.name]?.paramsDigest).map((s) => s.name);
  process.stdout.write(`${describeRun(state)}${missing.length ? `; not run yet: ${missing.join(', ')}` : ''}\n`);
  process.stdout.write(figuresTable(figures));
}

export async function metricsDiffCommand(run: string | undefined, other: string | undefined, opts: Options): Promise<void> {
  const pipeline = loadPipeline(opts.pipeline);
  let before: RunState;
  let after: RunState;
  if (other !== undefined) {
    before = runNamed(pipeline, run);
    after = runNamed(pipeline, other);
  } else {
    after = workspaceRun(pipeline);
    if (run !== undefined) {
      before = runNamed(pipeline, run);
    } else {
      const previous = previousRun(listSnapshots(pipeline.root), after);
      if (!previous) throw new Error(`no earlier run kept in ${HISTORY_DIR} to compare with: every \`npx nx run pipeline:all\` keeps one`);
      before = snapshotState(pipeline.root, previous);
    }
  }
  const stages = pipeline.stages.map((s) => s.name);
  const diff = diffRuns(stages, before, figuresOf(pipeline, before), after, figuresOf(pipeline, after));
  process.stdout.write(opts.json ? `${JSON.stringify(diff, null, 1)}\n` : diffText(diff, opts.all ?? false));
}

export async function metricsListCommand(opts: Options): Promise<void> {
  const pipeline = loadPipeline(opts.pipeline);
  const snapshots = listSnapshots(pipeline.root);
  if (opts.json) {
    for (const s of snapshots) process.stdout.write(`${JSON.stringify({ name: s.name, takenAt: s.takenAt, profile: s.profile, paramsDigest: s.paramsDigest, experiment: s.experiment ?? null, ran: Object.entries(s.stages).filter(([, v]) => v.ran).map(([k]) => k) })}\n`);
    return;
  }
  if (!snapshots.length) {
    process.stdout.write(`no runs kept yet in ${HISTORY_DIR}: every \`npx nx run pipeline:all\` keeps one\n`);
    return;
  }
  const rows = snapshots.map((s) => {
    const ran = Object.entries(s.stages).filter(([, v]) => v.ran).map(([k]) => k);
    return [s.name, describeIdentity(s), ran.length ? ran.join(', ') : 'all from cache'];
  });
  process.stdout.write(textTable(['run', 'of', 'stages executed'], rows));
}

/** The last step of `nx run pipeline:all` (the plugin's all target): keep this run. */
export async function metricsSnapshotCommand(opts: Options): Promise<void> {
  const profile = chosenProfile();
  const pipeline = loadPipeline(opts.pipeline, profile !== undefined ? { profile } : {});
  const { snapshot, kept } = takeSnapshot(pipeline, workspaceState(pipeline));
  process.stderr.write(kept ? `run kept: ${HISTORY_DIR}/${snapshot.name} (\`npx cvc metrics show\`, \`npx cvc metrics diff\`)\n` : `params and artifacts as in run ${snapshot.name}: nothing new to keep\n`);
}
