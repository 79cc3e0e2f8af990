// JSON artifacts read and written through their schema (packages/artifacts): a missing or
// malformed field fails with the file and the field named, and a producer cannot write a file
// its consumers would reject.
import type { z } from 'zod';
import { readJson, writeJsonAtomic } from './files.ts';
import { formatZodError } from './params.ts';

/** Check `value` against `schema`; the error names `file` and the field. */
export function checkJson<S extends z.ZodType>(file: string, schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`${file}: ${formatZodError('(root)', parsed.error as z.ZodError)}`);
  return parsed.data;
}

export function readJsonArtifact<S extends z.ZodType>(file: string, schema: S): z.infer<S> {
  return checkJson(file, schema, readJson<unknown>(file));
}

/** Validate, then write atomically (what is written is the value as given, not the parsed copy). */
export function writeJsonArtifact<S extends z.ZodType>(file: string, schema: S, value: z.input<S>): void {
  checkJson(file, schema, value);
  writeJsonAtomic(file, value);
}
