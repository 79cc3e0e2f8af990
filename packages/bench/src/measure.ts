// What every workload reports: wall and CPU time, the native pool's thread counters, medians,
// and an FNV-1a hash of the trained weights (equal hash = bit-identical training arithmetic).
import type * as tfTypes from '@tensorflow/tfjs';
import type { NativeAddon } from '@cvc/compute';

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
export const round = (x: number, d = 4): number => Number(x.toFixed(d));

/** FNV-1a over the bytes of the tensors' values, as 8 hex digits. */
export function weightsFnv(tensors: readonly tfTypes.Tensor[]): string {
  let h = 0x811c9dc5;
  for (const t of tensors) {
    for (const b of new Uint8Array((t.dataSync() as Float32Array).slice().buffer)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** Cumulative counters: process CPU, and on the native path the JS thread's CPU and the pool's. */
export interface Counters { wall: number; cpu: number; main: number; worker: number; background: number; callerJob: number; callerWait: number }

export function counters(addon: NativeAddon | null): Counters {
  const c = process.cpuUsage();
  const base = { wall: performance.now() / 1000, cpu: (c.user + c.system) / 1e6 };
  if (!addon) return { ...base, main: 0, worker: 0, background: 0, callerJob: 0, callerWait: 0 };
  const p = addon.poolStats();
  return { ...base, main: addon.threadCpuMs() / 1000, worker: p.workerBusyMs / 1000, background: p.backgroundMs / 1000, callerJob: p.callerJobMs / 1000, callerWait: p.callerWaitMs / 1000 };
}

export function since(a: Counters, b: Counters): Counters {
  return Object.fromEntries(Object.keys(a).map((k) => [k, b[k as keyof Counters] - a[k as keyof Counters]])) as unknown as Counters;
}

/**
 * The split of a measured span (see packages/compute/README.md): the JS thread outside parallel
 * loops (tfjs JavaScript + serial kernel parts), all threads' parallel-loop chunks, background
 * tasks, and with 2+ threads an idealised two-core time (no wake-up latency or bandwidth
 * sharing: an estimate, not a measurement).
 */
export function threadSplit(d: Counters, threads: number, addon: boolean): Record<string, number> {
  const out: Record<string, number> = { cpuSeconds: round(d.cpu, 3) };
  if (!addon) return out;
  const serial = d.main - d.callerJob - d.callerWait, parallel = d.callerJob + d.worker - d.background;
  Object.assign(out, {
    mainCpuSeconds: round(d.main, 3), mainSerialSeconds: round(serial, 3), parallelSeconds: round(parallel, 3),
    backgroundSeconds: round(d.background, 3), workerBusySeconds: round(d.worker, 3),
  });
  if (threads > 1) out['idealTwoCoreSeconds'] = round(Math.max(serial + parallel / 2, (serial + parallel + d.background) / 2), 3);
  return out;
}
