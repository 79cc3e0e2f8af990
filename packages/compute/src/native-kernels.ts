// Registers the native kernels over tfjs's `cpu` backend (getKernel -> unregisterKernel ->
// registerKernel), keeping each original kernel as the fallback for unsupported attributes.
import type { NativeAddon } from './addon.ts';
import { convKernels } from './kernels/conv.ts';
import { elementwiseKernels, FUSED_ADAM, LEAKY_RELU_GRAD, MEAN_GRAD } from './kernels/elementwise.ts';
import { matmulKernels } from './kernels/matmul.ts';
import { poolKernels } from './kernels/pool.ts';
import { hookBackend, unhookBackend } from './kernels/buffer-pool.ts';
import { kernel, type KernelFunc, type TF, type TensorInfo } from './kernels/util.ts';

const BACKEND = 'cpu';
type GradConfig = NonNullable<ReturnType<TF['getGradient']>>;
interface Installed { names: string[]; originals: Map<string, KernelFunc>; gradients: GradConfig[] }
const installed = new WeakMap<object, Installed>();

/** Whether native kernels are currently registered for this tfjs instance. */
export function nativeInstalled(tf: TF): boolean {
  return installed.has(tf.engine());
}

/** Install once per tfjs engine; returns the overridden kernel names. */
export function installNativeKernels(tf: TF, addon: NativeAddon): string[] {
  const engine = tf.engine();
  const prev = installed.get(engine);
  if (prev) return prev.names;
  const bodies = {
    ...convKernels(tf, addon),
    ...matmulKernels(tf, addon),
    ...poolKernels(tf, addon),
    ...elementwiseKernels(tf, addon),
  };
  const names: string[] = [];
  const originals = new Map<string, KernelFunc>();
  for (const [name, body] of Object.entries(bodies)) {
    const orig = tf.getKernel(name, BACKEND)?.kernelFunc as KernelFunc | undefined;
    const fallback: KernelFunc = orig ?? (() => { throw new Error(`@cvc/compute: no ${BACKEND} kernel ${name} to fall back to`); });
    if (orig) { originals.set(name, orig); tf.unregisterKernel(name, BACKEND); }
    tf.registerKernel({ kernelName: name, backendName: BACKEND, kernelFunc: kernel(name, fallback, body) });
    names.push(name);
  }
  const gradients = [overrideLeakyReluGradient(tf), overrideMeanGradient(tf)].filter((g): g is GradConfig => !!g);
  const cpu = tf.findBackend(BACKEND);
  if (cpu) hookBackend(cpu);
  installed.set(engine, { names, originals, gradients });
  return names;
}

/** Restore the original cpu kernels (pure tfjs-backend-cpu again). */
export function uninstallNativeKernels(tf: TF): void {
  const st = installed.get(tf.engine());
  if (!st) return;
  for (const name of st.names) {
    tf.unregisterKernel(name, BACKEND);
    const orig = st.originals.get(name);
    if (orig) tf.registerKernel({ kernelName: name, backendName: BACKEND, kernelFunc: orig });
  }
  for (const g of st.gradients) tf.registerGradient(g);
  const cpu = tf.findBackend(BACKEND);
  if (cpu) unhookBackend(cpu);
  installed.delete(tf.engine());
}

/** The saved original cpu kernel (tests compare against it). */
export function originalCpuKernel(tf: TF, name: string): KernelFunc | undefined {
  return installed.get(tf.engine())?.originals.get(name);
}

/**
 * LeakyRelu's tfjs gradient is Greater + Multiply + Select over the whole activation; on the
 * native cpu path use one fused kernel instead. Other backends keep the original gradient.
 */
function overrideLeakyReluGradient(tf: TF): ReturnType<TF['getGradient']> {
  const orig = tf.getGradient('LeakyRelu');
  if (!orig) return orig;
  tf.registerGradient({
    ...orig,
    gradFunc: (dy, saved, attrs) => {
      const d = dy as unknown as TensorInfo;
      if (tf.getBackend() !== BACKEND || !nativeInstalled(tf) || d.dtype !== 'float32') return orig.gradFunc(dy, saved, attrs);
      const [x] = saved;
      const g = dy as import('@tensorflow/tfjs').Tensor;
      return { x: () => tf.engine().runKernel(LEAKY_RELU_GRAD, { dy: g, x: x! }, attrs) as import('@tensorflow/tfjs').Tensor };
    },
  });
  return orig;
}

export { FUSED_ADAM };

/**
 * Mean's tfjs gradient fills ones(x.shape) in JavaScript and runs a full-size Multiply and
 * RealDiv (global average pooling: 65k elements per step); on the native cpu path one kernel
 * computes the same values. Other backends keep the original gradient.
 */
function overrideMeanGradient(tf: TF): ReturnType<TF['getGradient']> {
  const orig = tf.getGradient('Mean');
  if (!orig) return orig;
  tf.registerGradient({
    ...orig,
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const d = dy as unknown as TensorInfo;
      if (tf.getBackend() !== BACKEND || !nativeInstalled(tf) || d.dtype !== 'float32' || !x || x.dtype !== 'float32') {
        return orig.gradFunc(dy, saved, attrs);
      }
      const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape);
      return { x: () => tf.engine().runKernel(MEAN_GRAD, { dy: dy as import('@tensorflow/tfjs').Tensor }, { shape: x.shape, axes }) as import('@tensorflow/tfjs').Tensor };
    },
  });
  return orig;
}
