// SGD with (Nesterov) momentum whose whole step — every variable, plus the decoupled weight decay
// w ← w·(1 − lr·rate) the training loops apply to kernels after it — is one native call when the
// native cpu kernels are active. tfjs's MomentumOptimizer runs ~5 kernels per variable and the
// decay one more (≈ 250 small kernels per resnet step); the arithmetic here is the same float32
// operations in the same order, so the weights are identical bit for bit.
import type * as tfjs from '@tensorflow/tfjs';
import { loadAddon } from './addon.ts';
import { nativeInstalled } from './native-kernels.ts';
import { alloc, type TF } from './kernels/util.ts';
import { valuesOf, writableInPlace, type CpuBackendData } from './optimizer-buffers.ts';

/** Decoupled weight decay after a step: w ← w·factor for each of `variables` (factor = 1 − lr·rate). */
export interface DecoupledDecay {
  variables: readonly tfjs.Variable[];
  factor: number;
}

type Grads = Parameters<tfjs.MomentumOptimizer['applyGradients']>[0];

/** A MomentumOptimizer that can also apply the decoupled weight decay within its step. */
export interface FastMomentumOptimizer extends tfjs.MomentumOptimizer {
  /** applyGradients, then w ← w·factor for the decayed variables: one native call on the native path. */
  applyGradientsAndDecay(grads: Grads, decay: DecoupledDecay): void;
}

export function isFastMomentum(o: tfjs.Optimizer): o is FastMomentumOptimizer {
  return typeof (o as Partial<FastMomentumOptimizer>).applyGradientsAndDecay === 'function';
}

/** Counters for tests: buffers updated in place vs written anew (then assigned). */
export const fastMomentumStats = { inPlace: 0, assigned: 0 };

/** tf.train.momentum(learningRate, momentum, useNesterov), fused on the native path. */
export function fastMomentum(tf: TF, learningRate: number, momentum: number, useNesterov = false): FastMomentumOptimizer {
  class FastMomentum extends tf.MomentumOptimizer implements FastMomentumOptimizer {
    override applyGradients(grads: Grads): void {
      this.applyGradientsAndDecay(grads, { variables: [], factor: 1 });
    }

    applyGradientsAndDecay(grads: Grads, decay: DecoupledDecay): void {
      const decayed = new Set(decay.variables);
      const factor = decay.factor;
      const addon = tf.getBackend() === 'cpu' && nativeInstalled(tf) ? loadAddon().addon : null;
      if (!addon) {
        super.applyGradients(grads);
        tf.tidy(() => { for (const w of decayed) w.assign(tf.mul(w, factor)); });
        return;
      }
      // tf.MomentumOptimizer's private state, kept as its own applyGradients keeps it.
      const self = this as unknown as { accumulations: ({ originalName: string; variable: tfjs.Variable } | undefined)[]; momentum: number; useNesterov: boolean };
      const backend = tf.backend() as unknown as CpuBackendData;
      const names = Array.isArray(grads) ? grads.map((v) => v.name) : Object.keys(grads);
      const slots: Float32Array[][] = [];
      const decays: number[] = [];
      const assigns: { target: tfjs.Variable; values: Float32Array }[] = [];
      const stepped = new Set<tfjs.Variable>();
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        if (!value) throw new Error(`fastMomentum: variable ${name} is not registered`);
        if (self.accumulations[i] == null) {
          self.accumulations[i] = { originalName: `${name}/momentum`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        }
        const g = Array.isArray(grads) ? grads[i]!.tensor : grads[name];
        if (g == null) return;
        if (value.dtype !== 'float32' || g.dtype !== 'float32') throw new Error(`fastMomentum: float32 variables only (${name} is ${value.dtype}, its gradient ${g.dtype})`);
        if (g.size !== value.size) throw new Error(`fastMomentum: gradient of ${name} has ${g.size} elements, the variable ${value.size}`);
        const acc = self.accumulations[i]!.variable;
        const ins = [valuesOf(backend, value, 'fastMomentum'), valuesOf(backend, acc, 'fastMomentum')];
        const outs = [value, acc].map((t, k) => {
          const own = writableInPlace(backend, t, ins[k]!);
          if (own) { fastMomentumStats.inPlace++; return own; }
          const fresh = alloc(t.size);
          assigns.push({ target: t, values: fresh });
          fastMomentumStats.assigned++;
          return fresh;
        });
        slots.push([ins[0]!, valuesOf(backend, g, 'fastMomentum'), ins[1]!, outs[0]!, outs[1]!]);
        decays.push(decayed.has(value) ? factor : NaN);
        stepped.add(value);
      });
      addon.momentumAll(slots, Float32Array.from(decays), self.momentum, -this.learningRate, self.useNesterov);
      tf.tidy(() => {
        for (const { target, values } of assigns) target.assign(tf.tensor(values, target.shape, 'float32'));
        // Decayed variables without a gradient this step are still decayed, as the loops did.
        for (const w of decayed) if (!stepped.has(w)) w.assign(tf.mul(w, factor));
      });
      this.incrementIterations();
    }
  }
  return new FastMomentum(learningRate, momentum, useNesterov);
}
