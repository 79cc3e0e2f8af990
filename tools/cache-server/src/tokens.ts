// Bearer tokens with two scopes: `read` (GET) and `write` (GET and PUT). They come from a
// token file and/or the environment, never from the command line (it shows in `ps`) and
// never from the repository. Logs name a token by its label, never by its value.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

export type Scope = 'read' | 'write';

export interface Token {
  label: string;
  scope: Scope;
  /** sha256 of the token: compared in constant time, and the secret itself is not kept. */
  digest: Buffer;
}

export const READ_TOKENS_ENV = 'CVC_CACHE_READ_TOKENS';
export const WRITE_TOKENS_ENV = 'CVC_CACHE_WRITE_TOKENS';
const MIN_LENGTH = 16;

const digestOf = (secret: string): Buffer => createHash('sha256').update(secret).digest();

function makeToken(label: string, scope: Scope, secret: string, where: string): Token {
  if (secret.length < MIN_LENGTH) throw new Error(`${where}: token "${label}" is shorter than ${MIN_LENGTH} characters`);
  if (!/^[\x21-\x7e]+$/.test(secret)) throw new Error(`${where}: token "${label}" must be printable ASCII without spaces`);
  return { label, scope, digest: digestOf(secret) };
}

/**
 * A token file: one token a line, `<read|write> <label> <token>`; blank lines and `#` comments
 * are skipped. Refused if other users may read it (it holds secrets).
 */
export function parseTokenFile(file: string): Token[] {
  const mode = statSync(file).mode;
  if (mode & 0o077) throw new Error(`${file}: token file is readable by other users (mode ${(mode & 0o777).toString(8)}); chmod 600 it`);
  return readFileSync(file, 'utf8').split('\n').flatMap((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return [];
    const parts = line.split(/\s+/);
    const [scope, label, secret] = parts;
    if (parts.length !== 3 || (scope !== 'read' && scope !== 'write')) {
      throw new Error(`${file}:${i + 1}: expected "<read|write> <label> <token>"`);
    }
    return [makeToken(label!, scope, secret!, `${file}:${i + 1}`)];
  });
}

/** Comma-separated tokens from CVC_CACHE_READ_TOKENS / CVC_CACHE_WRITE_TOKENS, labelled env-read-1, env-write-1… */
export function tokensFromEnv(env: NodeJS.ProcessEnv = process.env): Token[] {
  const out: Token[] = [];
  for (const [name, scope] of [[READ_TOKENS_ENV, 'read'], [WRITE_TOKENS_ENV, 'write']] as const) {
    const secrets = (env[name] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    secrets.forEach((secret, i) => out.push(makeToken(`env-${scope}-${i + 1}`, scope, secret, name)));
  }
  return out;
}

/** The token a request's `Authorization: Bearer …` header carries, or why there is none. */
export function authenticate(tokens: Token[], header: string | undefined): Token | 'missing' | 'invalid' {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return 'missing';
  const digest = digestOf(match[1]!);
  // Compare against every token (no early exit), so timing says nothing about which matched.
  let found: Token | undefined;
  for (const token of tokens) if (timingSafeEqual(token.digest, digest)) found ??= token;
  return found ?? 'invalid';
}
