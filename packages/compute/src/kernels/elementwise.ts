// Memory-bound kernels that dominate a step once convolutions are native: binary/unary
// float32 ops (same shape, scalar, or trailing-axis broadcast), LeakyRelu and its gradient,
// Select, Sum over leading/trailing axes (bias gradients), FusedBatchNorm, fused Adam.
import type { NativeAddon } from '../addon.ts';
import { alloc, f32, size, type KernelCtx, type TF, type TensorInfo } from './util.ts';

const BINARY: Record<string, number> = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, Maximum: 4, Minimum: 5, SquaredDifference: 6 };
const UNARY: Record<string, number> = { Sqrt: 0, Square: 1, Neg: 2, Relu: 3, Exp: 4, Log: 5, Abs: 6, Sigmoid: 7, Rsqrt: 8, Reciprocal: 9 };

/** Custom kernels registered on `cpu` only while native kernels are installed. */
export const LEAKY_RELU_GRAD = 'CvcLeakyReluGrad';
export const RELU_GRAD = 'CvcReluGrad';
export const FUSED_ADAM = 'CvcAdam';
export const MEAN_GRAD = 'CvcMeanGrad';

/** True when `s` (after dropping leading 1s) equals the trailing dims of `out`. */
function trailingOf(s: readonly number[], out: readonly number[]): boolean {
  let i = 0;
  while (i < s.length && s[i] === 1) i++;
  const t = s.slice(i);
  if (t.length > out.length) return false;
  const tail = out.slice(out.length - t.length);
  return t.every((d, k) => d === tail[k]);
}

/** Element strides of `s` aligned to `out` (0 on broadcast or missing leading dims). */
function broadcastStrides(s: readonly number[], out: readonly number[]): Int32Array {
  const st = new Int32Array(out.length);
  let stride = 1;
  for (let i = out.length - 1, j = s.length - 1; i >= 0; i--, j--) {
    const d = j >= 0 ? s[j]! : 1;
    st[i] = d === 1 ? 0 : stride;
    stride *= d;
  }
  return st;
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
      if (n === 0 || out.length > 8) return ctx.fallback();
      const o = alloc(n);
      // Equal size means identical layout (broadcasting only expands); else scalar or trailing.
      const okA = na === n || na === 1 || trailingOf(a.shape, out);
      const okB = nb === n || nb === 1 || trailingOf(b.shape, out);
      if (okA && okB) addon.binary(op, av, bv, o);
      else addon.binaryStrided(op, av, bv, o, Int32Array.from(out), broadcastStrides(a.shape, out), broadcastStrides(b.shape, out));
      return ctx.backend.makeTensorInfo(out, 'float32', o);
    };
  }

  for (const [name, op] of Object.entries(UNARY)) {
    k[name] = (ctx) => {
      const x = ctx.inputs['x']!;
      const xv = f32(ctx.backend, x);
      if (!xv) return ctx.fallback();
      const o = alloc(xv.length);
      addon.unary(op, xv, o);
      return ctx.backend.makeTensorInfo([...x.shape], 'float32', o);
    };
  }

  k['LeakyRelu'] = (ctx) => {
    const x = ctx.inputs['x']!;
    const xv = f32(ctx.backend, x);
    if (!xv) return ctx.fallback();
    const o = alloc(xv.length);
    addon.leakyRelu(xv, o, Number(ctx.attrs['alpha'] ?? 0.2));
    return ctx.backend.makeTensorInfo([...x.shape], 'float32', o);
  };

  // dx = x > 0 ? dy : alpha * dy  (one pass instead of Greater + Mul + Select)
  k[LEAKY_RELU_GRAD] = (ctx) => {
    const { dy, x } = ctx.inputs as { dy: TensorInfo; x: TensorInfo };
    const dyv = f32(ctx.backend, dy)!, xv = f32(ctx.backend, x)!;
    const o = alloc(xv.length);
    addon.leakyReluGrad(dyv, xv, o, Number(ctx.attrs['alpha']));
    return ctx.backend.makeTensorInfo([...x.shape], 'float32', o);
  };

  // dx = dy · step(x): tfjs runs Step (plain JS) and a Multiply; the same values in one pass.
  k[RELU_GRAD] = (ctx) => {
    const { dy, x } = ctx.inputs as { dy: TensorInfo; x: TensorInfo };
    const dyv = f32(ctx.backend, dy)!, xv = f32(ctx.backend, x)!;
    const o = alloc(xv.length);
    addon.reluGrad(dyv, xv, o);
    return ctx.backend.makeTensorInfo([...x.shape], 'float32', o);
  };

  // Mean's gradient: dx[shape] = broadcast(dy) / reduceSize in one pass. tfjs builds
  // ones(x.shape) in JavaScript and runs a full-size Multiply and RealDiv; dy * 1 is exact, so
  // the result is the same bit for bit. attrs: shape (of x), axes (normalised, reduced).
  k[MEAN_GRAD] = (ctx) => {
    const { dy } = ctx.inputs as { dy: TensorInfo };
    const { shape, axes } = ctx.attrs as { shape: number[]; axes: number[] };
    const dyv = f32(ctx.backend, dy);
    const expanded = shape.map((d, i) => (axes.includes(i) ? 1 : d));
    if (!dyv || dyv.length !== size(expanded)) return ctx.fallback();
    const reduceSize = axes.reduce((n, a) => n * shape[a]!, 1);
    const o = alloc(size(shape));
    if (o.length > 0) {
      addon.binaryStrided(BINARY['RealDiv']!, dyv, Float32Array.of(reduceSize), o, Int32Array.from(shape),
        broadcastStrides(expanded, shape), new Int32Array(shape.length));
    }
    return ctx.backend.makeTensorInfo([...shape], 'float32', o);
  };

  k['Select'] = (ctx) => {
    const { condition, t, e } = ctx.inputs as { condition: TensorInfo; t: TensorInfo; e: TensorInfo };
    const tv = f32(ctx.backend, t), ev = f32(ctx.backend, e);
    const cv = ctx.backend.data.get(condition.dataId).values;
    if (!tv || !ev || condition.dtype !== 'bool' || !(cv instanceof Uint8Array) ||
        cv.length !== tv.length || tv.length !== ev.length) return ctx.fallback();
    const o = alloc(tv.length);
    addon.select(cv, tv, ev, o);
    return ctx.backend.makeTensorInfo([...t.shape], 'float32', o);
  };

  // Sum / Mean over a contiguous block of axes: x viewed as [outer, reduced, inner].
  const reduce = (mean: boolean) => (ctx: KernelCtx): TensorInfo | TensorInfo[] => {
    const x = ctx.inputs['x']!;
    const xv = f32(ctx.backend, x);
    if (!xv || x.shape.length === 0) return ctx.fallback();
    const axes = tf.util.parseAxisParam(ctx.attrs['axis'] as number | number[], x.shape).sort((p, q) => p - q);
    if (axes.length === 0 || new Set(axes).size !== axes.length) return ctx.fallback();
    if (axes.some((ax, i) => i > 0 && ax !== axes[i - 1]! + 1)) return ctx.fallback();  // not contiguous
    const keep = !!ctx.attrs['keepDims'];
    const outShape = keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    const outer = size(x.shape.slice(0, axes[0]!));
    const red = size(axes.map((ax) => x.shape[ax]!));
    const inner = size(x.shape.slice(axes[axes.length - 1]! + 1));
    const o = alloc(size(outShape));
    if (red === 0) {
      o.fill(mean ? NaN : 0);  // empty reduction (alloc() does not zero)
    } else if (o.length > 0) {
      addon.reduceSum(xv, outer, red, inner, mean ? 1 / red : 1, o);
    }
    return ctx.backend.makeTensorInfo(outShape, 'float32', o);
  };
  k['Sum'] = reduce(false);
  k['Mean'] = reduce(true);

  // Row gather along axis 0 (model.fit's batch slicing): plain typed-array copies.
  k['GatherV2'] = (ctx) => {
    const { x, indices } = ctx.inputs as { x: TensorInfo; indices: TensorInfo };
    const axis = tf.util.parseAxisParam(ctx.attrs['axis'] as number, x.shape)[0];
    const xv = ctx.backend.data.get(x.dataId).values, iv = ctx.backend.data.get(indices.dataId).values;
    if (axis !== 0 || Number(ctx.attrs['batchDims'] ?? 0) !== 0 || x.dtype === 'string' || x.dtype === 'complex64' ||
        !(iv instanceof Int32Array) || !(xv instanceof Float32Array || xv instanceof Int32Array || xv instanceof Uint8Array)) {
      return ctx.fallback();
    }
    const rows = x.shape[0]!, row = size(x.shape.slice(1));
    for (let i = 0; i < iv.length; i++) if (iv[i]! < 0 || iv[i]! >= rows) return ctx.fallback();  // tfjs raises
    const out = new (xv.constructor as Float32ArrayConstructor)(iv.length * row);
    for (let i = 0; i < iv.length; i++) out.set(xv.subarray(iv[i]! * row, (iv[i]! + 1) * row), i * row);
    return ctx.backend.makeTensorInfo([...indices.shape, ...x.shape.slice(1)], x.dtype, out);
  };

  k['FusedBatchNorm'] = (ctx) => {
    const { x, mean, variance, offset, scale } = ctx.inputs as Record<string, TensorInfo | undefined>;
    const xv = f32(ctx.backend, x), mv = f32(ctx.backend, mean), vv = f32(ctx.backend, variance);
    const ov = offset ? f32(ctx.backend, offset) : null, sv = scale ? f32(ctx.backend, scale) : null;
    if (!x || !xv || !mv || !vv || (offset && !ov) || (scale && !sv) || x.shape.length === 0) return ctx.fallback();
    const C = x.shape[x.shape.length - 1]!;
    const ok = (v: Float32Array | null) => !v || v.length === C || v.length === 1;
    if (!ok(mv) || !ok(vv) || !ok(ov) || !ok(sv) || C === 0) return ctx.fallback();
    const o = alloc(xv.length);
    addon.batchNorm(xv, o, C, mv, vv, ov, sv, Number(ctx.attrs['varianceEpsilon'] ?? 0.001));
    return ctx.backend.makeTensorInfo([...x.shape], 'float32', o);
  };

  // One Adam step for one variable: outputs [newValue, newM, newV].
  k[FUSED_ADAM] = (ctx) => {
    const { x, g, m, v } = ctx.inputs as Record<string, TensorInfo>;
    const a = ctx.attrs as Record<string, number>;
    const xv = f32(ctx.backend, x)!, gv = f32(ctx.backend, g)!, mv = f32(ctx.backend, m)!, vv = f32(ctx.backend, v)!;
    const n = xv.length;
    const xo = alloc(n), mo = alloc(n), vo = alloc(n);
    addon.adam(xv, gv, mv, vv, a['lr']!, a['beta1']!, a['beta2']!, a['eps']!, a['b1pow']!, a['b2pow']!, xo, mo, vo);
    const shape = [...x!.shape];
    return [ctx.backend.makeTensorInfo(shape, 'float32', xo), ctx.backend.makeTensorInfo(shape, 'float32', mo),
      ctx.backend.makeTensorInfo(shape, 'float32', vo)];
  };

  return k;
}
