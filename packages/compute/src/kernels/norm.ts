// Training-mode batch normalisation as two kernels (forward: y, batch mean, batch variance;
// backward: dx, dgamma, dbeta), used by batchNormTraining (../batch-norm.ts). Registered on `cpu`
// only while the native kernels are installed.
import type { NativeAddon } from '../addon.ts';
import { alloc, backgroundAllowed, f32, lazyTensorInfo, type KernelCtx, type TF, type TensorInfo } from './util.ts';

export const BN_TRAIN = 'CvcBatchNormTrain';
export const BN_TRAIN_GRAD = 'CvcBatchNormTrainGrad';
export const NORM_ACT = 'CvcNormAct';
export const NORM_ACT_GRAD = 'CvcNormActGrad';
export const NORM_ACTIVATIONS = { linear: 0, leakyrelu: 1, relu: 1, silu: 2 } as const;

/** attrs of NORM_ACT / NORM_ACT_GRAD: x as [N, S, C]; group 0 = batch statistics; A, B rows (N or 1; 0 = absent). */
interface NormActAttrs { N: number; S: number; C: number; group: number; epsilon: number; act: number; alpha: number; aRows: number; bRows: number }

export function normKernels(_tf: TF, addon: NativeAddon): Record<string, (ctx: KernelCtx) => TensorInfo | TensorInfo[]> {
  const channels = (x: TensorInfo) => x.shape[x.shape.length - 1]!;
  // CVC_ASYNC_NORM_GRAD=1: the batch-norm gradient starts on the pool's worker (as the async
  // convs); its three results wait for it when first read. Same arithmetic either way.
  const threads = addon.info().threads;
  const asyncGradOn = () => process.env['CVC_ASYNC_NORM_GRAD'] === '1' && backgroundAllowed(threads);  // per call (tests switch it)
  return {
    // inputs x [..., C], gamma [C], beta [C]; attrs epsilon → [y, mean [C], variance [C]]
    [BN_TRAIN]: (ctx) => {
      const { x, gamma, beta } = ctx.inputs as Record<string, TensorInfo>;
      const C = channels(x!);
      const xv = f32(ctx.backend, x)!, gv = f32(ctx.backend, gamma)!, bv = f32(ctx.backend, beta)!;
      const y = alloc(xv.length), mean = alloc(C), variance = alloc(C);
      const alpha = ctx.attrs['leakyAlpha'] as number | undefined; // absent: no activation
      addon.bnTrain(xv, gv, bv, C, Number(ctx.attrs['epsilon']), y, mean, variance, alpha === undefined ? 0 : 1, alpha ?? 0);
      return [ctx.backend.makeTensorInfo([...x!.shape], 'float32', y), ctx.backend.makeTensorInfo([C], 'float32', mean),
        ctx.backend.makeTensorInfo([C], 'float32', variance)];
    },
    // inputs dy, x, mean, variance, gamma, beta; attrs epsilon, leakyAlpha → [dx, dgamma, dbeta]
    [BN_TRAIN_GRAD]: (ctx) => {
      const { dy, x, mean, variance, gamma, beta } = ctx.inputs as Record<string, TensorInfo>;
      const C = channels(x!);
      const v = (t: TensorInfo | undefined) => f32(ctx.backend, t)!;
      const dx = alloc(v(x).length), dgamma = alloc(C), dbeta = alloc(C);
      const alpha = ctx.attrs['leakyAlpha'] as number | undefined;
      if (asyncGradOn()) {
        const inputs = [v(dy), v(x), v(mean), v(variance), v(gamma), v(beta)] as const;
        const id = addon.bnTrainGradAsync(...inputs, C, Number(ctx.attrs['epsilon']), dx, dgamma, dbeta, alpha === undefined ? 0 : 1, alpha ?? 0);
        let done = false;
        const wait = () => { if (!done) { done = true; addon.waitTask(id); } };
        const lazy = (shape: number[], out: Float32Array) => lazyTensorInfo(ctx.backend, shape, [...inputs], () => { wait(); return out; }, wait);
        return [lazy([...x!.shape], dx), lazy([C], dgamma), lazy([C], dbeta)];
      }
      addon.bnTrainGrad(v(dy), v(x), v(mean), v(variance), v(gamma), v(beta), C, Number(ctx.attrs['epsilon']), dx, dgamma, dbeta,
        alpha === undefined ? 0 : 1, alpha ?? 0);
      return [ctx.backend.makeTensorInfo([...x!.shape], 'float32', dx), ctx.backend.makeTensorInfo([C], 'float32', dgamma),
        ctx.backend.makeTensorInfo([C], 'float32', dbeta)];
    },
    // inputs x, [scale], [shift] → [y, mean, variance] (statistics [C] or [N, C / group])
    [NORM_ACT]: (ctx) => {
      const { x, scale, shift } = ctx.inputs as Record<string, TensorInfo | undefined>;
      const a = ctx.attrs as unknown as NormActAttrs;
      const stats = a.group ? a.N * (a.C / a.group) : a.C;
      const xv = f32(ctx.backend, x)!;
      const y = alloc(xv.length), mean = alloc(stats), variance = alloc(stats);
      addon.normAct(xv, y, mean, variance, a.N, a.S, a.C, a.group, a.epsilon, a.act, a.alpha,
        scale ? f32(ctx.backend, scale) : null, a.aRows, shift ? f32(ctx.backend, shift) : null, a.bRows);
      const statShape = a.group ? [a.N, a.C / a.group] : [a.C];
      return [ctx.backend.makeTensorInfo([...x!.shape], 'float32', y), ctx.backend.makeTensorInfo(statShape, 'float32', mean),
        ctx.backend.makeTensorInfo(statShape, 'float32', variance)];
    },
    // inputs dy, x, mean, variance, [scale], [shift] → [dx, dScale [N, C], dShift [N, C]]
    [NORM_ACT_GRAD]: (ctx) => {
      const { dy, x, mean, variance, scale, shift } = ctx.inputs as Record<string, TensorInfo | undefined>;
      const a = ctx.attrs as unknown as NormActAttrs;
      const v = (t: TensorInfo | undefined) => f32(ctx.backend, t)!;
      const dx = alloc(v(x).length), dA = alloc(a.N * a.C), dB = alloc(a.N * a.C);
      addon.normActGrad(v(dy), v(x), v(mean), v(variance), dx, dA, dB, a.N, a.S, a.C, a.group, a.epsilon, a.act, a.alpha,
        scale ? v(scale) : null, a.aRows, shift ? v(shift) : null, a.bRows);
      return [ctx.backend.makeTensorInfo([...x!.shape], 'float32', dx), ctx.backend.makeTensorInfo([a.N, a.C], 'float32', dA),
        ctx.backend.makeTensorInfo([a.N, a.C], 'float32', dB)];
    },
  };
}
