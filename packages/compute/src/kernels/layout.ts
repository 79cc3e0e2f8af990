// Concat, SplitV (Concat's gradient) and Tile for float32: tfjs-cpu runs them in JavaScript
// (SplitV slices element by element: 83 % of a VAE step, whose label channels are concatenated
// before every decoder layer). Pure copies, so the values are tfjs's exactly.
import type { NativeAddon } from '../addon.ts';
import { alloc, f32, size, type KernelCtx, type TF, type TensorInfo } from './util.ts';

export function layoutKernels(tf: TF, addon: NativeAddon): Record<string, (ctx: KernelCtx) => TensorInfo | TensorInfo[]> {
  return {
    // x viewed as [outer, len_k·inner] per input; the output as [outer, Σ len_k·inner].
    Concat: (ctx) => {
      const inputs = Object.values(ctx.inputs) as TensorInfo[];
      if (inputs.length < 2 || inputs.some((t) => t.dtype !== 'float32' || t.shape.length !== inputs[0]!.shape.length)) return ctx.fallback();
      const vals = inputs.map((t) => f32(ctx.backend, t));
      if (vals.some((v) => !v) || inputs.some((t) => size(t.shape) === 0)) return ctx.fallback();
      const axis = tf.util.parseAxisParam(ctx.attrs['axis'] as number, inputs[0]!.shape)[0]!;
      const outShape = tf.backend_util.computeOutShape(inputs.map((t) => t.shape), axis);
      const outer = size(outShape.slice(0, axis));
      const rowOut = size(outShape.slice(axis));
      const out = alloc(size(outShape));
      let offset = 0;
      inputs.forEach((t, k) => {
        const row = size(t.shape.slice(axis));
        addon.copyRows(vals[k]!, 0, row, out, offset, rowOut, outer, row);
        offset += row;
      });
      return ctx.backend.makeTensorInfo(outShape, 'float32', out);
    },

    SplitV: (ctx) => {
      const x = ctx.inputs['x']!;
      const xv = f32(ctx.backend, x);
      if (!xv || x.shape.length === 0) return ctx.fallback();
      const axis = tf.util.parseAxisParam(ctx.attrs['axis'] as number, x.shape)[0]!;
      const sizes = tf.backend_util.prepareSplitSize(x as never, ctx.attrs['numOrSizeSplits'] as number | number[], axis) as number[];
      const outer = size(x.shape.slice(0, axis));
      const inner = size(x.shape.slice(axis + 1));
      const rowIn = x.shape[axis]! * inner;
      let offset = 0;
      return sizes.map((s) => {
        const shape = [...x.shape];
        shape[axis] = s;
        const out = alloc(size(shape));
        if (out.length > 0) addon.copyRows(xv, offset, rowIn, out, 0, s * inner, outer, s * inner);
        offset += s * inner;
        return ctx.backend.makeTensorInfo(shape, 'float32', out);
      });
    },

    Tile: (ctx) => {
      const x = ctx.inputs['x']!;
      const xv = f32(ctx.backend, x);
      const reps = ctx.attrs['reps'] as number[];
      if (!xv || x.shape.length === 0 || x.shape.length > 8 || reps.length !== x.shape.length) return ctx.fallback();
      const outShape = x.shape.map((d, i) => d * reps[i]!);
      const out = alloc(size(outShape));
      if (out.length > 0) addon.tile(xv, Int32Array.from(x.shape), Int32Array.from(reps), out);
      return ctx.backend.makeTensorInfo(outShape, 'float32', out);
    },
  };
}
