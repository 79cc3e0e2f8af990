// Conv2D, FusedConv2D, Conv2DBackpropInput (also conv2dTranspose), Conv2DBackpropFilter.
import type { NativeAddon } from '../addon.ts';
import { ACT, alloc, backgroundAllowed, f32, lazyTensorInfo, size, type KernelCtx, type TF, type TensorInfo } from './util.ts';

type ConvInfo = ReturnType<TF['backend_util']['computeConv2DInfo']>;
type Shape4 = [number, number, number, number];

/** [N,H,W,C, OH,OW, KH,KW, sh,sw, dh,dw, padT,padL] as the native side expects. */
function geom(ci: ConvInfo): Int32Array {
  return Int32Array.from([
    ci.batchSize, ci.inHeight, ci.inWidth, ci.inChannels, ci.outHeight, ci.outWidth,
    ci.filterHeight, ci.filterWidth, ci.strideHeight, ci.strideWidth, ci.dilationHeight, ci.dilationWidth,
    ci.padInfo.top, ci.padInfo.left,
  ]);
}

/** Bias for the GEMM epilogue: per output channel (length F) or a scalar; else unsupported. */
export function epilogueBias(ctx: KernelCtx, F: number): { ok: boolean; bias: Float32Array | null; scalar: boolean } {
  const b = ctx.inputs['bias'];
  if (!b) return { ok: true, bias: null, scalar: false };
  const v = f32(ctx.backend, b);
  const n = size(b.shape);
  if (!v || (n !== F && n !== 1) || (n === F && b.shape.length > 1 && b.shape.slice(0, -1).some((d) => d !== 1))) {
    return { ok: false, bias: null, scalar: false };
  }
  return { ok: true, bias: v, scalar: n === 1 && F !== 1 };
}

export function convKernels(tf: TF, addon: NativeAddon): Record<string, (ctx: KernelCtx) => TensorInfo | TensorInfo[]> {
  const bu = tf.backend_util;
  const threads = addon.info().threads;
  // CVC_ASYNC_CONVS=1: forward and input-gradient convs start on the pool's worker and the
  // kernel returns at once; whoever reads the result first waits for it (and shares its chunks),
  // so tfjs's bookkeeping up to that read overlaps with the conv. Same arithmetic either way.
  const asyncConvsOn = () => process.env['CVC_ASYNC_CONVS'] === '1' && backgroundAllowed(threads);  // per call (tests switch it)

  function forward(ctx: KernelCtx, fused: boolean): TensorInfo | TensorInfo[] {
    const { x, filter } = ctx.inputs as { x: TensorInfo; filter: TensorInfo };
    const a = ctx.attrs as { strides: number | [number, number]; pad: 'same' | 'valid' | number; dataFormat?: string;
      dilations: number | [number, number]; dimRoundingMode?: 'floor' | 'round' | 'ceil'; activation?: string; leakyreluAlpha?: number };
    const xv = f32(ctx.backend, x), wv = f32(ctx.backend, filter);
    if (!xv || !wv || (a.dataFormat ?? 'NHWC') !== 'NHWC' || x.shape.length !== 4) return ctx.fallback();
    const act = fused ? ACT[a.activation ?? 'linear'] : 0;
    if (act === undefined) return ctx.fallback();  // prelu and friends: tfjs's own path
    const ci = bu.computeConv2DInfo(x.shape as Shape4, filter.shape as Shape4, a.strides, a.dilations, a.pad,
      a.dimRoundingMode, false, 'channelsLast');
    const F = ci.outChannels;
    const bias = fused ? epilogueBias(ctx, F) : { ok: true, bias: null, scalar: false };
    if (!bias.ok) return ctx.fallback();
    const y = alloc(size(ci.outShape));  // [N, OH, OW, F]
    if (y.length > 0 && asyncConvsOn()) {
      const id = addon.conv2dAsync(xv, wv, y, geom(ci), F, bias.bias, bias.scalar, act, a.leakyreluAlpha ?? 0.2);
      const wait = () => addon.waitTask(id);
      return lazyTensorInfo(ctx.backend, ci.outShape, bias.bias ? [xv, wv, bias.bias] : [xv, wv], () => { wait(); return y; }, wait);
    }
    if (y.length > 0) addon.conv2d(xv, wv, y, geom(ci), F, bias.bias, bias.scalar, act, a.leakyreluAlpha ?? 0.2);
    return ctx.backend.makeTensorInfo(ci.outShape, 'float32', y);
  }

  return {
    Conv2D: (ctx) => forward(ctx, false),
    FusedConv2D: (ctx) => forward(ctx, true),

    Conv2DBackpropInput: (ctx) => {
      const { dy, filter } = ctx.inputs as { dy: TensorInfo; filter: TensorInfo };
      const a = ctx.attrs as { strides: number | [number, number]; pad: 'same' | 'valid' | number; dataFormat?: string;
        dimRoundingMode?: 'floor' | 'round' | 'ceil'; inputShape: Shape4 };
      const dyv = f32(ctx.backend, dy), wv = f32(ctx.backend, filter);
      if (!dyv || !wv || (a.dataFormat ?? 'NHWC') !== 'NHWC') return ctx.fallback();
      const ci = bu.computeConv2DInfo(a.inputShape, filter.shape as Shape4, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
      const g = geom(ci), F = ci.outChannels, n = size(a.inputShape);
      // Few input channels: most likely the model's input, whose gradient nobody reads (tfjs
      // computes it anyway): computed only if read, never started ahead.
      if (n > 0 && ci.inChannels >= 8 && asyncConvsOn()) {
        const dx = alloc(n);  // [N, H, W, C]
        const id = addon.conv2dBackpropInputAsync(dyv, wv, dx, g, F);
        const wait = () => addon.waitTask(id);
        return lazyTensorInfo(ctx.backend, [...a.inputShape], [dyv, wv], () => { wait(); return dx; }, wait);
      }
      return lazyTensorInfo(ctx.backend, [...a.inputShape], [dyv, wv], () => {
        const dx = alloc(n);  // [N, H, W, C]
        if (n > 0) addon.conv2dBackpropInput(dyv, wv, dx, g, F);
        return dx;
      });
    },

    Conv2DBackpropFilter: (ctx) => {
      const { x, dy } = ctx.inputs as { x: TensorInfo; dy: TensorInfo };
      const a = ctx.attrs as { strides: number | [number, number]; pad: 'same' | 'valid' | number; dataFormat?: string;
        dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: Shape4 };
      const xv = f32(ctx.backend, x), dyv = f32(ctx.backend, dy);
      if (!xv || !dyv || (a.dataFormat ?? 'NHWC') !== 'NHWC') return ctx.fallback();
      const ci = bu.computeConv2DInfo(x.shape as Shape4, a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
      const dw = alloc(size(a.filterShape));  // [KH, KW, C, F]
      if (dw.length > 0 && backgroundAllowed(threads)) {
        // Read only by the optimizer at the end of the step: the pool's worker computes it while
        // this thread goes on with the rest of the backward pass and tfjs's bookkeeping.
        const id = addon.conv2dBackpropFilterAsync(xv, dyv, dw, geom(ci), ci.outChannels);
        const wait = () => addon.waitTask(id);
        return lazyTensorInfo(ctx.backend, [...a.filterShape], [xv, dyv], () => { wait(); return dw; }, wait);
      }
      if (dw.length > 0) addon.conv2dBackpropFilter(xv, dyv, dw, geom(ci), ci.outChannels);
      return ctx.backend.makeTensorInfo([...a.filterShape], 'float32', dw);
    },
  };
}
