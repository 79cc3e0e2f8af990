// `npm run bench -- [--workload <name>|all] [--compare] [--threads N] [--repeat N] [--synthetic]
//                  [--epochs N] [--images N] [--steps N] [--backend X]`
// Trains a workload on our tfjs backend and prints one JSON line; with --compare its PyTorch twin
// (twins/*.py, same network, batch, recipe and data) runs next, then a ratio line (ours /
// PyTorch; ≤ 1.0 = at least as fast). Workloads: reference-cnn (default; the study's 5-conv CNN
// of ../shared/bench), resnet-pretrain, resnet-classifier, vae, gan, diffusion; `all` = the five
// pipeline workloads, each in its own process. --threads N: ours (CVC_THREADS) and PyTorch
// alike; default: the cores available. --repeat N: N same-run comparisons, then the median ratio.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_CHOICES, backendFromEnv, enableKernelProfiling, kernelProfileTable, loadAddon, profilingRequested, useFastestBackend, type BackendChoice } from '@cvc/compute';
import { round, median } from './measure.ts';
import { runPython, runTwin, torchUnavailable, TORCH_REFERENCE, TWINS_DIR } from './twins.ts';
import { generatorWorkload } from './workloads/generator.ts';
import { referenceCnn } from './workloads/reference-cnn.ts';
import { resnetClassifier } from './workloads/resnet-classifier.ts';
import { resnetPretrain } from './workloads/resnet-pretrain.ts';
import type { RunOptions, WorkloadResult } from './workloads/types.ts';

export const WORKLOADS = ['reference-cnn', 'resnet-pretrain', 'resnet-classifier', 'vae', 'gan', 'diffusion'] as const;
type Workload = (typeof WORKLOADS)[number];
const ALL: Workload[] = ['resnet-pretrain', 'resnet-classifier', 'vae', 'gan', 'diffusion'];

interface Args { workload: Workload | 'all'; compare: boolean; threads: number; repeat: number; synthetic: boolean; backend?: BackendChoice; epochs?: number; images?: number; steps?: number }

function parseArgs(argv: string[]): Args {
  const o: Args = { workload: 'reference-cnn', compare: false, threads: 0, repeat: 1, synthetic: false };
  const b = backendFromEnv();
  if (b) o.backend = b;
  const num = (flag: string, v: string | undefined, min: number) => {
    const x = Number(v);
    if (!Number.isInteger(x) || x < min) throw new Error(`${flag} needs an integer ≥ ${min} (got ${v})`);
    return x;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--compare') o.compare = true;
    else if (a === '--synthetic') o.synthetic = true;
    else if (a === '--workload') {
      const w = argv[++i] as Workload | 'all';
      if (w !== 'all' && !WORKLOADS.includes(w)) throw new Error(`--workload must be one of ${WORKLOADS.join(', ')}, all`);
      o.workload = w;
    } else if (a === '--backend') {
      const v = argv[++i] as BackendChoice;
      if (!BACKEND_CHOICES.includes(v)) throw new Error(`--backend must be one of ${BACKEND_CHOICES.join(', ')}`);
      o.backend = v;
    } else if (a === '--threads') o.threads = num(a, argv[++i], 1);
    else if (a === '--repeat') o.repeat = num(a, argv[++i], 1);
    else if (a === '--epochs') o.epochs = num(a, argv[++i], 1);
    else if (a === '--images') o.images = num(a, argv[++i], 32);
    else if (a === '--steps') o.steps = num(a, argv[++i], 1);
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

/** Re-run this CLI for one workload in a fresh process (no state shared between workloads). */
function child(argv: string[], workload: Workload): { ratio?: number; cpuRatio?: number; lines: string[] } {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--workload' || argv[i] === '--repeat') i++;
    else rest.push(argv[i]!);
  }
  const r = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, '--workload', workload, ...rest], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
  process.stdout.write(r.stdout);
  if (r.status !== 0) throw new Error(`bench of ${workload} failed (exit ${r.status})`);
  const lines = r.stdout.trim().split('\n');
  const ratioLine = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((j) => 'ratio' in j);
  return { ...(ratioLine ? { ratio: ratioLine['ratio'] as number, cpuRatio: ratioLine['cpuRatio'] as number } : {}), lines };
}

async function runOne(a: Args): Promise<void> {
  const threads = a.threads || availableParallelism();
  process.env['CVC_THREADS'] = String(threads); // read when the native pool starts
  const backend = await useFastestBackend(tf, a.backend ? { force: a.backend } : {});
  console.error(`backend: ${backend.name} (${backend.detail})`);
  const addon = backend.name === 'native' ? loadAddon().addon : null;
  const poolThreads = addon ? addon.info().threads : 1;
  const o: RunOptions = { tf, addon, threads: poolThreads, synthetic: a.synthetic, ...(a.epochs ? { epochs: a.epochs } : {}), ...(a.images ? { images: a.images } : {}), ...(a.steps ? { steps: a.steps } : {}) };
  const workload = a.workload as Workload;
  const why = a.compare ? torchUnavailable() : '';
  if (why) console.error(`--compare: ${why}; PyTorch side skipped`);

  if (workload === 'reference-cnn') {
    const r = await referenceCnn({ ...o, backendName: backend.name, backendDetail: backend.detail });
    console.log(JSON.stringify(r.line));
    if (r.profile) console.error(r.profile);
    if (!a.compare || why) return;
    const train = runPython(TORCH_REFERENCE, ['--threads', String(threads)]);
    console.log(JSON.stringify(train));
    const infer = runPython(`${TWINS_DIR}/torch_inference.py`, [String(threads)]);
    console.log(JSON.stringify(infer));
    console.log(JSON.stringify({
      workload, ratio: round(r.epochSeconds / (train['epochSeconds'] as number), 3),
      inferenceRatio: round(r.inferenceSeconds / (infer['inferenceSeconds'] as number), 3),
      note: 'ours / pytorch (lower is better; <= 1.0 means at least as fast as PyTorch)',
    }));
    return;
  }

  const run: Record<Exclude<Workload, 'reference-cnn'>, (o: RunOptions) => Promise<WorkloadResult>> = {
    'resnet-pretrain': resnetPretrain,
    'resnet-classifier': resnetClassifier,
    vae: (o) => generatorWorkload('vae', o),
    gan: (o) => generatorWorkload('gan', o),
    diffusion: (o) => generatorWorkload('diffusion', o),
  };
  // CVC_PROFILE_KERNELS=1: per-kernel table of the whole run (warm-up included) on stderr.
  if (profilingRequested()) enableKernelProfiling(tf, tf.getBackend(), addon ? () => addon.poolStats() : undefined);
  const r = await run[workload](o);
  if (profilingRequested()) console.error(kernelProfileTable(`${workload}: kernels over the whole run`));
  console.log(JSON.stringify({
    workload, framework: `tfjs-${tf.version.tfjs}`, backend: backend.name, threads: poolThreads, seconds: round(r.seconds), unit: r.unit,
    imagesPerSecond: round(r.images / r.seconds, 1), loss: round(r.loss, 5), weightsFnv: r.weightsFnv, data: r.data, ...r.extra, detail: backend.detail,
  }));
  if (!a.compare || why) return;
  const twin = runTwin(r.twin.script, [...r.twin.args], r.twin.data, threads);
  console.log(JSON.stringify({ workload, ...twin }));
  // cpuRatio: the same for process CPU time (all threads), which a shared machine inflates far
  // less than wall time; a guide, the wall-time ratio is the figure.
  const ourCpu = (r.extra?.['cpuSeconds'] as number | undefined) ?? NaN;
  console.log(JSON.stringify({
    workload, ratio: round(r.seconds / (twin['seconds'] as number), 3), cpuRatio: round(ourCpu / (twin['cpuSeconds'] as number), 3),
    note: 'ours / pytorch seconds (lower is better; <= 1.0 means at least as fast as PyTorch)',
  }));
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const a = parseArgs(argv);
  if (a.workload !== 'all' && a.repeat === 1) return runOne(a);
  const workloads = a.workload === 'all' ? ALL : [a.workload];
  const ratios = new Map<Workload, { wall: number[]; cpu: number[] }>();
  for (let r = 0; r < a.repeat; r++) {
    for (const w of workloads) {
      const { ratio, cpuRatio } = child(argv, w);
      if (ratio === undefined) continue;
      const e = ratios.get(w) ?? { wall: [], cpu: [] };
      e.wall.push(ratio);
      if (cpuRatio !== undefined && cpuRatio !== null) e.cpu.push(cpuRatio);
      ratios.set(w, e);
    }
  }
  if (ratios.size > 0) {
    console.log(JSON.stringify({
      summary: Object.fromEntries([...ratios].map(([w, e]) => [w, { ratios: e.wall, median: round(median(e.wall), 3), cpuRatios: e.cpu }])),
      threads: a.threads || availableParallelism(),
    }));
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
