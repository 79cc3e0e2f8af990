// Picks the TensorFlow.js compute backend once per process and logs the choice.
// The chain itself (tfjs-node → native kernels → wasm → cpu) lives in @cvc/compute;
// CVC_BACKEND forces one link of it.
import * as tf from '@tensorflow/tfjs';
import { useFastestBackend } from '@cvc/compute';
import { BACKEND_ENV } from './env.ts';

export type BackendName = 'tfjs-node' | 'native' | 'wasm' | 'cpu';
const NAMES: BackendName[] = ['tfjs-node', 'native', 'wasm', 'cpu'];

let chosen: Promise<{ name: BackendName; detail: string }> | undefined;

export function forcedBackend(env: NodeJS.ProcessEnv = process.env): BackendName | undefined {
  const value = env[BACKEND_ENV];
  if (value === undefined || value === '') return undefined;
  if (!NAMES.includes(value as BackendName)) throw new Error(`${BACKEND_ENV}=${value}: unknown backend (choose one of ${NAMES.join(', ')})`);
  return value as BackendName;
}

export function initCompute(log: (message: string) => void = (m) => process.stderr.write(`${m}\n`)): Promise<{ name: BackendName; detail: string }> {
  chosen ??= (async () => {
    const force = forcedBackend();
    const result = await useFastestBackend(tf, force ? { force } : {});
    // tfjs's cpu backend (under our native kernels too) prints "install our node backend" on its
    // first tensor: the choice is logged here, and tfjs-node cannot be installed on such machines.
    if (tf.getBackend() === 'cpu') (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
    log(`compute backend: ${result.name} (${result.detail})${force ? ` [forced by ${BACKEND_ENV}]` : ''}`);
    return result;
  })();
  return chosen;
}

export { tf };
