// Reading another stage's JSON with a schema of the fields the page uses: a missing or
// malformed field fails with the file and the field named.
import { existsSync, readFileSync } from 'node:fs';
import type { z } from 'zod';
import { formatZodError } from '@cvc/core';

export function readJsonArtifact<S extends z.ZodType>(file: string, schema: S): z.infer<S> {
  if (!existsSync(file)) throw new Error(`${file}: file not found`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new Error(`${file}: ${formatZodError('(root)', parsed.error as z.ZodError)}`);
  return parsed.data;
}
