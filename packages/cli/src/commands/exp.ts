// cvc exp run | show: experiments without editing the pipeline file (like `dvc exp run --set-param`
// and `dvc exp show`). An experiment is a generated profile (experiments/experiment-file.ts) run by
// `nx run pipeline:all -c <name>`: Nx reruns the stages whose params it changes and their
// downstream, and restores the rest from the cache of the run it starts from. The run's last step
// keeps its snapshot in artifacts/.runs/history, which `exp show` puts next to the base run's.
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { parse } from 'yaml';
import { canonicalJson, experimentNames, getStage, loadPipeline, profileNames, upstreamStages, type Pipeline } from '@cvc/core';
import { PROFILE_ENV } from '@cvc/core/profile-choice';
import { checkStageParams } from '@cvc/core/stage-params';
import { loadStageDefinition } from '@cvc/core/runner';
import { experimentExists, readExperiment, sameExperiment, writeExperiment, type ExperimentFile } from '../experiments/experiment-file.ts';
import { applySet, formatPath, parseSet, valueAt, parsePath, type ParamSet } from '../experiments/param-path.ts';
import { figureLabel, formatFigure, type Figure } from '../metrics/figures.ts';
import { describeIdentity, figuresOf, listSnapshots, snapshotState, type RunSnapshot } from '../metrics/runs.ts';
import { textTable } from '../table.ts';

interface RunOptions {
  pipeline: string;
  set: string[];
  name?: string;
  profile?: string;
}

/** A name from the changes: "maxEpochs-60", "topK-64-sheet.count-8". */
export function defaultName(sets: ParamSet[]): string {
  const part = (s: ParamSet) => {
    const last = s.path.at(-1)!;
    const key = 'key' in last ? last.key : formatPath(s.path);
    return `${key}-${typeof s.value === 'object' ? canonicalJson(s.value) : String(s.value)}`;
  };
  return sets.map(part).join('-').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[^A-Za-z0-9]+/, '').slice(0, 60) || 'exp';
}

/** Where the sets write, as nested keys (a list as []): lets a bad value's message name --set as its source. */
function setMarks(sets: ParamSet[]): Record<string, unknown> {
  const marks: Record<string, unknown> = {};
  for (const set of sets) {
    let node = marks;
    for (let i = 0; i < set.path.length; i++) {
      const seg = set.path[i]!;
      if (!('key' in seg)) break;
      const next = set.path[i + 1];
      if (!next) node[seg.key] = []; // anything under it counts as set
      else if (!('key' in next)) {
        node[seg.key] = [];
        break;
      } else node = (node[seg.key] ??= {}) as Record<string, unknown>;
    }
  }
  return marks;
}

/** Stages downstream of `changed` (they rerun because their inputs change). */
function downstreamOf(pipeline: Pipeline, changed: Set<string>): string[] {
  const affected = new Set(changed);
  for (const stage of pipeline.stages) if (upstreamStages(pipeline, stage).some((u) => affected.has(u))) affected.add(stage.name);
  return pipeline.stages.map((s) => s.name).filter((s) => affected.has(s) && !changed.has(s));
}

export async function expRunCommand(opts: RunOptions): Promise<void> {
  const base = opts.profile ?? (process.env[PROFILE_ENV] || undefined);
  const pipeline = loadPipeline(opts.pipeline, base !== undefined ? { profile: base } : {});
  if (pipeline.experiment) throw new Error(`--profile ${base}: an experiment cannot be the base of another; start from ${pipeline.profile ? `profile ${pipeline.profile}` : 'the pipeline as written'} and set both changes`);
  const sets = opts.set.map((text) => parseSet(pipeline, text));

  // Every stage's params with the sets applied, each checked by its own schema (unknown keys are errors).
  const params = new Map<string, Record<string, unknown>>();
  for (const set of sets) {
    const stage = getStage(pipeline, set.stage);
    params.set(stage.name, applySet({ ...stage, params: params.get(stage.name) ?? stage.params }, set));
  }
  for (const [name, p] of params) {
    const spec = { ...getStage(pipeline, name), params: p };
    const definition = await loadStageDefinition(pipeline, spec);
    checkStageParams(pipeline, spec, definition.params, setMarks(sets.filter((s) => s.stage === name)));
  }
  const changed = new Set([...params].filter(([name, p]) => canonicalJson(p) !== canonicalJson(getStage(pipeline, name).params)).map(([name]) => name));
  if (changed.size === 0) throw new Error(`${opts.set.join(' ')}: every value is already what ${base ? `profile ${base}` : 'the pipeline file'} sets; nothing to try`);

  const experiment: ExperimentFile = {
    experiment: { base: base ?? null, set: Object.fromEntries(sets.map((s) => [`${s.stage}.${formatPath(s.path)}`, s.value])), createdAt: new Date().toISOString() },
    stages: Object.fromEntries([...changed].map((name) => [name, { params: params.get(name)! }])),
  };
  const name = opts.name ?? defaultName(sets);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`--name ${name}: use letters, digits, ".", "_" and "-"`);
  const raw = parse(readFileSync(pipeline.file, 'utf8')) as Record<string, unknown>;
  if (profileNames(raw).includes(name)) throw new Error(`--name ${name}: a profile of ${pipeline.file} has this name`);
  if (experimentExists(pipeline, name) && !sameExperiment(readExperiment(pipeline.file, name), experiment)) {
    throw new Error(`experiment ${name} exists with other changes (pipelines/experiments/${name}.yaml): choose another --name, or delete that file`);
  }
  const file = writeExperiment(pipeline, name, experiment);
  const downstream = downstreamOf(pipeline, changed);
  process.stderr.write(
    `experiment ${name} (${file}): ${[...changed].join(', ')} with changed params${downstream.length ? `, then ${downstream.join(', ')} (their inputs change)` : ''}; ` +
      `every other stage as in ${base ? `profile ${base}` : 'the pipeline as written'}, from the cache if it ran\n`,
  );
  const env = { ...process.env };
  delete env[PROFILE_ENV]; // the experiment is chosen by -c; the env var would hash every stage differently
  const args = ['run', 'pipeline:all', '-c', name];
  process.stderr.write(`$ npx nx ${args.join(' ')}\n`);
  await execa('nx', args, { cwd: pipeline.root, preferLocal: true, stdio: 'inherit', env, extendEnv: false });
  process.stderr.write(`artifacts/ now holds experiment ${name}; \`npx nx run pipeline:all${base ? ` -c ${base}` : ''}\` brings back the base run's (from the cache). Compare: npx cvc exp show\n`);
  await expShowCommand({ pipeline: opts.pipeline, only: name });
}

interface Column {
  title: string;
  run: RunSnapshot | undefined;
  /** The value of each set path in this column. */
  values: Map<string, unknown>;
}

export interface ExpTable {
  columns: { title: string; run: string | null; identity: string }[];
  params: { path: string; values: (string | null)[] }[];
  figures: { stage: string; name: string; values: (string | null)[] }[];
}

export function experimentTable(pipeline: Pipeline, only?: string): ExpTable {
  const snapshots = listSnapshots(pipeline.root);
  const latest = (experiment: string | null, profile: string | null) => [...snapshots].reverse().find((s) => (s.experiment ?? null) === experiment && (experiment !== null || s.profile === profile));
  const names = experimentNames(pipeline.file).filter((n) => only === undefined || n === only);
  const experiments = names.map((n) => ({ name: n, file: readExperiment(pipeline.file, n) }));
  const paths = [...new Set(experiments.flatMap((e) => Object.keys(e.file.experiment.set)))];
  const bases = [...new Set(experiments.map((e) => e.file.experiment.base))];
  const columns: Column[] = [];
  for (const base of bases) {
    const run = latest(null, base);
    const basePipeline = loadPipeline(pipeline.file, base ? { profile: base } : {});
    const values = new Map(paths.map((p) => {
      const [stage, ...rest] = p.split('.');
      return [p, valueAt(getStage(basePipeline, stage!).params, parsePath(rest.join('.')))];
    }));
    columns.push({ title: base ?? 'main', run, values });
  }
  for (const e of experiments) {
    const run = latest(e.name, null);
    const values = new Map(paths.map((p) => {
      if (p in e.file.experiment.set) return [p, e.file.experiment.set[p]];
      const [stage, ...rest] = p.split('.');
      const own = e.file.stages[stage!]?.params;
      return [p, own ? valueAt(own, parsePath(rest.join('.'))) : columns.find((c) => c.title === (e.file.experiment.base ?? 'main'))?.values.get(p)];
    }));
    columns.push({ title: e.name, run, values });
  }
  const figureSets = columns.map((c) => (c.run ? figuresOf(pipeline, snapshotState(pipeline.root, c.run)) : []));
  const keyOf = (f: Figure) => `${f.stage}\u0000${figureLabel(f)}`;
  const order: Figure[] = [];
  const seen = new Set<string>();
  for (const set of figureSets) for (const f of set) if (!seen.has(keyOf(f))) (seen.add(keyOf(f)), order.push(f));
  // Stage by stage in pipeline order (a figure only some runs have stays with its stage).
  const stageIndex = new Map(pipeline.stages.map((s, i) => [s.name, i]));
  order.sort((a, b) => stageIndex.get(a.stage)! - stageIndex.get(b.stage)!);
  return {
    columns: columns.map((c) => ({ title: c.title, run: c.run?.name ?? null, identity: c.run ? describeIdentity(c.run) : 'not run yet' })),
    params: paths.map((p) => ({ path: p, values: columns.map((c) => (c.values.get(p) === undefined ? null : JSON.stringify(c.values.get(p)))) })),
    figures: order.map((f) => ({
      stage: f.stage,
      name: figureLabel(f),
      values: figureSets.map((set) => {
        const g = set.find((x) => keyOf(x) === keyOf(f));
        return g ? formatFigure(g) : null;
      }),
    })),
  };
}

export async function expShowCommand(opts: { pipeline: string; json?: boolean; all?: boolean; only?: string }): Promise<void> {
  const pipeline = loadPipeline(opts.pipeline);
  const table = experimentTable(pipeline, opts.only);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(table, null, 1)}\n`);
    return;
  }
  if (table.columns.length === 0) {
    process.stdout.write('no experiments yet: `npx cvc exp run --set <param>=<value>` makes one (pipelines/experiments/)\n');
    return;
  }
  const header = ['', '', ...table.columns.map((c) => c.title)];
  const rows: string[][] = [['', 'run', ...table.columns.map((c) => c.run ?? 'not run yet')]];
  for (const p of table.params) rows.push(['params', p.path, ...p.values.map((v) => v ?? '—')]);
  // Figures equal in every column say nothing about the experiments (unless --all).
  const shown = opts.all ? table.figures : table.figures.filter((f) => new Set(f.values).size > 1);
  let last = '';
  for (const f of shown) {
    rows.push([f.stage === last ? '' : f.stage, f.name, ...f.values.map((v) => v ?? '—')]);
    last = f.stage;
  }
  process.stdout.write(textTable(header, rows));
  const hidden = table.figures.length - shown.length;
  if (hidden) process.stdout.write(`(${hidden} figures the same in every column not shown; --all shows them)\n`);
}
