// `--set <path>=<value>` for experiments, in the notation `cvc status` prints:
// `models[resnet].training.maxEpochs=60` (list items by their name, or by index), optionally
// with the stage first (`classifier.models[resnet]…`, needed when several stages have the key).
// Values are YAML (`60`, `true`, `[16, 32]`, `{epochs: 2}`).
import { parse } from 'yaml';
import type { Pipeline, StageSpec } from '@cvc/core';
import { didYouMean } from '@cvc/core';

export type Segment = { key: string } | { item: string } | { index: number };

export interface ParamSet {
  /** As written, e.g. "models[resnet].training.maxEpochs=60". */
  text: string;
  stage: string;
  /** Within the stage's params. */
  path: Segment[];
  value: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parsePath(text: string): Segment[] {
  const segments: Segment[] = [];
  const re = /([^.[\]]+)|\[([^\]]+)\]|(\.)/gy;
  let expectKey = true;
  let match: RegExpExecArray | null;
  let pos = 0;
  while (pos < text.length && (re.lastIndex = pos, (match = re.exec(text)))) {
    pos = re.lastIndex;
    if (match[3]) {
      if (expectKey) throw new Error(`--set ${text}: not a param path like models[resnet].training.maxEpochs`);
      expectKey = true;
      continue;
    }
    if (match[1] !== undefined) {
      if (!expectKey) throw new Error(`--set ${text}: expected "." before "${match[1]}"`);
      segments.push({ key: match[1] });
      expectKey = false;
    } else {
      const sel = match[2]!;
      segments.push(/^\d+$/.test(sel) ? { index: Number(sel) } : { item: sel });
      expectKey = false;
    }
  }
  if (pos !== text.length || segments.length === 0 || !('key' in segments[0]!) || expectKey) throw new Error(`--set ${text}: not a param path like models[resnet].training.maxEpochs`);
  return segments;
}

export const formatPath = (path: Segment[]): string =>
  path.map((s, i) => ('key' in s ? `${i ? '.' : ''}${s.key}` : 'item' in s ? `[${s.item}]` : `[${s.index}]`)).join('');

/** Which stage a path belongs to: its first segment when that is a stage, else the one stage whose params have its first key. */
export function parseSet(pipeline: Pipeline, text: string): ParamSet {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new Error(`--set ${text}: expected <path>=<value>, e.g. models[resnet].training.maxEpochs=60`);
  let value: unknown;
  try {
    value = parse(text.slice(eq + 1));
  } catch (err) {
    throw new Error(`--set ${text}: the value is not valid YAML: ${(err as Error).message}`);
  }
  let path = parsePath(text.slice(0, eq));
  const first = (path[0] as { key: string }).key;
  if (first === 'stages' && path[1] && 'key' in path[1] && path[2] && 'key' in path[2] && path[2].key === 'params') path = [path[1], ...path.slice(3)];
  const head = (path[0] as { key: string }).key;
  const named = pipeline.stages.find((s) => s.name === head);
  if (named) {
    if (path.length < 2) throw new Error(`--set ${text}: name a param of stage ${head}`);
    return { text, stage: named.name, path: path.slice(1), value };
  }
  // The stages where the whole path exists decide (`models[resnet]…`: the classifier's models, not the generator's).
  // A new key may be added under a mapping that exists (the schema then decides), never at the top.
  const reaches = (params: unknown) => (path.length > 1 && 'key' in path.at(-1)! ? isRecord(valueAt(params, path.slice(0, -1))) : valueAt(params, path) !== undefined);
  const exact = pipeline.stages.filter((s) => reaches(s.params));
  if (exact.length === 1) return { text, stage: exact[0]!.name, path, value };
  const holders = exact.length > 1 ? exact : pipeline.stages.filter((s) => head in s.params);
  if (holders.length === 1) return { text, stage: holders[0]!.name, path, value };
  if (holders.length > 1) throw new Error(`--set ${text}: stages ${holders.map((s) => s.name).join(', ')} all have "${head}": write the stage first, e.g. ${holders[0]!.name}.${text}`);
  const keys = pipeline.stages.flatMap((s) => Object.keys(s.params));
  throw new Error(`--set ${text}: no stage has a param "${head}"${didYouMean(head, keys)}; a param the YAML leaves at its default needs the stage first: <stage>.${text}`);
}

/** The stage's params with the value set at the path (a copy; list items by name or index). */
export function applySet(stage: StageSpec, set: ParamSet): Record<string, unknown> {
  const params = structuredClone(stage.params);
  let node: unknown = params;
  const where = (i: number) => `stages.${stage.name}.params.${formatPath(set.path.slice(0, i + 1))}`;
  set.path.forEach((seg, i) => {
    const last = i === set.path.length - 1;
    if ('key' in seg) {
      if (!isRecord(node)) throw new Error(`--set ${set.text}: ${where(i - 1)} is not a mapping`);
      if (last) node[seg.key] = set.value;
      else node = node[seg.key] ??= {};
      return;
    }
    if (!Array.isArray(node)) throw new Error(`--set ${set.text}: ${where(i - 1)} is not a list`);
    const list = node as unknown[];
    const index = 'index' in seg ? seg.index : list.findIndex((x) => isRecord(x) && x.name === seg.item);
    if (index < 0 || index >= list.length) {
      const names = list.map((x, j) => (isRecord(x) && typeof x.name === 'string' ? x.name : String(j)));
      throw new Error(`--set ${set.text}: ${where(i)}: no such item (items: ${names.join(', ')})`);
    }
    if (last) list[index] = set.value;
    else node = list[index];
  });
  return params;
}

/** The value at a path, or undefined. */
export function valueAt(params: unknown, path: Segment[]): unknown {
  let node = params;
  for (const seg of path) {
    if ('key' in seg) node = isRecord(node) ? node[seg.key] : undefined;
    else if (Array.isArray(node)) node = 'index' in seg ? node[seg.index] : node.find((x) => isRecord(x) && x.name === seg.item);
    else return undefined;
  }
  return node;
}
