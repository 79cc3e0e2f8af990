// Whether a TensorFlow.js model folder's weight files hold as many bytes as model.json's
// weightsManifest says. tfjs itself, given a short file, fails deep inside with "the tensor should
// have N values but has M" and no file name. Kept out of tfjs-model.ts on purpose: that file is part
// of every TensorFlow.js stage's code (and cache key); the readers that need this are the CLI's.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface WeightEntry { shape: number[]; dtype?: string; quantization?: { dtype: string } }
interface ManifestGroup { paths: string[]; weights: WeightEntry[] }

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, int8: 1, uint16: 2, int16: 2, float16: 2, string: 0 };

/** Throws an error naming the weight file whose size differs from what model.json needs. */
export function assertWeightFilesComplete(dir: string): void {
  const modelFile = join(dir, 'model.json');
  if (!existsSync(modelFile)) throw new Error(`${modelFile}: model file not found`);
  let manifest: ManifestGroup[];
  try {
    manifest = (JSON.parse(readFileSync(modelFile, 'utf8')) as { weightsManifest: ManifestGroup[] }).weightsManifest;
  } catch (err) {
    throw new Error(`${modelFile}: not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(manifest)) throw new Error(`${modelFile}: no weightsManifest (not a TensorFlow.js layers model)`);
  for (const group of manifest) {
    const needed = group.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * (BYTES[w.quantization?.dtype ?? w.dtype ?? 'float32'] ?? 4), 0);
    const files = group.paths.map((p) => join(dir, p));
    for (const file of files) if (!existsSync(file)) throw new Error(`${file}: weights file not found`);
    const have = files.reduce((n, f) => n + statSync(f).size, 0);
    if (have !== needed) {
      throw new Error(`${files.join(', ')}: ${have} bytes, but ${modelFile} needs ${needed} for its ${group.weights.length} weights (${have < needed ? 'truncated' : 'too long'}: not this model's weights)`);
    }
  }
}
