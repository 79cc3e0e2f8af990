// Format `float-tensor`: a folder with
//   data.f32       float32 little-endian, row-major, no header
//   manifest.json  shape, dtype, sha256 of data.f32, and whatever describes the rows
//                  (e.g. which image each row is, which layer it came from)
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256, writeFileAtomic, writeJsonAtomic } from '../files.ts';

export interface FloatTensorManifest {
  format: 'float-tensor';
  shape: number[];
  dtype: 'float32';
  sha256: string;
  [key: string]: unknown;
}

export const DATA_FILE = 'data.f32';

export function writeFloatTensor(dir: string, data: Float32Array, shape: number[], describe: Record<string, unknown> = {}): void {
  const expected = shape.reduce((a, b) => a * b, 1);
  if (data.length !== expected) throw new Error(`${dir}: ${data.length} values do not fill shape [${shape}]`);
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  writeFileAtomic(join(dir, DATA_FILE), bytes);
  const manifest: FloatTensorManifest = { format: 'float-tensor', shape, dtype: 'float32', sha256: sha256(bytes), ...describe };
  writeJsonAtomic(join(dir, 'manifest.json'), manifest);
}

export function readFloatTensor<M extends FloatTensorManifest = FloatTensorManifest>(dir: string): { data: Float32Array; manifest: M } {
  const manifestFile = join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) throw new Error(`${manifestFile}: tensor manifest not found`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as M;
  if (manifest.format !== 'float-tensor') throw new Error(`${manifestFile}: format is "${String(manifest.format)}", expected "float-tensor"`);
  const file = join(dir, DATA_FILE);
  if (!existsSync(file)) throw new Error(`${file}: tensor data not found`);
  const buffer = readFileSync(file);
  if (sha256(buffer) !== manifest.sha256) throw new Error(`${file}: sha256 does not match manifest.json (file changed or corrupt)`);
  const expected = manifest.shape.reduce((a, b) => a * b, 1);
  if (buffer.byteLength !== expected * 4) throw new Error(`${file}: ${buffer.byteLength} bytes, manifest shape [${manifest.shape}] needs ${expected * 4}`);
  // Copy into an aligned buffer: a Buffer from readFileSync may sit at an offset not divisible by 4.
  const data = new Float32Array(expected);
  new Uint8Array(data.buffer).set(buffer);
  return { data, manifest };
}
