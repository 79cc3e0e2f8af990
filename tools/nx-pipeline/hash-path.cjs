#!/usr/bin/env node
// Nx runtime input for an external path param (e.g. the data folder): prints one digest of
// the file names and contents under the path, so adding, removing or changing a file
// changes the hash. Usage: hash-path.cjs <default path> <ENV_NAME> (the env var, when set, wins).
const { require: tsxRequire } = require('tsx/cjs/api');
const { existsSync } = require('node:fs');
const { treeDigest } = tsxRequire('@cvc/core/files', __filename);
const [defaultPath, envName] = process.argv.slice(2);
const path = (envName && process.env[envName]) || defaultPath;
process.stdout.write(`${path} ${existsSync(path) ? treeDigest(path, { skipHidden: true }) : 'missing'}\n`);
