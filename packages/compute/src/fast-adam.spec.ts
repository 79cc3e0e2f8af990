// fastAdam: one native call per step for all variables, in place when nobody else can see a
// variable's buffer; the same maths as tf.train.adam; snapshots of old values stay intact.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAddon, type NativeAddon } from './addon.ts';
import { useFastestBackend } from './backend.ts';
import { fastAdam, fastAdamStats } from './fast-adam.ts';
import { poolEnabled } from './kernels/buffer-pool.ts';
import { expectClose, rng } from './test-util.ts';

let addon: NativeAddon;
beforeAll(async () => {
  const r = await useFastestBackend(tf, { force: 'native' });
  expect(r.name).toBe('native');
  addon = loadAddon().addon!;
});

/** The backing array of a tensor, read without readSync (which would mark it handed out). */
function storage(t: tf.Tensor): Float32Array {
  return (tf.backend() as unknown as { data: { get(id: object): { values: Float32Array } } }).data.get(t.dataId).values;
}

/** Variables of several sizes (one big enough for both threads) and a loss over them. */
let made = 0;
function problem(seed: number) {
  const R = rng(seed);
  const vars = [R.tensor([3, 5]), R.tensor([40000]), R.tensor([1])].map((t, i) => tf.variable(t, true, `fastAdamSpec${made++}`));
  const targets = vars.map((v) => R.tensor(v.shape));
  const loss = () => tf.addN(vars.map((v, i) => tf.sum(tf.mul(tf.square(tf.sub(v, targets[i]!)), tf.sin(targets[i]!))))) as tf.Scalar;
  return { vars, targets, loss };
}

describe('fastAdam', () => {
  it('follows tf.train.adam step by step', () => {
    const a = problem(1), b = problem(1);
    const fast = fastAdam(tf, 0.01), ref = tf.train.adam(0.01);
    for (let s = 0; s < 4; s++) {
      fast.minimize(a.loss, false, a.vars);
      ref.minimize(b.loss, false, b.vars);
      a.vars.forEach((v, i) => expectClose(v.dataSync(), b.vars[i]!.dataSync(), 1e-6, `step ${s} var ${i}`));
    }
    const start = problem(1);
    a.vars.forEach((v, i) => expect(Array.from(v.dataSync())).not.toEqual(Array.from(start.vars[i]!.dataSync())));  // it trains
    tf.dispose([...a.vars, ...b.vars, ...a.targets, ...b.targets, ...start.vars, ...start.targets]);
    fast.dispose(); ref.dispose();
  });

  it('updates variables in place once it owns their buffers', () => {
    const p = problem(2);
    const opt = fastAdam(tf, 0.01);
    opt.minimize(p.loss, false, p.vars);  // step 1: initializer buffers -> new buffers
    opt.minimize(p.loss, false, p.vars);
    const before = p.vars.map(storage), copies = before.map((b) => Float32Array.from(b));
    const inPlace0 = fastAdamStats.inPlace, assigned0 = fastAdamStats.assigned;
    opt.minimize(p.loss, false, p.vars);
    // 3 variables x (value, m, v). Without the buffer pool nothing tells whether values were
    // handed out, so every update goes to new buffers.
    const pool = poolEnabled();
    expect(fastAdamStats.inPlace - inPlace0).toBe(pool ? 9 : 0);
    expect(fastAdamStats.assigned - assigned0).toBe(pool ? 0 : 9);
    p.vars.forEach((v, i) => {
      if (pool) expect(storage(v)).toBe(before[i]);
      else expect(storage(v)).not.toBe(before[i]);
      expect(Array.from(storage(v))).not.toEqual(Array.from(copies[i]!));
    });
    tf.dispose([...p.vars, ...p.targets]);
    opt.dispose();
  });

  it('never changes a dataSync() array or a clone of an old value', () => {
    const p = problem(3);
    const opt = fastAdam(tf, 0.01);
    opt.minimize(p.loss, false, p.vars);
    opt.minimize(p.loss, false, p.vars);
    const seen = p.vars[1]!.dataSync(), seenCopy = Float32Array.from(seen);  // hands out the buffer
    const clone = tf.clone(p.vars[0]!), cloneCopy = Float32Array.from(storage(clone));  // shares the dataId
    opt.minimize(p.loss, false, p.vars);
    expect(Array.from(seen)).toEqual(Array.from(seenCopy));
    expect(Array.from(storage(clone))).toEqual(Array.from(cloneCopy));
    expect(Array.from(p.vars[1]!.dataSync())).not.toEqual(Array.from(seenCopy));
    expect(Array.from(p.vars[0]!.dataSync())).not.toEqual(Array.from(cloneCopy));
    tf.dispose([...p.vars, ...p.targets, clone]);
    opt.dispose();
  });
});

describe('addon.adamAll', () => {
  it('gives exactly the per-variable adam kernel results, also in place', () => {
    const R = rng(4);
    const sizes = [7, 70000, 16384, 1];
    const arr = (n: number, pos = false) => Float32Array.from({ length: n }, () => (pos ? Math.abs(R.float()) : R.float()));
    const cases = sizes.map((n) => ({ x: arr(n), g: arr(n), m: arr(n), v: arr(n, true) }));
    const hp = [0.001, 0.9, 0.999, 1e-7, 0.9 ** 3, 0.999 ** 3] as const;
    const want = cases.map((c) => {
      const o = { x: new Float32Array(c.x.length), m: new Float32Array(c.x.length), v: new Float32Array(c.x.length) };
      addon.adam(c.x, c.g, c.m, c.v, ...hp, o.x, o.m, o.v);
      return o;
    });
    // Half the slots into new arrays, half in place.
    const outs = cases.map((c, i) => (i % 2 ? { x: c.x, m: c.m, v: c.v } : { x: new Float32Array(c.x.length), m: new Float32Array(c.x.length), v: new Float32Array(c.x.length) }));
    addon.adamAll(cases.map((c, i) => [c.x, c.g, c.m, c.v, outs[i]!.x, outs[i]!.m, outs[i]!.v]), ...hp);
    outs.forEach((o, i) => {
      expect(Array.from(o.x), `x ${i}`).toEqual(Array.from(want[i]!.x));
      expect(Array.from(o.m), `m ${i}`).toEqual(Array.from(want[i]!.m));
      expect(Array.from(o.v), `v ${i}`).toEqual(Array.from(want[i]!.v));
    });
  });

  it('names the slot whose arrays do not fit', () => {
    const a = new Float32Array(4), b = new Float32Array(3);
    expect(() => addon.adamAll([[a, a, a, a, a, a, a], [a, b, a, a, a, a, a]], 0.001, 0.9, 0.999, 1e-7, 0.9, 0.999)).toThrow(/slot 1 arrays differ/);
    expect(() => addon.adamAll([[a, a, a, a, a, a, new Int32Array(4) as unknown as Float32Array]], 0.001, 0.9, 0.999, 1e-7, 0.9, 0.999)).toThrow(/slot 0 element 6/);
  });
});
