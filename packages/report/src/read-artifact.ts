// Reading another stage's JSON through the artifact's schema (packages/artifacts): a missing or
// malformed field fails with the file and the field named.
export { readJsonArtifact } from '@cvc/core';
