// The {hash} path parameter. Nx task hashes are decimal digits today; any short run of
// letters, digits, '-' and '_' is accepted, and nothing else, so a hash can never name a
// path outside the store ('..', '/', '%2F', NUL and friends are all refused).
const HASH = /^[A-Za-z0-9_-]{1,128}$/;

export function isValidHash(hash: string): boolean {
  return HASH.test(hash);
}
