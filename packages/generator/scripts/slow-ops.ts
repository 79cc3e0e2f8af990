// Why a diffusion UNet step was ~20 s: forward + backward of the UNet's building blocks at one
// typical activation [64, 32, 32, 32], written the usual tfjs way (kernels without a native
// implementation run in plain JS) and the way diffusion.ts writes them (native kernels only).
// CVC_THREADS=1 nice -n 5 npx tsx packages/generator/scripts/slow-ops.ts
import { performance } from 'node:perf_hooks';
import { createRng } from '@cvc/core';
import { initCompute, tf } from '@cvc/core/backend';
import { groupNorm, silu, spread } from '../src/native-ops.ts';

await initCompute();
const [n, h, w, c] = [64, 32, 32, 32];
const rng = createRng(1);
const rand = (shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);
const x = rand([n, h, w, c]) as tf.Tensor4D;
const x16 = rand([n, 16, 16, c]) as tf.Tensor4D;
const v = rand([n, c]) as tf.Tensor2D;
const k = rand([4, 4, c, c]) as tf.Tensor4D;

function time(f: () => tf.Tensor): { wall: number; cpu: number } {
  const g = () => tf.tidy(() => tf.grads((a: tf.Tensor) => tf.sum(f() as tf.Tensor).mul(a.sum()))([x]));
  tf.dispose(g()); // warm-up
  const reps = 3;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) tf.dispose(g());
  const cpu = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / reps, cpu: (cpu.user + cpu.system) / 1000 / reps };
}

// Each case: what it computes, the usual tfjs way, our native-kernel way. Inputs reach the graph through x / v.
const cases: [string, () => tf.Tensor, () => tf.Tensor][] = [
  ['per-sample channel bias x + v[n,1,1,c]', () => tf.add(x, v.reshape([n, 1, 1, c])), () => tf.add(x, spread(tf, v, h, w))],
  ['group norm (8 groups)', () => {
    const g = x.reshape([n, h, w, 8, c / 8]);
    const { mean, variance } = tf.moments(g, [1, 2, 4], true);
    return tf.mul(tf.sub(g, mean), tf.rsqrt(tf.add(variance, 1e-5))).reshape([n, h, w, c]);
  }, () => groupNorm(tf, x, 8)],
  ['skip connection (concat vs add)', () => tf.concat([x, x], 3), () => tf.add(x, x)],
  ['2x upsampling of [64,16,16,32]', () => tf.add(tf.image.resizeNearestNeighbor(x16, [h, w]), x), () => tf.add(tf.conv2dTranspose(x16, k, [n, h, w, c], 2, 'same'), x)],
  ['activation (ReLU vs SiLU)', () => tf.relu(x), () => silu(tf, x)],
  ['tanh vs 2·sigmoid(2x) − 1', () => tf.tanh(x), () => tf.sub(tf.mul(tf.sigmoid(tf.mul(x, 2)), 2), 1)],
  ['transpose NHWC → NCHW', () => tf.transpose(x, [0, 3, 1, 2]), () => tf.mul(x, 1)],
];
console.log(`forward + backward at [${n}, ${h}, ${w}, ${c}], ms per call (wall / process CPU)`);
console.log('op'.padEnd(42), 'usual tfjs'.padStart(18), 'native-only'.padStart(18));
for (const [name, slow, fast] of cases) {
  const a = time(slow), b = time(fast);
  console.log(name.padEnd(42), `${a.wall.toFixed(0)} / ${a.cpu.toFixed(0)}`.padStart(18), `${b.wall.toFixed(0)} / ${b.cpu.toFixed(0)}`.padStart(18));
}
