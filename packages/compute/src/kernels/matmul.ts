// BatchMatMul and _FusedMatMul (tfjs's matMul always reaches BatchMatMul with rank >= 3).
import type { NativeAddon } from '../addon.ts';
import { epilogueBias } from './conv.ts';
import { ACT, alloc, f32, size, type KernelCtx, type TF, type TensorInfo } from './util.ts';

export function matmulKernels(tf: TF, addon: NativeAddon): Record<string, (ctx: KernelCtx) => TensorInfo | TensorInfo[]> {
  function run(ctx: KernelCtx, fused: boolean): TensorInfo | TensorInfo[] {
    const { a, b } = ctx.inputs as { a: TensorInfo; b: TensorInfo };
    const at = ctx.attrs as { transposeA?: boolean; transposeB?: boolean; activation?: string; leakyreluAlpha?: number };
    const av = f32(ctx.backend, a), bv = f32(ctx.backend, b);
    if (!av || !bv || a.shape.length < 2 || b.shape.length < 2) return ctx.fallback();
    const ta = !!at.transposeA, tb = !!at.transposeB;
    const ra = a.shape.length, rb = b.shape.length;
    const M = ta ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const K = ta ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    const K2 = tb ? b.shape[rb - 1]! : b.shape[rb - 2]!;
    const N = tb ? b.shape[rb - 2]! : b.shape[rb - 1]!;
    if (K !== K2) return ctx.fallback();  // let tfjs raise its own error
    const aBatch = a.shape.slice(0, -2), bBatch = b.shape.slice(0, -2);
    const na = size(aBatch), nb = size(bBatch);
    if (na !== nb && na !== 1 && nb !== 1) return ctx.fallback();
    const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(aBatch, bBatch);
    const batch = Math.max(na, nb);
    if (size(outBatch) !== batch) return ctx.fallback();
    const act = fused ? ACT[at.activation ?? 'linear'] : 0;
    if (act === undefined) return ctx.fallback();
    const bias = fused ? epilogueBias(ctx, N) : { ok: true, bias: null, scalar: false };
    if (!bias.ok) return ctx.fallback();
    const outShape = [...outBatch, M, N];
    const c = alloc(size(outShape));
    if (c.length > 0) {
      addon.matmul(av, bv, c, batch, M, N, K, ta, tb, na === 1 ? 0 : M * K, nb === 1 ? 0 : K * N,
        bias.bias, bias.scalar, act, at.leakyreluAlpha ?? 0.2);
    }
    return ctx.backend.makeTensorInfo(outShape, 'float32', c);
  }
  return {
    BatchMatMul: (ctx) => run(ctx, false),
    _FusedMatMul: (ctx) => run(ctx, true),
  };
}
