// Turning a schema failure into one line that names the field, e.g.
// "stages.data-prep.params.split.test: Too big: expected number to be <=0.5".
import type { z } from 'zod';

export function formatZodError(prefix: string, error: z.ZodError): string {
  return error.issues
    .map((issue) => `${[prefix, ...issue.path.map(String)].join('.')}: ${issue.message}`)
    .join('; ');
}

/** Parse `a.b=1`-style overrides into a nested object; values are YAML-ish scalars (numbers, booleans, strings). */
export function parseSetOverrides(pairs: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--set ${pair}: expected key=value (e.g. --set split.test=0.2)`);
    const keys = pair.slice(0, eq).split('.');
    const raw = pair.slice(eq + 1);
    const value: unknown = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
    let node = out;
    for (const key of keys.slice(0, -1)) {
      node[key] = typeof node[key] === 'object' && node[key] !== null ? node[key] : {};
      node = node[key] as Record<string, unknown>;
    }
    node[keys[keys.length - 1]!] = value;
  }
  return out;
}
