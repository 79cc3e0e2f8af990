// Would a stage rerun, and why? Compares each stage's lock (what its outputs were made from)
// with the current pipeline file, code, data and upstream artifacts.
import { existsSync } from 'node:fs';
import { envNameForParam } from './env.ts';
import { treeDigest } from './files.ts';
import { codeHashes, externalPaths, inputDigests, readLock } from './lock.ts';
import { type Pipeline, canonicalJson, resolveFromRoot, stageParamsDigest, upstreamStages } from './pipeline-file.ts';

export interface StageStatus {
  stage: string;
  rerun: boolean;
  reasons: string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Flatten nested params to dotted keys: {split: {test: 0.1}} → {"split.test": "0.1"}. Lists of
 * mappings are entered too, by their `name` when they have one: `models[resnet].training.maxEpochs`.
 */
function flatten(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (Array.isArray(value) && value.some(isRecord)) {
    value.forEach((item, i) => flatten(item, `${prefix}[${isRecord(item) && typeof item.name === 'string' ? item.name : i}]`, out));
  } else {
    out[prefix] = canonicalJson(value);
  }
  return out;
}

export interface ParamChange {
  /** `models[resnet].training.maxEpochs` */
  key: string;
  /** Canonical JSON of the value; undefined when unset. */
  before?: string;
  after?: string;
}

export function paramChanges(before: Record<string, unknown>, after: Record<string, unknown>): ParamChange[] {
  const a = flatten(before);
  const b = flatten(after);
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .sort()
    .filter((key) => a[key] !== b[key])
    .map((key) => ({ key, ...(a[key] !== undefined ? { before: a[key] } : {}), ...(b[key] !== undefined ? { after: b[key] } : {}) }));
}

export function describeParamChanges(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return paramChanges(before, after).map((c) => `${c.key} ${c.before ?? '(unset)'} → ${c.after ?? '(unset)'}`);
}

function describeFileChanges(before: Record<string, string>, after: Record<string, string>): string[] {
  const changed: string[] = [];
  for (const file of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (before[file] === after[file]) continue;
    changed.push(before[file] === undefined ? `${file} (added)` : after[file] === undefined ? `${file} (removed)` : file);
  }
  return changed.sort();
}

const listSome = (items: string[], max = 4): string => items.slice(0, max).join(', ') + (items.length > max ? ` (+${items.length - max} more)` : '');

export function pipelineStatus(pipeline: Pipeline): StageStatus[] {
  const rerunning = new Set<string>();
  return pipeline.stages.map((stage) => {
    const reasons: string[] = [];
    const lock = readLock(pipeline, stage);
    if (!lock) {
      reasons.push('never run (no stage.lock.json)');
    } else {
      if ((lock.profile ?? undefined) !== pipeline.profile) reasons.push(`profile changed: ${lock.profile ?? 'none'} → ${pipeline.profile ?? 'none'}`);
      if (lock.globalSeed !== pipeline.seed) reasons.push(`seed changed: ${lock.globalSeed} → ${pipeline.seed}`);
      if (lock.paramsDigest !== stageParamsDigest(pipeline, stage)) {
        const changes = describeParamChanges(lock.params, stage.params);
        if (changes.length) reasons.push(`params changed: ${listSome(changes)}`);
      }
      const code = describeFileChanges(lock.code, codeHashes(pipeline, stage));
      if (code.length) reasons.push(`code changed: ${listSome(code)}`);

      const upstream = upstreamStages(pipeline, stage).filter((u) => rerunning.has(u));
      if (upstream.length) reasons.push(`upstream will rerun: ${upstream.join(', ')}`);
      const env: Record<string, string> = {};
      for (const param of stage.external) {
        const value = process.env[envNameForParam(param)];
        if (value) env[param] = value;
      }
      const inputs = inputDigests(pipeline, stage, externalPaths(pipeline, stage, env));
      const changedInputs = Object.keys(inputs).filter((k) => inputs[k] !== lock.inputs[k]);
      if (changedInputs.length && !upstream.length) reasons.push(`input changed: ${listSome(changedInputs)}`);

      const missing = stage.outs.filter((out) => {
        const path = resolveFromRoot(pipeline, pipeline.artifacts[out]!.path);
        return !existsSync(path) || treeDigest(path) !== lock.outputs[out];
      });
      if (missing.length) reasons.push(`outputs missing or modified: ${listSome(missing)}`);
    }
    if (reasons.length) rerunning.add(stage.name);
    return { stage: stage.name, rerun: reasons.length > 0, reasons };
  });
}
