// Fills gradient kernels the tfjs wasm backend lacks, by composing wasm kernels.
// Conv2DBackpropFilter: dW[kh,kw,c,f] = sum_{n,h,w} xpad[n, h*s+kh, w*s+kw, c] * dy[n,h,w,f]
// is itself a convolution: x' = transpose(pad(x)) [C,Hp,Wp,N] convolved (valid, dilation = s)
// with dy' = transpose(dy) [Ho,Wo,N,F] as filter -> [C, >=KH, >=KW, F] -> slice -> [KH,KW,C,F].
// MaxPoolGrad: tfjs-backend-wasm 4.22's kernel drops gradient at the last input element
// (measured: dx[N*H*W*C-1] = 0); replaced by a JS kernel with tfjs-backend-cpu semantics.
import type { TF, TensorInfo } from './kernels/util.ts';

type Shape4 = [number, number, number, number];
interface WasmLike {
  disposeData(dataId: object): void;
  readSync(dataId: object): unknown;
  makeOutput(shape: number[], dtype: string, memoryOffset?: number, values?: unknown): TensorInfo;
}
const patched = new WeakMap<object, string[]>();

export function registerWasmGradKernels(tf: TF): string[] {
  const done = patched.get(tf.engine());
  if (done) return done;
  const added: string[] = [];
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
    tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: (args) => conv2dBackpropFilter(tf, args as never) });
    added.push('Conv2DBackpropFilter');
  }
  if (tf.getKernel('MaxPoolGrad', 'wasm')) tf.unregisterKernel('MaxPoolGrad', 'wasm');
  tf.registerKernel({ kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: (args) => maxPoolGrad(tf, args as never) });
  added.push('MaxPoolGrad');
  patched.set(tf.engine(), added);
  return added;
}

function maxPoolGrad(tf: TF, args: { inputs: { dy: TensorInfo; input: TensorInfo }; attrs: Record<string, unknown>; backend: WasmLike }): TensorInfo {
  const { dy, input } = args.inputs;
  const a = args.attrs as { filterSize: number | [number, number]; strides: number | [number, number]; pad: 'same' | 'valid' | number;
    dimRoundingMode?: 'floor' | 'round' | 'ceil' };
  const ci = tf.backend_util.computePool2DInfo(input.shape as Shape4, a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  const x = args.backend.readSync(input.dataId) as Float32Array, d = args.backend.readSync(dy.dataId) as Float32Array;
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = ci;
  const dx = new Float32Array(N * H * W * C);
  for (let n = 0; n < N; n++)
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * ci.strideHeight - ci.padInfo.top;
      for (let ow = 0; ow < OW; ow++) {
        const w0 = ow * ci.strideWidth - ci.padInfo.left;
        for (let c = 0; c < C; c++) {
          let best = -Infinity, pos = -1;  // first strictly greater, like tfjs-backend-cpu
          for (let h = Math.max(0, h0); h < Math.min(H, h0 + ci.filterHeight); h++)
            for (let w = Math.max(0, w0); w < Math.min(W, w0 + ci.filterWidth); w++) {
              const i = ((n * H + h) * W + w) * C + c;
              if (x[i]! > best) { best = x[i]!; pos = i; }
            }
          if (pos >= 0) dx[pos]! += d[((n * OH + oh) * OW + ow) * C + c]!;
        }
      }
    }
  return args.backend.makeOutput([...input.shape], 'float32', undefined, dx);
}

function run(tf: TF, name: string, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown>, backend: unknown): TensorInfo {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm backend has no ${name} kernel`);
  return k.kernelFunc({ inputs, attrs, backend } as never) as TensorInfo;
}

function conv2dBackpropFilter(tf: TF, args: { inputs: { x: TensorInfo; dy: TensorInfo }; attrs: Record<string, unknown>; backend: WasmLike }): TensorInfo {
  const { x, dy } = args.inputs;
  const a = args.attrs as { strides: number | [number, number]; pad: 'same' | 'valid' | number; dataFormat?: string;
    dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: Shape4 };
  if ((a.dataFormat ?? 'NHWC') !== 'NHWC') throw new Error('Conv2DBackpropFilter (wasm, composed): only NHWC is supported');
  const ci = tf.backend_util.computeConv2DInfo(x.shape as Shape4, a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
  const b = args.backend;
  const temps: TensorInfo[] = [];
  const keep = (t: TensorInfo) => (temps.push(t), t);
  try {
    const p = ci.padInfo;
    // Only as much bottom/right padding as the strided windows actually read.
    const needH = (ci.outHeight - 1) * ci.strideHeight + ci.filterHeight, needW = (ci.outWidth - 1) * ci.strideWidth + ci.filterWidth;
    const padB = needH - ci.inHeight - p.top, padR = needW - ci.inWidth - p.left;
    let xs = x;
    if (p.top || p.left || padB > 0 || padR > 0) {
      xs = keep(run(tf, 'PadV2', { x }, { paddings: [[0, 0], [p.top, Math.max(padB, 0)], [p.left, Math.max(padR, 0)], [0, 0]], constantValue: 0 }, b));
    }
    const xt = keep(run(tf, 'Transpose', { x: xs }, { perm: [3, 1, 2, 0] }, b));  // [C, Hp, Wp, N]
    const dyt = keep(run(tf, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] }, b));  // [Ho, Wo, N, F]
    const conv = keep(run(tf, 'Conv2D', { x: xt, filter: dyt },
      { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [ci.strideHeight, ci.strideWidth] }, b));  // [C, >=KH, >=KW, F]
    const [KH, KW, C, F] = a.filterShape;
    let cut = conv;
    if (conv.shape[1] !== KH || conv.shape[2] !== KW) {
      cut = keep(run(tf, 'Slice', { x: conv }, { begin: [0, 0, 0, 0], size: [C, KH, KW, F] }, b));
    }
    return run(tf, 'Transpose', { x: cut }, { perm: [1, 2, 0, 3] }, b);  // [KH, KW, C, F]
  } finally {
    for (const t of temps) b.disposeData(t.dataId);
  }
}
