// Registers the native kernels over tfjs's `cpu` backend (getKernel -> unregisterKernel ->
// registerKernel), keeping each original kernel as the fallback for unsupported attributes.
import type { NativeAddon } from './addon.ts';
import { convKernels } from './kernels/conv.ts';
import { elementwiseKernels, FUSED_ADAM, LEAKY_RELU_GRAD, MEAN_GRAD, RELU_GRAD } from './kernels/elementwise.ts';
import { layoutKernels } from './kernels/layout.ts';
import { matmulKernels } from './kernels/matmul.ts';
import { normKernels } from './kernels/norm.ts';
import { poolKernels } from './kernels/pool.ts';
import { hookBackend, unhookBackend } from './kernels/buffer-pool.ts';
import { kernel, type KernelFunc, type TF, type TensorInfo } from './kernels/util.ts';

const BACKEND = 'cpu';
type GradConfig = NonNullable<ReturnType<TF['getGradient']>>;
interface Installed { names: string[]; originals: Map<string, KernelFunc>; gradients: GradConfig[]; restoreSaves: () => void }
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
    ...layoutKernels(tf, addon),
    ...normKernels(tf, addon),
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
  const gradients = [overrideLeakyReluGradient(tf), overrideReluGradient(tf), overrideMeanGradient(tf)].filter((g): g is GradConfig => !!g);
  const cpu = tf.findBackend(BACKEND);
  if (cpu) hookBackend(cpu);
  installed.set(engine, { names, originals, gradients, restoreSaves: fastSaves(tf) });
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
  st.restoreSaves();
  const cpu = tf.findBackend(BACKEND);
  if (cpu) unhookBackend(cpu);
  installed.delete(tf.engine());
}

/** The saved original cpu kernel (tests compare against it). */
export function originalCpuKernel(tf: TF, name: string): KernelFunc | undefined {
  return installed.get(tf.engine())?.originals.get(name);
}

type Tensor = import('@tensorflow/tfjs').Tensor;

interface EngineLike {
  backendName: string;
  backend: { incRef(dataId: object): void };
  saveTensorsForBackwardMode(tensors: Tensor[]): Tensor[];
  clone(x: Tensor): Tensor;
  isTapeOn(): boolean;
  makeTensorFromTensorInfo(info: TensorInfo, backend: unknown): Tensor;
  keep<T extends Tensor>(t: T): T;
}

/**
 * While recording gradients, tfjs saves each tensor a kernel's gradient needs as a clone made by
 * a full runKernel of Identity (≈ 140 per classifier step, ≈ 240 per pretrain step: half of all
 * kernel calls), and custom gradients' save() clones the same way. On the native cpu path the same clone — the backend's reference count, as
 * tfjs-cpu's Identity does, and a new tracked Tensor over the same data — skips that path.
 * CVC_FAST_SAVES=0 keeps tfjs's. Returns the function that restores tfjs's.
 */
function fastSaves(tf: TF): () => void {
  const engine = tf.engine() as unknown as EngineLike;
  const original = engine.saveTensorsForBackwardMode, originalClone = engine.clone;
  if (process.env['CVC_FAST_SAVES'] === '0') return () => {};
  const onNative = (e: EngineLike) => e.backendName === BACKEND && nativeInstalled(tf);
  const fastClone = (e: EngineLike, t: Tensor): Tensor => {
    e.backend.incRef(t.dataId);
    return e.makeTensorFromTensorInfo({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }, e.backend);
  };
  engine.saveTensorsForBackwardMode = function (this: EngineLike, tensors: Tensor[]): Tensor[] {
    if (!onNative(this)) return original.call(this, tensors);
    return tensors.map((t) => this.keep(fastClone(this, t)));
  };
  // The engine's own clone (custom gradients' save(), among others) where no tape records it.
  engine.clone = function (this: EngineLike, x: Tensor): Tensor {
    return onNative(this) && !this.isTapeOn() ? fastClone(this, x) : originalClone.call(this, x);
  };
  return () => {
    engine.saveTensorsForBackwardMode = original;
    engine.clone = originalClone;
  };
}
type GradFunc = GradConfig['gradFunc'];

/**
 * Replace `kernelName`'s tfjs gradient by `nativeGrad` on the native cpu path with float32 `dy`;
 * `nativeGrad` returns undefined for inputs it does not take. Everywhere else (other backends,
 * other dtypes) the original gradient runs. Returns the original (restored on uninstall).
 */
function overrideGradient(tf: TF, kernelName: string, nativeGrad: (...args: Parameters<GradFunc>) => ReturnType<GradFunc> | undefined): GradConfig | undefined {
  const orig = tf.getGradient(kernelName);
  if (!orig) return orig;
  tf.registerGradient({
    ...orig,
    gradFunc: (dy, saved, attrs) => {
      const onNative = tf.getBackend() === BACKEND && nativeInstalled(tf) && (dy as unknown as TensorInfo).dtype === 'float32';
      return (onNative ? nativeGrad(dy, saved, attrs) : undefined) ?? orig.gradFunc(dy, saved, attrs);
    },
  });
  return orig;
}

/** LeakyRelu's tfjs gradient is Greater + Multiply + Select over the whole activation: one fused kernel instead. */
function overrideLeakyReluGradient(tf: TF): GradConfig | undefined {
  return overrideGradient(tf, 'LeakyRelu', (dy, [x], attrs) => ({ x: () => tf.engine().runKernel(LEAKY_RELU_GRAD, { dy: dy as Tensor, x: x! }, attrs) as Tensor }));
}

/** Relu's tfjs gradient is Step (plain JS) + Multiply over the whole activation: one fused kernel instead. */
function overrideReluGradient(tf: TF): GradConfig | undefined {
  return overrideGradient(tf, 'Relu', (dy, [x]) => (x && x.dtype === 'float32' ? { x: () => tf.engine().runKernel(RELU_GRAD, { dy: dy as Tensor, x }) as Tensor } : undefined));
}

export { FUSED_ADAM };

/**
 * Mean's tfjs gradient fills ones(x.shape) in JavaScript and runs a full-size Multiply and
 * RealDiv (global average pooling: 65k elements per step); one kernel computes the same values.
 */
function overrideMeanGradient(tf: TF): GradConfig | undefined {
  return overrideGradient(tf, 'Mean', (dy, [x], attrs) => {
    if (!x || x.dtype !== 'float32') return undefined;
    const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape);
    return { x: () => tf.engine().runKernel(MEAN_GRAD, { dy: dy as Tensor }, { shape: x.shape, axes }) as Tensor };
  });
}
