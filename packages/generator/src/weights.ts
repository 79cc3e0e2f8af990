// Named trainable variables with seeded initialisation, and their save/load.
// Models here are plain functions over these variables (trained with optimizer.minimize →
// tf.variableGrads), which keeps spectral norm, EMA and custom losses simple.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { writeFileAtomic, writeJsonAtomic, type Rng } from '@cvc/core';

export type Tf = typeof tfTypes;

export class WeightStore {
  readonly vars = new Map<string, tfTypes.Variable>();
  constructor(private readonly tf: Tf, readonly prefix: string) {}

  /** A variable of `shape` drawn from N(0, std²) with the seeded `rng` (std 0 → zeros). */
  add(name: string, shape: number[], rng: Rng, std: number, trainable = true): tfTypes.Variable {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (std !== 0) for (let i = 0; i < size; i++) values[i] = rng.normal() * std;
    // Unnamed: tfjs names it uniquely, so two models of one kind can coexist (keys here are the names).
    const v = this.tf.variable(this.tf.tensor(values, shape), trainable);
    this.vars.set(name, v);
    return v;
  }

  /** He-normal initialised kernel: std = sqrt(2 / fanIn). */
  kernel(name: string, shape: number[], fanIn: number, rng: Rng): tfTypes.Variable {
    return this.add(name, shape, rng, Math.sqrt(2 / fanIn));
  }

  get(name: string): tfTypes.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`${this.prefix}: no weight "${name}"`);
    return v;
  }

  trainable(): tfTypes.Variable[] {
    return [...this.vars.values()].filter((v) => v.trainable);
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

interface WeightsIndexEntry { name: string; shape: number[]; offset: number }

/** Save named tensors to `dir/<file>.bin` + `<file>.json` (float32, in the given order). */
export function saveTensors(dir: string, file: string, tensors: { name: string; tensor: tfTypes.Tensor }[]): void {
  const index: WeightsIndexEntry[] = [];
  const total = tensors.reduce((n, t) => n + t.tensor.size, 0);
  const data = new Float32Array(total);
  let offset = 0;
  for (const { name, tensor } of tensors) {
    data.set(tensor.dataSync() as Float32Array, offset);
    index.push({ name, shape: tensor.shape, offset });
    offset += tensor.size;
  }
  writeFileAtomic(join(dir, `${file}.bin`), new Uint8Array(data.buffer));
  writeJsonAtomic(join(dir, `${file}.json`), index);
}

/** Load what saveTensors wrote; errors name the file. */
export function loadTensors(tf: Tf, dir: string, file: string): { name: string; tensor: tfTypes.Tensor }[] {
  const indexFile = join(dir, `${file}.json`);
  const binFile = join(dir, `${file}.bin`);
  if (!existsSync(indexFile) || !existsSync(binFile)) throw new Error(`${join(dir, file)}.{json,bin}: checkpoint file missing`);
  const index = JSON.parse(readFileSync(indexFile, 'utf8')) as WeightsIndexEntry[];
  const buf = readFileSync(binFile);
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  return index.map(({ name, shape, offset }) => {
    const size = shape.reduce((a, b) => a * b, 1);
    if (offset + size > data.length) throw new Error(`${binFile}: too short for "${name}" [${shape}]`);
    return { name, tensor: tf.tensor(data.slice(offset, offset + size), shape) };
  });
}

/** Save every variable of the stores (keys "<prefix>/<name>"). */
export function saveStores(dir: string, file: string, stores: WeightStore[]): void {
  saveTensors(dir, file, stores.flatMap((s) => [...s.vars.entries()].map(([name, v]) => ({ name: `${s.prefix}/${name}`, tensor: v as tfTypes.Tensor }))));
}

/** Assign saved values into existing variables; every variable must be present with its shape. */
export function loadStores(tf: Tf, dir: string, file: string, stores: WeightStore[]): void {
  const saved = new Map(loadTensors(tf, dir, file).map((e) => [e.name, e.tensor]));
  for (const s of stores) {
    for (const [name, v] of s.vars) {
      const key = `${s.prefix}/${name}`;
      const t = saved.get(key);
      if (!t) throw new Error(`${join(dir, file)}.json: no weight "${key}"`);
      if (t.shape.join(',') !== v.shape.join(',')) throw new Error(`${join(dir, file)}.json: "${key}" has shape [${t.shape}], model needs [${v.shape}]`);
      v.assign(t);
    }
  }
  for (const t of saved.values()) t.dispose();
}
