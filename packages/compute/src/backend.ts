// The backend fallback chain: tfjs-node -> native kernels over cpu -> wasm (+ composed
// gradient kernels) -> plain cpu. CVC_BACKEND (passed as opts.force) forces one.
import { loadAddon } from './addon.ts';
import type { TF } from './kernels/util.ts';
import { installNativeKernels, uninstallNativeKernels } from './native-kernels.ts';
import { registerWasmGradKernels } from './wasm-grads.ts';

export type BackendChoice = 'tfjs-node' | 'native' | 'wasm' | 'cpu';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['tfjs-node', 'native', 'wasm', 'cpu'];
type Attempt = { ok: true; detail: string } | { ok: false; reason: string };

async function tryTfjsNode(tf: TF): Promise<Attempt> {
  const spec = '@tensorflow/tfjs-node';  // not a static import: usually not installed here
  try {
    await import(spec);
  } catch (e) {
    return { ok: false, reason: `${spec} not loadable (${(e as Error).message.split('\n')[0]})` };
  }
  if (!tf.findBackend('tensorflow') || !(await tf.setBackend('tensorflow'))) {
    return { ok: false, reason: `${spec} loaded but registered no 'tensorflow' backend with this tfjs` };
  }
  return { ok: true, detail: 'tfjs-node (libtensorflow)' };
}

async function tryNative(tf: TF): Promise<Attempt> {
  const { addon, error } = loadAddon();
  if (!addon) return { ok: false, reason: error };
  installNativeKernels(tf, addon);
  if (!(await tf.setBackend('cpu'))) return { ok: false, reason: 'tfjs cpu backend failed to initialise' };
  const { arch, threads } = addon.info();
  return { ok: true, detail: `native kernels: ${arch}, ${threads} thread${threads === 1 ? '' : 's'} (over tfjs cpu)` };
}

async function tryWasm(tf: TF): Promise<Attempt> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
  } catch (e) {
    return { ok: false, reason: `@tensorflow/tfjs-backend-wasm not loadable (${(e as Error).message.split('\n')[0]})` };
  }
  if (!tf.findBackendFactory('wasm')) return { ok: false, reason: 'wasm backend registered with a different tfjs-core copy' };
  const added = registerWasmGradKernels(tf);
  if (!(await tf.setBackend('wasm'))) return { ok: false, reason: 'wasm backend failed to initialise' };
  return { ok: true, detail: `tfjs wasm${added.length ? ` + composed ${added.join(', ')}` : ''}` };
}

async function tryCpu(tf: TF): Promise<Attempt> {
  uninstallNativeKernels(tf);  // "cpu" means the pure-JS kernels
  if (!(await tf.setBackend('cpu'))) return { ok: false, reason: 'tfjs cpu backend failed to initialise' };
  return { ok: true, detail: 'tfjs cpu (pure JS kernels)' };
}

const ATTEMPTS: Record<BackendChoice, (tf: TF) => Promise<Attempt>> = {
  'tfjs-node': tryTfjsNode, native: tryNative, wasm: tryWasm, cpu: tryCpu,
};

/**
 * Select the fastest working backend for `tf` (or the forced one; throws if it cannot be had).
 * Warns once per skipped fallback level that a user would expect (missing native addon).
 */
export async function useFastestBackend(
  tf: TF, opts: { force?: BackendChoice } = {},
): Promise<{ name: BackendChoice; detail: string }> {
  const force = opts.force;
  if (force !== undefined && !BACKEND_CHOICES.includes(force)) {
    throw new Error(`unknown backend '${String(force)}' (expected one of ${BACKEND_CHOICES.join(', ')})`);
  }
  for (const name of force ? [force] : BACKEND_CHOICES) {
    const r = await ATTEMPTS[name](tf);
    if (r.ok) return { name, detail: r.detail };
    if (force) throw new Error(`backend '${force}' forced (CVC_BACKEND) but unavailable: ${r.reason}`);
    if (name === 'native') console.warn(`@cvc/compute: ${r.reason}; falling back to wasm`);
  }
  throw new Error('no tfjs backend could be initialised');  // unreachable: cpu always works
}

/** Parse CVC_BACKEND (empty/undefined = automatic). */
export function backendFromEnv(value = process.env['CVC_BACKEND']): BackendChoice | undefined {
  if (!value) return undefined;
  if (!BACKEND_CHOICES.includes(value as BackendChoice)) {
    throw new Error(`CVC_BACKEND='${value}' is not one of ${BACKEND_CHOICES.join(', ')}`);
  }
  return value as BackendChoice;
}
