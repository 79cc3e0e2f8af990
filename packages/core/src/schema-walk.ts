// Walking a stage's params schema beside the params a pipeline file gives it, for what zod's
// parse does not say: keys the schema does not know (zod objects drop them silently, so a typo
// like `maxEpoch` would run with the default), and defaults in code that differ from the values
// the YAML sets (the YAML is the single source of params).
import type { z } from 'zod';
import { canonicalJson } from './pipeline-file.ts';
import { nearestName } from './suggest.ts';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  defaultValue?: unknown;
  element?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  items?: z.ZodType[];
  valueType?: z.ZodType;
  in?: z.ZodType;
  catchall?: z.ZodType;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Strip wrappers that do not change the shape (optional, nullable, readonly, pipes' input side). */
function unwrap(schema: z.ZodType): { schema: z.ZodType; defaults: unknown[] } {
  const defaults: unknown[] = [];
  let s = schema;
  for (;;) {
    const d = defOf(s);
    if (d.type === 'default' || d.type === 'prefault') defaults.push(d.defaultValue);
    if (['default', 'prefault', 'optional', 'nullable', 'readonly', 'nonoptional', 'catch'].includes(d.type) && d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else return { schema: s, defaults };
  }
}

/** The object schemas a value may be checked against (a union offers several; a discriminated one the matching option). */
function objectOptions(schema: z.ZodType, value: Record<string, unknown>): z.ZodType[] {
  const d = defOf(schema);
  if (d.type === 'object') return [schema];
  if (d.type === 'union' && d.options) {
    const options = d.options.map((o) => unwrap(o).schema);
    if (d.discriminator) {
      const match = options.filter((o) => {
        const field = defOf(o).shape?.[d.discriminator!];
        const lit = field ? (defOf(unwrap(field).schema) as Def & { values?: unknown[] }).values : undefined;
        return lit?.includes(value[d.discriminator!]);
      });
      if (match.length > 0) return match;
    }
    return options.flatMap((o) => objectOptions(o, value));
  }
  return [];
}

type Segment = string | number;
type Visit = (schema: z.ZodType, defaults: unknown[], value: unknown, path: Segment[]) => void;

/** `models[resnet].training.maxEpochs`: list items by their `name` when they have one, else by index. */
export function displayPath(prefix: string, path: Segment[], root: unknown): string {
  let out = prefix;
  let node: unknown = root;
  for (const seg of path) {
    if (typeof seg === 'number') {
      const item = Array.isArray(node) ? node[seg] : undefined;
      out += `[${isRecord(item) && typeof item.name === 'string' ? item.name : seg}]`;
      node = item;
    } else {
      out += `.${seg}`;
      node = isRecord(node) ? node[seg] : undefined;
    }
  }
  return out;
}

/** Visit every (schema node, value) pair the params reach, depth first. */
function walk(schema: z.ZodType, value: unknown, path: Segment[], visit: Visit): void {
  const { schema: s, defaults } = unwrap(schema);
  visit(s, defaults, value, path);
  const d = defOf(s);
  if (Array.isArray(value)) {
    if (d.type === 'array' && d.element) value.forEach((v, i) => walk(d.element!, v, [...path, i], visit));
    if (d.type === 'tuple' && d.items) value.forEach((v, i) => d.items![i] && walk(d.items![i]!, v, [...path, i], visit));
    return;
  }
  if (!isRecord(value)) return;
  if (d.type === 'record' && d.valueType) {
    for (const [k, v] of Object.entries(value)) walk(d.valueType, v, [...path, k], visit);
    return;
  }
  const options = objectOptions(s, value);
  if (options.length !== 1) return;
  const shape = defOf(options[0]!).shape ?? {};
  for (const [k, v] of Object.entries(value)) if (shape[k]) walk(shape[k], v, [...path, k], visit);
}

export interface UnknownKey {
  /** Path of the key inside the params, e.g. ['models', 2, 'training', 'maxEpoch']. */
  path: Segment[];
  /** The nearest known key, if one is close. */
  suggestion?: string;
}

/** Keys in `value` that `schema` does not declare (objects that accept any key, like records, excepted). */
export function unknownKeys(schema: z.ZodType, value: unknown): UnknownKey[] {
  const found: UnknownKey[] = [];
  walk(schema, value, [], (s, _defaults, v, path) => {
    if (!isRecord(v)) return;
    const d = defOf(s);
    if (d.type === 'record') return;
    const options = objectOptions(s, v);
    if (options.length === 0) return;
    if (options.some((o) => defOf(o).catchall && defOf(defOf(o).catchall!).type !== 'never')) return;
    const known = [...new Set(options.flatMap((o) => Object.keys(defOf(o).shape ?? {})))];
    for (const key of Object.keys(v)) {
      if (known.includes(key)) continue;
      const suggestion = nearestName(key, known);
      found.push({ path: [...path, key], ...(suggestion ? { suggestion } : {}) });
    }
  });
  return found;
}

export interface DifferingDefault {
  path: Segment[];
  inCode: unknown;
  inFile: unknown;
}

/** Where the file sets a value and the schema's default for that spot is a different one. */
export function differingDefaults(schema: z.ZodType, value: unknown): DifferingDefault[] {
  const found: DifferingDefault[] = [];
  walk(schema, value, [], (_s, defaults, v, path) => {
    for (const inCode of defaults) {
      const resolved = typeof inCode === 'function' ? (inCode as () => unknown)() : inCode;
      // Only leaves: an object default is compared key by key below it.
      if (isRecord(resolved) || isRecord(v)) continue;
      if (canonicalJson(resolved) !== canonicalJson(v)) found.push({ path, inCode: resolved, inFile: v });
    }
  });
  return found;
}
