// `npm run bench [-- --compare] [-- --backend X] [-- --epochs N]`: trains the reference CNN of
// ../shared/bench/README.md with tfjs-layers model.fit (1000 seeded random 32x32x3 images,
// batch 32, Adam 1e-3, shuffle off, 4 epochs; figure = median of epochs 2..4) and prints one
// JSON line; --compare also runs the PyTorch reference and prints the ratio. --threads N runs
// both with N threads (default: ours all cores, PyTorch 2, as in its reference script).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { backendFromEnv, BACKEND_CHOICES, useFastestBackend, type BackendChoice } from './backend.ts';
import { fastAdam } from './fast-adam.ts';
import { loadAddon } from './addon.ts';
import { enableKernelProfiling, kernelProfileTable, profilingRequested, resetKernelProfile } from './profile.ts';
import { referenceData, referenceModel } from './reference-cnn.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const torchReference = resolve(repoRoot, '../shared/bench/torch_reference.py');
const torchInference = resolve(here, '../bench/torch_inference.py');
const PYTHON = '/usr/bin/python3';

function parseArgs(argv: string[]) {
  const o = { compare: false, backend: backendFromEnv(), epochs: 4, images: 1000, threads: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--compare') o.compare = true;
    else if (a === '--backend') {
      const b = argv[++i] as BackendChoice;
      if (!BACKEND_CHOICES.includes(b)) throw new Error(`--backend must be one of ${BACKEND_CHOICES.join(', ')}`);
      o.backend = b;
    } else if (a === '--epochs') o.epochs = Math.max(2, Number(argv[++i]));
    else if (a === '--images') o.images = Math.max(32, Number(argv[++i]));
    else if (a === '--threads') o.threads = Math.max(1, Number(argv[++i]));  // ours and PyTorch
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, d = 4) => Number(x.toFixed(d));

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.threads) process.env['CVC_THREADS'] = String(opts.threads);  // read when the pool starts
  const backend = await useFastestBackend(tf, opts.backend ? { force: opts.backend } : {});
  console.error(`backend: ${backend.name} (${backend.detail})`);
  const profiling = profilingRequested();
  const addon = backend.name === 'native' ? loadAddon().addon : null;
  if (profiling) enableKernelProfiling(tf, tf.getBackend(), addon ? () => addon.poolStats() : undefined);

  const n = opts.images;
  const d = referenceData(n, 1);
  const xs = tf.tensor4d(d.x, d.shape), ys = tf.tensor2d(d.y, [n, 1]);
  const model = referenceModel(tf, 42);
  const optimizer = backend.name === 'native' ? fastAdam(tf, 1e-3) : tf.train.adam(1e-3);
  model.compile({ optimizer, loss: 'binaryCrossentropy' });

  const times: number[] = [], cpus: number[] = [];
  let t0 = 0;
  let c0 = process.cpuUsage();
  // Thread counters per epoch (native path): the JS thread's CPU time, and from the pool the
  // worker's busy time, its background tasks, the JS thread's own share of parallel loops and
  // its spin-waits for workers. Contention on the shared machine inflates wall times, but these
  // split the work into what only the JS thread can do and what two cores can share.
  type Counters = { main: number; worker: number; background: number; callerJob: number; callerWait: number };
  const counters = (): Counters => {
    if (!addon) return { main: 0, worker: 0, background: 0, callerJob: 0, callerWait: 0 };
    const p = addon.poolStats();
    return { main: addon.threadCpuMs(), worker: p.workerBusyMs, background: p.backgroundMs, callerJob: p.callerJobMs, callerWait: p.callerWaitMs };
  };
  let k0 = counters();
  const perEpoch: Counters[] = [];
  const hist = await model.fit(xs, ys, {
    batchSize: 32, epochs: opts.epochs, shuffle: false, verbose: 0, yieldEvery: 'never',
    callbacks: {
      onEpochBegin: async (epoch) => {
        if (profiling && epoch === 1) resetKernelProfile();
        c0 = process.cpuUsage();
        k0 = counters();
        t0 = performance.now();
      },
      onEpochEnd: async () => {
        times.push((performance.now() - t0) / 1000);
        const c = process.cpuUsage(c0);
        cpus.push((c.user + c.system) / 1e6);
        const k = counters();
        perEpoch.push(Object.fromEntries(Object.keys(k).map((key) => [key, (k[key as keyof Counters] - k0[key as keyof Counters]) / 1000])) as Counters);
      },
    },
  });
  const epochSeconds = median(times.slice(1));
  const wall2 = times.slice(1).reduce((a, b) => a + b, 0), cpu2 = cpus.slice(1).reduce((a, b) => a + b, 0);
  const kernelTable = profiling
    ? `${kernelProfileTable(`kernels over epochs 2..${opts.epochs}`)}\nepochs 2..${opts.epochs}: ${(wall2 * 1000).toFixed(0)} ms wall, ${(cpu2 * 1000).toFixed(0)} ms process CPU (time outside kernels = tfjs/tfjs-layers bookkeeping + GC)`
    : '';

  // Inference: predict all images in one batch; median of 3 after a warm-up.
  const inf: number[] = [];
  for (let r = 0; r < 4; r++) {
    const t = performance.now();
    const p = model.predict(xs, { batchSize: n }) as tf.Tensor;
    p.dataSync();
    p.dispose();
    if (r > 0) inf.push((performance.now() - t) / 1000);
  }
  const inferenceSeconds = median(inf);
  // FNV-1a over the trained weights' bytes: equal hashes = bit-identical training arithmetic.
  let weightsFnv = 0x811c9dc5;
  for (const w of model.getWeights()) {
    for (const b of new Uint8Array(w.dataSync().slice().buffer)) weightsFnv = Math.imul(weightsFnv ^ b, 0x01000193) >>> 0;
  }
  const ours = {
    backend: backend.name, epochSeconds: round(epochSeconds), imagesPerSecond: round(n / epochSeconds, 1),
    inferenceSeconds: round(inferenceSeconds), inferenceImagesPerSecond: round(n / inferenceSeconds, 1),
    epochs: times.map((t) => round(t, 3)), epochCpuSeconds: round(median(cpus.slice(1)), 3),
    ...(addon ? threadFigures(perEpoch.slice(1), addon.info().threads) : {}), loss: round(Number(hist.history['loss']!.at(-1)), 5),
    weightsFnv: weightsFnv.toString(16).padStart(8, '0'),
    loop: 'tfjs-layers model.fit', optimizer: backend.name === 'native' ? 'fastAdam (fused native Adam)' : 'tf.train.adam', detail: backend.detail,
  };
  console.log(JSON.stringify(ours));
  if (kernelTable) console.error(kernelTable);

  if (opts.compare) compare(ours.epochSeconds, ours.inferenceSeconds, opts.threads || 2);
}

/**
 * Medians over epochs 2..N of the thread counters, and what they imply for two idle cores:
 * mainSerialSeconds (JS thread outside parallel loops and waits: tfjs/tfjs-layers JavaScript and
 * serial kernel parts), parallelSeconds (chunks of parallel loops, either thread),
 * backgroundSeconds (tasks the worker ran while the JS thread went on), and
 * idealTwoCoreEpochSeconds = max(mainSerial + parallel/2, all work/2): an estimate for a quiet
 * machine that ignores wake-up latency and memory-bandwidth sharing, not a measurement.
 */
function threadFigures(epochs: { main: number; worker: number; background: number; callerJob: number; callerWait: number }[], threads: number) {
  const med = (f: (e: (typeof epochs)[number]) => number) => median(epochs.map(f));
  const serial = med((e) => e.main - e.callerJob - e.callerWait), parallel = med((e) => e.callerJob + e.worker - e.background);
  const background = med((e) => e.background);
  return {
    epochWorkerBusySeconds: round(med((e) => e.worker), 3), epochMainCpuSeconds: round(med((e) => e.main), 3),
    mainSerialSeconds: round(serial, 3), parallelSeconds: round(parallel, 3), backgroundSeconds: round(background, 3),
    ...(threads > 1 ? { idealTwoCoreEpochSeconds: round(Math.max(serial + parallel / 2, (serial + parallel + background) / 2), 3) } : {}),
  };
}

function compare(epochSeconds: number, inferenceSeconds: number, threads: number) {
  if (!existsSync(PYTHON) || spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0) {
    console.error('--compare: /usr/bin/python3 with torch not available (apt-get install -y python3-torch); skipped');
    return;
  }
  if (!existsSync(torchReference)) {
    console.error(`--compare: ${torchReference} not found; skipped`);
    return;
  }
  const run = (args: string[]) => {
    const r = spawnSync(PYTHON, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
    const line = r.stdout.trim().split('\n').at(-1)!;
    console.log(line);
    return JSON.parse(line) as Record<string, number>;
  };
  const train = run([torchReference, '--threads', String(threads)]);
  const infer = run([torchInference, String(threads)]);
  console.log(JSON.stringify({
    ratio: round(epochSeconds / train['epochSeconds']!, 3),
    inferenceRatio: round(inferenceSeconds / infer['inferenceSeconds']!, 3),
    note: 'ours / pytorch (lower is better; <= 1.0 means at least as fast as PyTorch)',
  }));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
