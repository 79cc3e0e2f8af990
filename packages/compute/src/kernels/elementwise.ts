// Memory-bound kernels that dominate a step once convolutions are native: binary/unary
// float32 ops (same shape, scalar, or trailing-axis broadcast), LeakyRelu and its gradient,
// Select, Sum over leading/trailing axes (bias gradients), FusedBatchNorm, fused Adam.
import type { NativeAddon } from '../addon.ts';
import { f32, size, type KernelCtx, type TF, type TensorInfo } from './util.ts';

const BINARY: Record<string, number> = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, Maximum: 4, Minimum: 5, SquaredDifference: 6 };
const UNARY: Record<string, number> = { Sqrt: 0, Square: 1, Neg: 2, Relu: 3, Exp: 4, Log: 5, Abs: 6, Sigmoid: 7, Rsqrt: 8, Reciprocal: 9 };

/** Custom kernels registered on `cpu` only while native kernels are installed. */
export const LEAKY_RELU_GRAD = 'CvcLeakyReluGrad';
export const FUSED_ADAM = 'CvcAdam';

/** True when `s` (after dropping leading 1s) equals the trailing dims of `out`. */
function trailingOf(s: readonly number[], out: readonly number[]): boolean {
  let i = 0;
  while (i < s.length && s[i] === 1) i++;
  const t = s.slice(i);
  if (t.length > out.length) return false;
  const tail = out.slice(out.length - t.length);
  return t.every((d, k) => d === tail[k]);
}

export function elementwiseKernels(tf: TF, addon: NativeAddon): Record<string, (ctx: KernelCtx) => TensorInfo | TensorInfo[]> {
  const k: Record<string, (ctx: KernelCtx) => TensorInfo | TensorInfo[]> = {};

  for (const [name, op] of Object.entries(BINARY)) {
    k[name] = (ctx) => {
      const { a, b } = ctx.inputs as { a: TensorInfo; b: TensorInfo };
      const av = f32(ctx.backend, a), bv = f32(ctx.backend, b);
      if (!av || !bv) return ctx.fallback();
      const out = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
      const n = size(out), na = av.length, nb = bv.length;
      // Equal size means identical layout (broadcasting only expands); otherwise scalar or trailing.
      const okA = na === n || na === 1 || trailingOf(a.shape, out);
      const okB = nb === n || nb === 1 || trailingOf(b.shape, out);
      if (!okA || !okB || na === 0 || nb === 0 || n === 0) return ctx.fallback();
      const o = new Float32Array(n);
      addon.binary(op, av, bv, o);
      return ctx.backend.makeTensorInfo(out, 'float32', o);
    };
  }

  for (const [name, op] of Object.entries(UNARY)) {
    k[name] = (ctx) => {
      const x = ctx.inputs['x']!;
      const xv = f32(ctx.backend, x);
      if (!xv) return ctx.fallback();
      const o = new Float32Array(xv.length);
      addon.unary(op, xv, o);
      return ctx.backend.makeTensorInfo([...x.shape], 'float32', o);
    };
  }

  k['LeakyRelu'] = (ctx) => {
    const x = ctx.inputs['x']!;
    const xv = f32(ctx.backend, x);
    if (!xv) return ctx.fallback();
    const o = new Float32Array(xv.length);
    addon.leakyRelu(xv, o, Number(ctx.attrs['alpha'] ?? 0.2));
    return ctx.backend.makeTensorInfo([...x.shape], 'float32', o);
  };

  // dx = x > 0 ? dy : alpha * dy  (one pass instead of Greater + Mul + Select)
  k[LEAKY_RELU_GRAD] = (ctx) => {
    const { dy, x } = ctx.inputs as { dy: TensorInfo; x: TensorInfo };
    const dyv = f32(ctx.backend, dy)!, xv = f32(ctx.backend, x)!;
    const o = new Float32Array(xv.length);
    addon.leakyReluGrad(dyv, xv, o, Number(ctx.attrs['alpha']));
    return ctx.backend.makeTensorInfo([...x.shape], 'float32', o);
  };

  k['Select'] = (ctx) => {
    const { condition, t, e } = ctx.inputs as { condition: TensorInfo; t: TensorInfo; e: TensorInfo };
    const tv = f32(ctx.backend, t), ev = f32(ctx.backend, e);
    const cv = ctx.backend.data.get(condition.dataId).values;
    if (!tv || !ev || condition.dtype !== 'bool' || !(cv instanceof Uint8Array) ||
        cv.length !== tv.length || tv.length !== ev.length) return ctx.fallback();
    const o = new Float32Array(tv.length);
    addon.select(cv, tv, ev, o);
    return ctx.backend.makeTensorInfo([...t.shape], 'float32', o);
  };

  k['Sum'] = (ctx) => {
    const x = ctx.inputs['x']!;
    const xv = f32(ctx.backend, x);
    if (!xv || x.shape.length === 0) return ctx.fallback();
    const axes = tf.util.parseAxisParam(ctx.attrs['axis'] as number | number[], x.shape).sort((p, q) => p - q);
    const r = x.shape.length;
    if (axes.length === 0 || new Set(axes).size !== axes.length) return ctx.fallback();
    const prefix = axes.every((ax, i) => ax === i);
    const suffix = axes.every((ax, i) => ax === r - axes.length + i);
    if (!prefix && !suffix) return ctx.fallback();
    const keep = !!ctx.attrs['keepDims'];
    const outShape = keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    const reduced = size(axes.map((ax) => x.shape[ax]!));
    const rest = xv.length / (reduced || 1);
    const o = new Float32Array(size(outShape));
    if (reduced === 0) return ctx.backend.makeTensorInfo(outShape, 'float32', o);
    if (prefix) addon.sumLeading(xv, reduced, rest, o);
    else addon.sumTrailing(xv, rest, reduced, o);
    return ctx.backend.makeTensorInfo(outShape, 'float32', o);
  };

  k['FusedBatchNorm'] = (ctx) => {
    const { x, mean, variance, offset, scale } = ctx.inputs as Record<string, TensorInfo | undefined>;
    const xv = f32(ctx.backend, x), mv = f32(ctx.backend, mean), vv = f32(ctx.backend, variance);
    const ov = offset ? f32(ctx.backend, offset) : null, sv = scale ? f32(ctx.backend, scale) : null;
    if (!x || !xv || !mv || !vv || (offset && !ov) || (scale && !sv) || x.shape.length === 0) return ctx.fallback();
    const C = x.shape[x.shape.length - 1]!;
    const ok = (v: Float32Array | null) => !v || v.length === C || v.length === 1;
    if (!ok(mv) || !ok(vv) || !ok(ov) || !ok(sv) || C === 0) return ctx.fallback();
    const o = new Float32Array(xv.length);
    addon.batchNorm(xv, o, C, mv, vv, ov, sv, Number(ctx.attrs['varianceEpsilon'] ?? 0.001));
    return ctx.backend.makeTensorInfo([...x.shape], 'float32', o);
  };

  // One Adam step for one variable: outputs [newValue, newM, newV].
  k[FUSED_ADAM] = (ctx) => {
    const { x, g, m, v } = ctx.inputs as Record<string, TensorInfo>;
    const a = ctx.attrs as Record<string, number>;
    const xv = f32(ctx.backend, x)!, gv = f32(ctx.backend, g)!, mv = f32(ctx.backend, m)!, vv = f32(ctx.backend, v)!;
    const n = xv.length;
    const xo = new Float32Array(n), mo = new Float32Array(n), vo = new Float32Array(n);
    addon.adam(xv, gv, mv, vv, a['lr']!, a['beta1']!, a['beta2']!, a['eps']!, a['b1pow']!, a['b2pow']!, xo, mo, vo);
    const shape = [...x!.shape];
    return [ctx.backend.makeTensorInfo(shape, 'float32', xo), ctx.backend.makeTensorInfo(shape, 'float32', mo),
      ctx.backend.makeTensorInfo(shape, 'float32', vo)];
  };

  return k;
}
