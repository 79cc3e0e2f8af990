// Per-kernel wall-clock profile (CVC_PROFILE_KERNELS=1): wraps every kernel registered for a
// backend with a timer. Kernels are synchronous on cpu/native, so timings are exact;
// nested kernel calls (composites) are counted in their parents too.
import type { KernelFunc, TF } from './kernels/util.ts';

interface Stat { calls: number; ms: number; cpuMs: number; workerMs: number; wakeups: number }
/** Cumulative thread-pool counters of the native addon (NativeAddon.poolStats). */
export type PoolStatsFn = () => { workerBusyMs: number; wakeups: number };
const stats = new Map<string, Stat>();
const wrapped = new Set<string>();

export function profilingRequested(): boolean {
  return process.env['CVC_PROFILE_KERNELS'] === '1';
}

let poolStatsFn: PoolStatsFn | undefined;

/**
 * Wrap all kernels of `backendName` (call after the backend's kernels are final). With
 * `poolStats` (the native addon's), each kernel is also charged the time the pool's worker
 * threads spent on it: how busy the other cores were while it ran.
 */
export function enableKernelProfiling(tf: TF, backendName: string, poolStats?: PoolStatsFn): void {
  poolStatsFn = poolStats;
  for (const cfg of tf.getKernelsForBackend(backendName)) {
    const key = `${backendName}/${cfg.kernelName}`;
    if (wrapped.has(key)) continue;
    wrapped.add(key);
    const inner = cfg.kernelFunc as KernelFunc;
    const byShape = process.env['CVC_PROFILE_SHAPES'] === '1';
    const timed: KernelFunc = (args) => {
      // CVC_PROFILE_SHAPES=1: one row per kernel and input shapes (which layer costs what).
      const name = byShape ? `${cfg.kernelName} ${Object.values(args.inputs).map((t) => (t ? `[${t.shape.join(',')}]` : '-')).join(' ')}` : cfg.kernelName;
      const p0 = poolStatsFn?.();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      try {
        return inner(args);
      } finally {
        const s = stats.get(name) ?? { calls: 0, ms: 0, cpuMs: 0, workerMs: 0, wakeups: 0 };
        s.calls++;
        s.ms += performance.now() - t0;
        const c = process.cpuUsage(c0);
        s.cpuMs += (c.user + c.system) / 1000;
        if (p0) {
          const p1 = poolStatsFn!();
          s.workerMs += p1.workerBusyMs - p0.workerBusyMs;
          s.wakeups += p1.wakeups - p0.wakeups;
        }
        stats.set(name, s);
      }
    };
    tf.unregisterKernel(cfg.kernelName, backendName);
    tf.registerKernel({ ...cfg, kernelFunc: timed });
  }
}

export function resetKernelProfile(): void {
  stats.clear();
}

/** Table sorted by total time, as text. */
export function kernelProfileTable(title = 'kernel profile'): string {
  const rows = [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const total = rows.reduce((s, [, v]) => s + v.ms, 0);
  const cpu = rows.reduce((s, [, v]) => s + v.cpuMs, 0);
  // cpu ms = process CPU time (all threads) while the kernel ran: a load-independent view.
  // worker ms = time the pool's worker threads ran this kernel's chunks; 'other cores' = that
  // over the kernel's wall time (1.0 = a second core busy the whole time); wakeups = runs that
  // had to wake a sleeping worker.
  const pool = poolStatsFn !== undefined;
  const lines = [`${title}: ${total.toFixed(1)} ms wall, ${cpu.toFixed(1)} ms process CPU in kernels`,
    `kernel                      calls    total ms   ms/call     %     cpu ms${pool ? '  worker ms  other cores  wakeups' : ''}`];
  for (const [name, s] of rows) {
    const extra = pool ? ` ${s.workerMs.toFixed(1).padStart(10)} ${(s.workerMs / (s.ms || 1)).toFixed(2).padStart(12)} ${String(s.wakeups).padStart(8)}` : '';
    lines.push(`${name.padEnd(26)} ${String(s.calls).padStart(7)} ${s.ms.toFixed(1).padStart(11)} ${(s.ms / s.calls).toFixed(3).padStart(9)} ${((100 * s.ms) / (total || 1)).toFixed(1).padStart(5)} ${s.cpuMs.toFixed(1).padStart(10)}${extra}`);
  }
  return lines.join('\n');
}
