// @cvc/compute: fast TensorFlow.js on CPU without libtensorflow.
export { useFastestBackend, backendFromEnv, BACKEND_CHOICES, type BackendChoice } from './backend.ts';
export { loadAddon, type NativeAddon } from './addon.ts';
export { installNativeKernels, uninstallNativeKernels, nativeInstalled, originalCpuKernel } from './native-kernels.ts';
export { registerWasmGradKernels } from './wasm-grads.ts';
export { fastAdam } from './fast-adam.ts';
export { enableKernelProfiling, kernelProfileTable, resetKernelProfile, profilingRequested } from './profile.ts';
export { fallbackCounts } from './kernels/util.ts';
export { referenceData, referenceModel, seededRandom } from './reference-cnn.ts';
export { batchNormTraining } from './batch-norm.ts';
export { fastMomentum, isFastMomentum, type DecoupledDecay, type FastMomentumOptimizer } from './fast-momentum.ts';
export { normalizeScaleAct, type NormActOptions } from './norm-act.ts';
export { augmentCopyNative } from './augment-copy.ts';
export { emaUpdateNative } from './ema.ts';
