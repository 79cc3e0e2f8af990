// What the fused optimizers (fastAdam, fastMomentum) share: the float32 storage of a tensor, and
// whether a variable's buffer may be overwritten in place.
import type * as tfjs from '@tensorflow/tfjs';
import type { CpuBackendLike } from './kernels/util.ts';
import { exclusivelyOwned } from './kernels/buffer-pool.ts';

export interface CpuBackendData extends CpuBackendLike {
  refCount(dataId: object): number;
}

/** The Float32Array behind a cpu-backend tensor (`who` names the caller in the error). */
export function valuesOf(backend: CpuBackendData, t: tfjs.Tensor, who: string): Float32Array {
  const v = backend.data.get(t.dataId).values;
  if (!(v instanceof Float32Array)) throw new Error(`${who}: ${t.dtype} tensor without float32 storage (float32 variables only)`);
  return v;
}

/**
 * The buffer behind a tensor if an optimizer may overwrite it in place: nobody else can see it
 * (one tensor holds the dataId, and buffer-pool.ts says the values were never handed out, e.g.
 * by dataSync(), and are not viewed or pinned elsewhere). Otherwise null: write a new buffer and
 * assign it, so snapshots (clones, dataSync() arrays) of the old value stay unchanged.
 */
export function writableInPlace(backend: CpuBackendData, t: tfjs.Tensor, values: Float32Array): Float32Array | null {
  return backend.refCount(t.dataId) === 1 && exclusivelyOwned(values) ? values : null;
}
