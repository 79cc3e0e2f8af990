// Filter gradients as background tasks: with a second thread, Conv2DBackpropFilter returns at
// once and the pool's worker computes it while the backward pass goes on; reading the values
// waits for it. Results are those of the synchronous kernel, bit for bit.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAddon, type NativeAddon } from '../addon.ts';
import { useFastestBackend } from '../backend.ts';
import { rng } from '../test-util.ts';
import { poolEnabled, poolStats } from './buffer-pool.ts';

let addon: NativeAddon;
beforeAll(async () => {
  const r = await useFastestBackend(tf, { force: 'native' });
  expect(r.name).toBe('native');
  addon = loadAddon().addon!;
});

const ATTRS = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 24, 40] } as const;

/** dW computed by the addon's synchronous function on the same inputs. */
function syncFilterGrad(x: tf.Tensor, dy: tf.Tensor): Float32Array {
  const ci = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], [3, 3, 24, 40], 1, 1, 'same');
  const g = Int32Array.from([ci.batchSize, ci.inHeight, ci.inWidth, ci.inChannels, ci.outHeight, ci.outWidth, 3, 3, 1, 1, 1, 1,
    ci.padInfo.top, ci.padInfo.left]);
  const dw = new Float32Array(3 * 3 * 24 * 40);
  addon.conv2dBackpropFilter(x.dataSync() as Float32Array, dy.dataSync() as Float32Array, dw, g, 40);
  return dw;
}

describe('filter gradients in the background', () => {
  it('run on the worker when there is one, and read back exactly the synchronous result', () => {
    const R = rng(31);
    const x = R.tensor([4, 20, 20, 24]), dy = R.tensor([4, 20, 20, 40]);
    const bg0 = addon.poolStats().backgroundMs;
    const dws = [0, 1, 2].map(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, ATTRS as never) as tf.Tensor);
    // Meanwhile this thread does other work (up to 2 s) until the worker has run a task.
    const t0 = performance.now();
    const background = addon.info().threads > 1 && poolEnabled();
    while (background && addon.poolStats().backgroundMs === bg0 && performance.now() - t0 < 2000) tf.tidy(() => tf.matMul(R.tensor([64, 64]), R.tensor([64, 64])));
    // One thread, or no buffer pool (disposals unwatched): computed in the kernel call.
    if (background) expect(addon.poolStats().backgroundMs).toBeGreaterThan(bg0);
    else expect(addon.poolStats().backgroundMs).toBe(bg0);
    const want = Array.from(syncFilterGrad(x, dy));
    dws.forEach((d) => expect(Array.from(d.dataSync())).toEqual(want));
    tf.dispose([x, dy, ...dws]);
  });

  it('a result disposed unread waits for its task before its inputs can be reused', () => {
    const R = rng(32);
    const want: number[][] = [];
    for (let i = 0; i < 4; i++) {
      // Native outputs (pooled buffers) as inputs, so disposing them could recycle the memory.
      const x = tf.leakyRelu(R.tensor([4, 20, 20, 24]), 0.1), dy = tf.leakyRelu(R.tensor([4, 20, 20, 40]), 0.1);
      const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, ATTRS as never) as tf.Tensor;
      const keep = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, ATTRS as never) as tf.Tensor;
      tf.dispose([x, dy, dw]);  // dw unread; x and dy are still read by both tasks
      const reused0 = poolStats.reused;
      // Overwrite whatever buffers are free now; the pinned inputs must not be among them.
      const junk = [0, 1, 2, 3].map(() => tf.leakyRelu(tf.fill([4, 20, 20, 24], 7), 0.1));
      expect(poolStats.reused).toBeGreaterThanOrEqual(reused0);
      want.push(Array.from(keep.dataSync()));
      tf.dispose([keep, ...junk]);
    }
    // Same inputs again, synchronously: identical gradients, so nothing was overwritten meanwhile.
    const R2 = rng(32);
    for (let i = 0; i < 4; i++) {
      const x = tf.leakyRelu(R2.tensor([4, 20, 20, 24]), 0.1), dy = tf.leakyRelu(R2.tensor([4, 20, 20, 40]), 0.1);
      expect(Array.from(syncFilterGrad(x, dy)), `round ${i}`).toEqual(want[i]);
      tf.dispose([x, dy]);
    }
  });
});
