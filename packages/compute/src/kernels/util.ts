// Shared helpers for kernels that run over tfjs's `cpu` backend storage (zero-copy).
import type * as tfjs from '@tensorflow/tfjs';
import { adopt, allocPooled, disposalsWatched, pinUntil } from './buffer-pool.ts';

export type TF = typeof tfjs;
export type TensorInfo = tfjs.TensorInfo;
export type KernelFunc = tfjs.KernelFunc;
type KernelArgs = Parameters<KernelFunc>[0];

/** The parts of tfjs-backend-cpu's MathBackendCPU that native kernels need. */
export interface CpuBackendLike {
  data: { get(dataId: object): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: string, values?: unknown): TensorInfo;
  disposeIntermediateTensorInfo(t: TensorInfo): void;
}

export interface KernelCtx {
  inputs: Record<string, TensorInfo | undefined>;
  attrs: Record<string, unknown>;
  backend: CpuBackendLike;
  /** Run the original tfjs-backend-cpu kernel (for unsupported attributes or dtypes). */
  fallback(): TensorInfo | TensorInfo[];
}

/** Float32 storage of a tensor on the cpu backend, or null (other dtype / not materialised). */
export function f32(backend: CpuBackendLike, t: TensorInfo | undefined): Float32Array | null {
  if (!t || t.dtype !== 'float32') return null;
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : null;
}

/**
 * Output buffer for a native kernel, NOT zero-filled (saves a full memory pass per tensor), and
 * recycled from disposed tensors when possible (buffer-pool.ts). Only for outputs the native
 * code writes completely.
 */
export function alloc(n: number): Float32Array {
  return n === 0 ? new Float32Array(0) : allocPooled(n);
}

export function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** How often each kernel delegated to the original cpu kernel (tests assert on this). */
export const fallbackCounts = new Map<string, number>();

/** Wraps a native kernel body as a tfjs KernelFunc with a fallback to the saved original. */
export function kernel(name: string, original: KernelFunc, body: (ctx: KernelCtx) => TensorInfo | TensorInfo[]): KernelFunc {
  return (args: KernelArgs) => {
    const ctx: KernelCtx = {
      inputs: args.inputs as Record<string, TensorInfo | undefined>,
      attrs: (args.attrs ?? {}) as Record<string, unknown>,
      backend: args.backend as unknown as CpuBackendLike,
      fallback: () => {
        fallbackCounts.set(name, (fallbackCounts.get(name) ?? 0) + 1);
        return original(args) as TensorInfo | TensorInfo[];
      },
    };
    return body(ctx);
  };
}

/**
 * Whether kernels may queue work for the pool's worker and return before it is done (see
 * BackgroundTask in native/threadpool.h): needs a second thread, disposals watched by the buffer
 * pool (a result disposed unread must wait for its task before its buffers can go), and no
 * kernel profiling (each kernel is charged its own time). CVC_ASYNC_GRADS=0 turns it off.
 */
export function backgroundAllowed(threads: number): boolean {
  return threads > 1 && disposalsWatched() && process.env['CVC_ASYNC_GRADS'] !== '0'
    && process.env['CVC_PROFILE_KERNELS'] !== '1' && process.env['CVC_LAZY_GRADS'] !== '0';
}

export const ACT: Record<string, number> = { linear: 0, relu: 1, relu6: 2, leakyrelu: 3, sigmoid: 4, elu: 5 };

/**
 * A float32 result computed on first read of its values. tfjs's fused-conv gradient computes
 * dx for every conv eagerly, also for the first layer whose input needs no gradient; that dx is
 * disposed unread. Readers (kernels, readSync) all go through `data.get(id).values`, so a getter
 * there defers the work until someone needs it. Inputs are captured as typed arrays, which stay
 * valid even if their tensors are disposed first. (CVC_LAZY_GRADS=0 disables; so does kernel
 * profiling, so that the time is charged to the right kernel.)
 */
export function lazyTensorInfo(backend: CpuBackendLike, shape: number[], captured: Float32Array[],
  compute: () => Float32Array, onDisposeUnread?: () => void): TensorInfo {
  if (process.env['CVC_LAZY_GRADS'] === '0' || process.env['CVC_PROFILE_KERNELS'] === '1') {
    return backend.makeTensorInfo(shape, 'float32', compute());
  }
  const info = backend.makeTensorInfo(shape, 'float32', new Float32Array(0));
  // The captured inputs may outlive their tensors: their buffers stay out of the pool until
  // this result is computed or disposed.
  const release = pinUntil(info, captured, onDisposeUnread);
  const rec = backend.data.get(info.dataId) as { values?: unknown };
  let cache: unknown;
  let pending: (() => Float32Array) | null = compute;
  Object.defineProperty(rec, 'values', {
    configurable: true,
    enumerable: true,
    get() {
      if (pending) { cache = pending(); pending = null; release(); adopt(info, cache as Float32Array); }
      return cache;
    },
    set(v: unknown) { cache = v; pending = null; release(); },
  });
  return info;
}
