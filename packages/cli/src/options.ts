// Command-line values checked before any work: a number that does not parse, or lies outside
// what the command can do, is an error naming the flag and the range (never NaN further down).
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export class OptionError extends Error {
  constructor(flag: string, raw: string, message: string) {
    super(`${flag} ${raw === '' || /\s/.test(raw) ? JSON.stringify(raw) : raw}: ${message}`);
    this.name = 'OptionError';
  }
}

/** A whole number in [min, max], written in decimal digits ("1e3", "0x10", "2.0" are refused). */
export function integerOption(flag: string, raw: string, min: number, max: number): number {
  const value = /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value)) throw new OptionError(flag, raw, `not a whole number (give ${min} … ${max})`);
  if (value < min || value > max) throw new OptionError(flag, raw, `out of range (give ${min} … ${max})`);
  return value;
}

/** A finite decimal number in [min, max]; `meaning` says what the ends stand for. */
export function numberOption(flag: string, raw: string, min: number, max: number, meaning = `${min} … ${max}`): number {
  const value = /^\s*-?(\d+\.?\d*|\.\d+)\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(value)) throw new OptionError(flag, raw, `not a number (give ${meaning})`);
  if (value < min || value > max) throw new OptionError(flag, raw, `out of range (give ${meaning})`);
  return value;
}

/** A seed for a seeded generator: a whole number 0 … 2^32 − 1 (so "abc" and "xyz" cannot both become NaN). */
export function seedOption(flag: string, raw: string): number {
  return integerOption(flag, raw, 0, 2 ** 32 - 1);
}

const inside = (path: string, folder: string): boolean => path === folder || path.startsWith(folder + sep);

/** The real path of `path`, or of its nearest existing ancestor joined with the rest (so links are seen through). */
function realPathOrAncestor(path: string): string {
  let existing = path;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  return join(realpathSync(existing), relative(existing, path));
}

/**
 * An output folder for a command: new, or an existing empty folder, and not inside the
 * workspace's artifacts/ (whose folders belong to the stages and their locks). Returns its absolute path.
 */
export function newOutputFolder(flag: string, raw: string, workspaceRoot: string | undefined): string {
  const path = resolve(raw);
  if (existsSync(path)) {
    if (!statSync(path).isDirectory()) throw new OptionError(flag, raw, 'exists and is not a folder; give a new or empty folder');
    const entries = readdirSync(path);
    if (entries.length > 0) throw new OptionError(flag, raw, `folder is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}); give a new or empty folder, so nothing is overwritten`);
  }
  if (workspaceRoot) {
    const artifacts = join(workspaceRoot, 'artifacts');
    const real = realPathOrAncestor(path);
    const realArtifacts = existsSync(artifacts) ? realpathSync(artifacts) : artifacts;
    if (inside(real, realArtifacts) || inside(path, artifacts)) {
      throw new OptionError(flag, raw, `inside ${artifacts}/, where each folder belongs to a stage and its lock; write somewhere else`);
    }
  }
  return path;
}
