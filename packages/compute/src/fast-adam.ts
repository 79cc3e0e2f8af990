// Adam whose per-variable update is one native kernel (instead of ~12 elementwise kernels)
// when the native cpu kernels are active; identical maths to tf.train.adam otherwise.
import type * as tfjs from '@tensorflow/tfjs';
import { FUSED_ADAM, nativeInstalled } from './native-kernels.ts';
import type { TF } from './kernels/util.ts';


/** Creates an Adam optimizer (subclass of tf.AdamOptimizer, serialises as 'Adam'). */
export function fastAdam(tf: TF, learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon?: number): tfjs.AdamOptimizer {
  class FastAdam extends tf.AdamOptimizer {
    override applyGradients(grads: Parameters<tfjs.AdamOptimizer['applyGradients']>[0]): void {
      if (tf.getBackend() !== 'cpu' || !nativeInstalled(tf)) return super.applyGradients(grads);
      // Private fields of tf.AdamOptimizer, read exactly as its own applyGradients does.
      const self = this as unknown as {
        accBeta1: tfjs.Variable; accBeta2: tfjs.Variable;
        accumulatedFirstMoment: ({ originalName: string; variable: tfjs.Variable } | undefined)[];
        accumulatedSecondMoment: ({ originalName: string; variable: tfjs.Variable } | undefined)[];
      };
      const names = Array.isArray(grads) ? grads.map((v) => v.name) : Object.keys(grads);
      const b1pow = self.accBeta1.dataSync()[0]!, b2pow = self.accBeta2.dataSync()[0]!;
      tf.tidy(() => {
        names.forEach((name, i) => {
          const value = tf.engine().registeredVariables[name]!;
          if (self.accumulatedFirstMoment[i] == null) {
            self.accumulatedFirstMoment[i] = { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
          }
          if (self.accumulatedSecondMoment[i] == null) {
            self.accumulatedSecondMoment[i] = { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
          }
          const g = Array.isArray(grads) ? grads[i]!.tensor : grads[name];
          if (g == null) return;
          const m = self.accumulatedFirstMoment[i]!.variable, v = self.accumulatedSecondMoment[i]!.variable;
          if (value.dtype !== 'float32' || g.dtype !== 'float32') throw new Error('fastAdam: float32 variables only');
          const [nx, nm, nv] = tf.engine().runKernel(FUSED_ADAM, { x: value, g, m, v }, {
            lr: this.learningRate, beta1: this.beta1, beta2: this.beta2, eps: this.epsilon, b1pow, b2pow,
          }) as tfjs.Tensor[];
          m.assign(nm!);
          v.assign(nv!);
          value.assign(nx!);
        });
        self.accBeta1.assign(tf.mul(self.accBeta1, this.beta1));
        self.accBeta2.assign(tf.mul(self.accBeta2, this.beta2));
      });
      this.incrementIterations();
    }
  }
  return new FastAdam(learningRate, beta1, beta2, epsilon);
}
