// Training-mode batch normalisation as two kernels (forward: y, batch mean, batch variance;
// backward: dx, dgamma, dbeta), used by batchNormTraining (../batch-norm.ts). Registered on `cpu`
// only while the native kernels are installed.
import type { NativeAddon } from '../addon.ts';
import { alloc, f32, type KernelCtx, type TF, type TensorInfo } from './util.ts';

export const BN_TRAIN = 'CvcBatchNormTrain';
export const BN_TRAIN_GRAD = 'CvcBatchNormTrainGrad';

export function normKernels(_tf: TF, addon: NativeAddon): Record<string, (ctx: KernelCtx) => TensorInfo | TensorInfo[]> {
  const channels = (x: TensorInfo) => x.shape[x.shape.length - 1]!;
  return {
    // inputs x [..., C], gamma [C], beta [C]; attrs epsilon → [y, mean [C], variance [C]]
    [BN_TRAIN]: (ctx) => {
      const { x, gamma, beta } = ctx.inputs as Record<string, TensorInfo>;
      const C = channels(x!);
      const xv = f32(ctx.backend, x)!, gv = f32(ctx.backend, gamma)!, bv = f32(ctx.backend, beta)!;
      const y = alloc(xv.length), mean = alloc(C), variance = alloc(C);
      addon.bnTrain(xv, gv, bv, C, Number(ctx.attrs['epsilon']), y, mean, variance);
      return [ctx.backend.makeTensorInfo([...x!.shape], 'float32', y), ctx.backend.makeTensorInfo([C], 'float32', mean),
        ctx.backend.makeTensorInfo([C], 'float32', variance)];
    },
    // inputs dy, x, mean, variance, gamma; attrs epsilon → [dx, dgamma, dbeta]
    [BN_TRAIN_GRAD]: (ctx) => {
      const { dy, x, mean, variance, gamma } = ctx.inputs as Record<string, TensorInfo>;
      const C = channels(x!);
      const v = (t: TensorInfo | undefined) => f32(ctx.backend, t)!;
      const dx = alloc(v(x).length), dgamma = alloc(C), dbeta = alloc(C);
      addon.bnTrainGrad(v(dy), v(x), v(mean), v(variance), v(gamma), C, Number(ctx.attrs['epsilon']), dx, dgamma, dbeta);
      return [ctx.backend.makeTensorInfo([...x!.shape], 'float32', dx), ctx.backend.makeTensorInfo([C], 'float32', dgamma),
        ctx.backend.makeTensorInfo([C], 'float32', dbeta)];
    },
  };
}
