// Loads the compiled Node-API addon (build/Release/cvc_compute.node) if it was built.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

type F32 = Float32Array;
type I32 = Int32Array;

/** The native functions; every output array is allocated by the caller and filled in place. */
export interface NativeAddon {
  info(): { arch: string; threads: number };
  /** Cumulative thread-pool counters (profiling): worker time in jobs, caller time waiting for workers. */
  poolStats(): { workerBusyMs: number; callerWaitMs: number; runs: number; wakeups: number; backgroundMs: number; callerJobMs: number };
  /** CPU time of the calling (JS) thread in ms. */
  threadCpuMs(): number;
  conv2d(x: F32, w: F32, y: F32, geom: I32, F: number, bias: F32 | null, biasScalar: boolean, act: number, alpha: number): void;
  conv2dBackpropInput(dy: F32, w: F32, dx: F32, geom: I32, F: number): void;
  conv2dBackpropFilter(x: F32, dy: F32, dw: F32, geom: I32, F: number): void;
  /** Queues the filter gradient for the pool's worker; x, dy, dw must stay alive and unchanged until waitTask(id). */
  conv2dBackpropFilterAsync(x: F32, dy: F32, dw: F32, geom: I32, F: number): number;
  /** conv2d / conv2dBackpropInput queued for the pool's worker (same arguments); inputs and output must stay alive and unchanged until waitTask(id). */
  conv2dAsync(x: F32, w: F32, y: F32, geom: I32, F: number, bias: F32 | null, biasScalar: boolean, act: number, alpha: number): number;
  conv2dBackpropInputAsync(dy: F32, w: F32, dx: F32, geom: I32, F: number): number;
  waitTask(id: number): void;
  matmul(a: F32, b: F32, c: F32, batch: number, M: number, N: number, K: number, transA: boolean, transB: boolean,
    aBatchStride: number, bBatchStride: number, bias: F32 | null, biasScalar: boolean, act: number, alpha: number): void;
  maxPool(x: F32, y: F32, geom: I32): void;
  maxPoolGrad(dy: F32, x: F32, dx: F32, geom: I32): void;
  avgPool(x: F32, y: F32, geom: I32): void;
  avgPoolGrad(dy: F32, dx: F32, geom: I32): void;
  binary(op: number, a: F32, b: F32, out: F32): void;
  unary(op: number, x: F32, out: F32): void;
  leakyRelu(x: F32, y: F32, alpha: number): void;
  leakyReluGrad(dy: F32, x: F32, dx: F32, alpha: number): void;
  /** dx = dy · step(x) (tfjs's Relu gradient) in one pass. */
  reluGrad(dy: F32, x: F32, dx: F32): void;
  select(cond: Uint8Array, a: F32, b: F32, out: F32): void;
  binaryStrided(op: number, a: F32, b: F32, out: F32, dims: I32, stridesA: I32, stridesB: I32): void;
  reduceSum(x: F32, outer: number, red: number, inner: number, scale: number, out: F32): void;
  batchNorm(x: F32, out: F32, C: number, mean: F32, variance: F32, offset: F32 | null, scale: F32 | null, eps: number): void;
  adam(v: F32, g: F32, m: F32, s: F32, lr: number, b1: number, b2: number, eps: number, b1pow: number, b2pow: number,
    vOut: F32, mOut: F32, sOut: F32): void;
  /** Adam for many variables in one parallel call; each slot [var, g, m, v, varOut, mOut, vOut], outputs may alias inputs. */
  adamAll(slots: F32[][], lr: number, b1: number, b2: number, eps: number, b1pow: number, b2pow: number): void;
  /** SGD (Nesterov) momentum for many variables; each slot [var, g, acc, varOut, accOut]; decays[i] NaN = none. */
  momentumAll(slots: F32[][], decays: F32, momentum: number, c: number, nesterov: boolean): void;
  /** Training-mode batch norm over the last axis (C channels), act 1 = then a leaky ReLU: y, and the batch mean and (biased) variance. */
  bnTrain(x: F32, gamma: F32, beta: F32, C: number, eps: number, y: F32, mean: F32, variance: F32, act: number, alpha: number): void;
  bnTrainGrad(dy: F32, x: F32, mean: F32, variance: F32, gamma: F32, beta: F32, C: number, eps: number, dx: F32, dgamma: F32, dbeta: F32,
    act: number, alpha: number): void;
  /** bnTrainGrad queued for the pool's worker (same arguments); every array must stay alive and unchanged until waitTask(id). */
  bnTrainGradAsync(dy: F32, x: F32, mean: F32, variance: F32, gamma: F32, beta: F32, C: number, eps: number, dx: F32, dgamma: F32, dbeta: F32,
    act: number, alpha: number): number;
  /** dst[dstOffset + r·dstStride + j] = src[srcOffset + r·srcStride + j] for r < rows, j < len. */
  copyRows(src: F32, srcOffset: number, srcStride: number, dst: F32, dstOffset: number, dstStride: number, rows: number, len: number): void;
  tile(x: F32, dims: I32, reps: I32, out: F32): void;
  /** out = average·d + weight·c per slot [average, weight, out] (out may be average). */
  emaAll(slots: F32[][], d: number, c: number): void;
  /** Batch augmentation copy: image j = src[idx[j]] flipped / shifted / cut out per params[5j..5j+4] = flip, dx, dy, cx0, cy0. */
  augmentCopy(src: F32, idx: I32, params: I32, cutout: number, size: number, dst: F32): void;
  /** Normalisation (batch: group 0, else channels per group) + affine [aN|bN, C] + activation (0 none, 1 leaky, 2 SiLU). */
  normAct(x: F32, y: F32, mean: F32, variance: F32, N: number, S: number, C: number, group: number, eps: number, act: number, alpha: number,
    A: F32 | null, aN: number, B: F32 | null, bN: number): void;
  normActGrad(dy: F32, x: F32, mean: F32, variance: F32, dx: F32, dA: F32, dB: F32, N: number, S: number, C: number, group: number,
    eps: number, act: number, alpha: number, A: F32 | null, aN: number, B: F32 | null, bN: number): void;
}

const here = dirname(fileURLToPath(import.meta.url));
/** Where `npm run build:native` puts the addon (override with CVC_ADDON_PATH). */
export const defaultAddonPath = resolve(here, '../build/Release/cvc_compute.node');

const cache = new Map<string, { addon: NativeAddon | null; error: string }>();

/** The addon, or null with a one-line reason (missing binary, failed load). Cached per path. */
export function loadAddon(path = process.env['CVC_ADDON_PATH'] || defaultAddonPath): { addon: NativeAddon | null; error: string } {
  let r = cache.get(path);
  if (r) return r;
  if (!existsSync(path)) {
    r = { addon: null, error: `native addon not built (${path} missing; run npm run build:native -w @cvc/compute)` };
  } else {
    try {
      r = { addon: createRequire(import.meta.url)(path) as NativeAddon, error: '' };
    } catch (e) {
      r = { addon: null, error: `native addon failed to load: ${(e as Error).message.split('\n')[0]}` };
    }
  }
  cache.set(path, r);
  return r;
}
