// Recycles the output buffers of native kernels once their tensors are disposed.
//
// Why: a training step allocates ~40 MB of fresh ArrayBuffers. V8 answers that external memory
// with a scavenge almost every step and a major GC every few steps (concurrent marking runs on a
// second core, the one our kernels want), and every output lands in cold memory. Reusing the
// buffers of disposed tensors removes nearly all of it.
//
// Safety: a buffer is reused only if nobody else can still see it. Each buffer handed out by
// `alloc` has a state: 'fresh' (not yet a tensor), 'live' (owned by exactly one dataId),
// 'pooled' (free) or 'escaped' (never reused again). It escapes when its values are read out
// (readSync/read: dataSync() hands out the backing array itself), when a second tensor is
// written over the same memory (e.g. tfjs-cpu's Slice returns subarray views). A kernel that
// keeps an input for later (lazy gradients) pins it: disposing its tensor then leaves it
// 'orphan' until the last pin is released. Only a 'live' buffer whose dataId is disposed (and
// is not pinned) goes back to the pool.
import type { CpuBackendLike, TensorInfo } from './util.ts';

type State = 'fresh' | 'live' | 'orphan' | 'pooled' | 'escaped';
interface Owned { arr: Float32Array; state: State; pins: number }

const owned = new WeakMap<ArrayBufferLike, Owned>();
const liveIds = new WeakMap<object, Owned>();  // dataId -> its buffer (never read via `values`)
const pool = new Map<number, Owned[]>();       // by element count
const onDispose = new WeakMap<object, () => void>();  // dataId -> release its pins
const MAX_POOLED_BYTES = 512 << 20;
let pooledBytes = 0;
let hooked = 0;

/** Counters for tests and the bench (reuse hit rate). */
export const poolStats = { allocated: 0, reused: 0, escaped: 0 };

export function poolEnabled(): boolean {
  return process.env['CVC_BUFFER_POOL'] !== '0';
}

/** A float32 buffer of n elements, NOT zero-filled: recycled if possible, else new. */
export function allocPooled(n: number): Float32Array {
  const list = hooked > 0 ? pool.get(n) : undefined;
  while (list && list.length > 0) {
    const o = list.pop()!;
    pooledBytes -= n * 4;
    if (o.state !== 'pooled') continue;  // escaped while pooled (a view of it was written)
    o.state = 'fresh';
    poolStats.reused++;
    return o.arr;
  }
  const arr = new Float32Array(Buffer.allocUnsafeSlow(n * 4).buffer, 0, n);
  owned.set(arr.buffer, { arr, state: 'fresh', pins: 0 });
  poolStats.allocated++;
  return arr;
}

/** Never reuse the buffer behind `v` (a kernel keeps a reference beyond its call). */
export function escape(v: ArrayBufferView | null | undefined): void {
  const o = v ? owned.get(v.buffer) : undefined;
  if (o && o.state !== 'escaped') { o.state = 'escaped'; poolStats.escaped++; }
}

function toPool(o: Owned): void {
  if (hooked === 0 || pooledBytes + o.arr.byteLength > MAX_POOLED_BYTES) { o.state = 'escaped'; return; }
  o.state = 'pooled';
  pooledBytes += o.arr.byteLength;
  const list = pool.get(o.arr.length);
  if (list) list.push(o); else pool.set(o.arr.length, [o]);
}

/**
 * Keep the buffers behind `views` from being recycled until the returned release function is
 * called, or until the tensor `info` is disposed, whichever comes first (lazy results);
 * `beforeDisposeRelease` runs first when it is the disposal (e.g. wait for a background task
 * that still reads them).
 */
export function pinUntil(info: TensorInfo, views: ArrayBufferView[], beforeDisposeRelease?: () => void): () => void {
  const os = views.map((v) => owned.get(v.buffer)).filter((o): o is Owned => !!o && o.state !== 'escaped');
  for (const o of os) o.pins++;
  let done = false;
  const release = () => {
    if (done) return;
    done = true;
    onDispose.delete(info.dataId);
    for (const o of os) if (--o.pins === 0 && o.state === 'orphan') toPool(o);
  };
  onDispose.set(info.dataId, () => { if (!done) beforeDisposeRelease?.(); release(); });
  return release;
}

/** Whether disposals are watched (pinUntil's release then runs when a tensor is disposed). */
export function disposalsWatched(): boolean {
  return hooked > 0;
}

/**
 * Whether `arr` may be overwritten in place: a native output buffer owned by exactly one live
 * tensor whose values were never handed out (dataSync/data), not viewed by another tensor and not
 * kept by a pending lazy result. (The caller also checks the tensor's refCount: tfjs shares one
 * buffer between a tensor and its reshapes/clones.) Always false without the backend hooks,
 * which are what detect values being handed out.
 */
export function exclusivelyOwned(arr: unknown): boolean {
  if (hooked === 0 || !(arr instanceof Float32Array)) return false;
  const o = owned.get(arr.buffer);
  return !!o && o.arr === arr && o.state === 'live' && o.pins === 0;
}

/** Register a buffer filled after its tensor was made (lazy results) as owned by dataId. */
export function adopt(info: TensorInfo, arr: Float32Array): void {
  const o = owned.get(arr.buffer);
  if (o && o.arr === arr && o.state === 'fresh') { o.state = 'live'; liveIds.set(info.dataId, o); }
  else escape(arr);
}

interface HookableBackend extends CpuBackendLike {
  write(values: unknown, shape: number[], dtype: string): object;
  readSync(dataId: object): unknown;
  read(dataId: object): Promise<unknown>;
  disposeData(dataId: object, force?: boolean): boolean;
  move(dataId: object, values: unknown, shape: number[], dtype: string, refCount: number): void;
}
const HOOKS = ['write', 'readSync', 'read', 'disposeData', 'move'] as const;
const hookedBackends = new WeakSet<object>();

/** Watch the cpu backend's tensor lifecycle so disposed native outputs can be reused. */
export function hookBackend(backend: object): void {
  if (!poolEnabled() || hookedBackends.has(backend)) return;
  const b = backend as HookableBackend;
  const orig = { write: b.write, readSync: b.readSync, read: b.read, disposeData: b.disposeData, move: b.move };
  b.write = function (values, shape, dtype) {
    const dataId = orig.write.call(this, values, shape, dtype);
    const o = values instanceof Float32Array ? owned.get(values.buffer) : undefined;
    if (o) {
      if (o.arr === values && o.state === 'fresh') { o.state = 'live'; liveIds.set(dataId, o); }
      else escape(values as Float32Array);
    }
    return dataId;
  };
  b.readSync = function (dataId) {
    const v = orig.readSync.call(this, dataId);
    if (ArrayBuffer.isView(v)) escape(v);
    return v;
  };
  b.read = async function (dataId) {
    const v = await orig.read.call(this, dataId);
    if (ArrayBuffer.isView(v)) escape(v);
    return v;
  };
  b.move = function (dataId, values, shape, dtype, refCount) {
    if (ArrayBuffer.isView(values)) escape(values);
    orig.move.call(this, dataId, values, shape, dtype, refCount);
  };
  b.disposeData = function (dataId, force) {
    const gone = orig.disposeData.call(this, dataId, force);
    if (!gone || (this as unknown as { data: { has(id: object): boolean } }).data.has(dataId)) return gone;
    onDispose.get(dataId)?.();
    const o = liveIds.get(dataId);
    if (o) {
      liveIds.delete(dataId);
      if (o.state === 'live') {
        if (o.pins > 0) o.state = 'orphan';
        else toPool(o);
      }
    }
    return gone;
  };
  hookedBackends.add(backend);
  hooked++;
  unhooks.set(backend, () => {
    for (const k of HOOKS) delete (b as unknown as Record<string, unknown>)[k];
    hookedBackends.delete(backend);
    hooked--;
    if (hooked === 0) { pool.clear(); pooledBytes = 0; }
  });
}

const unhooks = new WeakMap<object, () => void>();

/** Restore the backend's own methods (pure tfjs-backend-cpu again) and drop pooled buffers. */
export function unhookBackend(backend: object): void {
  unhooks.get(backend)?.();
  unhooks.delete(backend);
}
