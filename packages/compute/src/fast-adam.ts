// Adam whose whole step (every variable) is one native call when the native cpu kernels are
// active, instead of ~12 elementwise kernels per variable; identical maths to tf.train.adam.
import type * as tfjs from '@tensorflow/tfjs';
import { loadAddon } from './addon.ts';
import { nativeInstalled } from './native-kernels.ts';
import { alloc, type TF } from './kernels/util.ts';
import { valuesOf as storage, writableInPlace, type CpuBackendData } from './optimizer-buffers.ts';

/** Counters for tests: variables updated in place vs into new buffers (then assigned). */
export const fastAdamStats = { inPlace: 0, assigned: 0 };

/** Creates an Adam optimizer (subclass of tf.AdamOptimizer, serialises as 'Adam'). */
export function fastAdam(tf: TF, learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon?: number): tfjs.AdamOptimizer {
  class FastAdam extends tf.AdamOptimizer {
    override applyGradients(grads: Parameters<tfjs.AdamOptimizer['applyGradients']>[0]): void {
      const addon = tf.getBackend() === 'cpu' && nativeInstalled(tf) ? loadAddon().addon : null;
      if (!addon) return super.applyGradients(grads);
      // Private fields of tf.AdamOptimizer, read exactly as its own applyGradients does.
      const self = this as unknown as {
        accBeta1: tfjs.Variable; accBeta2: tfjs.Variable;
        accumulatedFirstMoment: ({ originalName: string; variable: tfjs.Variable } | undefined)[];
        accumulatedSecondMoment: ({ originalName: string; variable: tfjs.Variable } | undefined)[];
      };
      const backend = tf.backend() as unknown as CpuBackendData;
      const valuesOf = (t: tfjs.Tensor): Float32Array => storage(backend, t, 'fastAdam');
      const names = Array.isArray(grads) ? grads.map((v) => v.name) : Object.keys(grads);
      const b1pow = self.accBeta1.dataSync()[0]!, b2pow = self.accBeta2.dataSync()[0]!;
      // One slot [var, g, m, v, varOut, mOut, vOut] per variable; outputs are the inputs when
      // they can be updated in place, else new buffers assigned after the call.
      const slots: Float32Array[][] = [];
      const assigns: { target: tfjs.Variable; values: Float32Array }[] = [];
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        if (!value) throw new Error(`fastAdam: variable ${name} is not registered`);
        if (self.accumulatedFirstMoment[i] == null) {
          self.accumulatedFirstMoment[i] = { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        }
        if (self.accumulatedSecondMoment[i] == null) {
          self.accumulatedSecondMoment[i] = { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        }
        const g = Array.isArray(grads) ? grads[i]!.tensor : grads[name];
        if (g == null) return;
        if (value.dtype !== 'float32' || g.dtype !== 'float32') throw new Error(`fastAdam: float32 variables only (${name} is ${value.dtype}, its gradient ${g.dtype})`);
        if (g.size !== value.size) throw new Error(`fastAdam: gradient of ${name} has ${g.size} elements, the variable ${value.size}`);
        const m = self.accumulatedFirstMoment[i]!.variable, v = self.accumulatedSecondMoment[i]!.variable;
        const ins = [value, m, v].map(valuesOf) as [Float32Array, Float32Array, Float32Array];
        const outs = [value, m, v].map((t, k) => {
          const own = writableInPlace(backend, t, ins[k]!);
          if (own) { fastAdamStats.inPlace++; return own; }
          const fresh = alloc(t.size);
          assigns.push({ target: t, values: fresh });
          fastAdamStats.assigned++;
          return fresh;
        });
        slots.push([ins[0], valuesOf(g), ins[1], ins[2], ...outs]);
      });
      addon.adamAll(slots, this.learningRate, this.beta1, this.beta2, this.epsilon, b1pow, b2pow);
      tf.tidy(() => {
        // New buffers (first step, or the old one was handed out / shared): the variable takes a
        // tensor over them; from then on it owns its buffer and is updated in place.
        for (const { target, values } of assigns) target.assign(tf.tensor(values, target.shape, 'float32'));
        self.accBeta1.assign(tf.mul(self.accBeta1, this.beta1));
        self.accBeta2.assign(tf.mul(self.accBeta2, this.beta2));
      });
      this.incrementIterations();
    }
  }
  return new FastAdam(learningRate, beta1, beta2, epsilon);
}
