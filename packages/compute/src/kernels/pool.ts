// MaxPool, MaxPoolGrad, AvgPool, AvgPoolGrad (NHWC, dilation 1 as in tfjs's 2-D pools).
import type { NativeAddon } from '../addon.ts';
import { alloc, f32, size, type KernelCtx, type TF, type TensorInfo } from './util.ts';

type Shape4 = [number, number, number, number];
interface PoolAttrs { filterSize: number | [number, number]; strides: number | [number, number];
  pad: 'same' | 'valid' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil' }

export function poolKernels(tf: TF, addon: NativeAddon): Record<string, (ctx: KernelCtx) => TensorInfo | TensorInfo[]> {
  /** [N,H,W,C, OH,OW, fh,fw, sh,sw, padT,padL] */
  function info(xShape: number[], a: PoolAttrs) {
    const ci = tf.backend_util.computePool2DInfo(xShape as Shape4, a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
    const g = Int32Array.from([ci.batchSize, ci.inHeight, ci.inWidth, ci.inChannels, ci.outHeight, ci.outWidth,
      ci.filterHeight, ci.filterWidth, ci.strideHeight, ci.strideWidth, ci.padInfo.top, ci.padInfo.left]);
    return { ci, g };
  }
  function forward(ctx: KernelCtx, max: boolean): TensorInfo | TensorInfo[] {
    const x = ctx.inputs['x']!;
    const xv = f32(ctx.backend, x);
    if (!xv || x.shape.length !== 4) return ctx.fallback();
    const { ci, g } = info(x.shape, ctx.attrs as unknown as PoolAttrs);
    const y = alloc(size(ci.outShape));
    if (y.length > 0) (max ? addon.maxPool : addon.avgPool)(xv, y, g);
    return ctx.backend.makeTensorInfo(ci.outShape, 'float32', y);
  }
  return {
    MaxPool: (ctx) => forward(ctx, true),
    AvgPool: (ctx) => forward(ctx, false),
    MaxPoolGrad: (ctx) => {
      const { dy, input } = ctx.inputs as { dy: TensorInfo; input: TensorInfo };
      const dyv = f32(ctx.backend, dy), xv = f32(ctx.backend, input);
      if (!dyv || !xv || input.shape.length !== 4) return ctx.fallback();
      const { g } = info(input.shape, ctx.attrs as unknown as PoolAttrs);
      const dx = alloc(size(input.shape));
      if (dx.length > 0) addon.maxPoolGrad(dyv, xv, dx, g);
      return ctx.backend.makeTensorInfo([...input.shape], 'float32', dx);
    },
    AvgPoolGrad: (ctx) => {
      const { dy, input } = ctx.inputs as { dy: TensorInfo; input: TensorInfo };
      const dyv = f32(ctx.backend, dy);
      if (!dyv || input.shape.length !== 4) return ctx.fallback();
      const { g } = info(input.shape, ctx.attrs as unknown as PoolAttrs);
      const dx = alloc(size(input.shape));
      if (dx.length > 0) addon.avgPoolGrad(dyv, dx, g);
      return ctx.backend.makeTensorInfo([...input.shape], 'float32', dx);
    },
  };
}
