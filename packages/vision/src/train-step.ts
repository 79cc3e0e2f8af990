// One supervised training step for a layers model, shared by the pretrain and classifier stages:
// gradients of the loss, the optimizer's update, then decoupled weight decay on the kernels
// (Loshchilov & Hutter 2019, "Decoupled weight decay regularization").
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '@cvc/core/backend';
import { fastAdam, fastMomentum, isFastMomentum } from '@cvc/compute';

type StepOptimizer = tfTypes.Optimizer;

export interface Optimizer {
  optimizer: StepOptimizer;
  setLearningRate(lr: number): void;
}

/** adam or sgd (Nesterov momentum 0.9), each one native call per step when available. */
export function makeOptimizer(kind: 'adam' | 'sgd', learningRate: number): Optimizer {
  if (kind === 'sgd') {
    const optimizer = fastMomentum(tf, learningRate, 0.9, true);
    // SGD caches −lr as a scalar tensor: setLearningRate replaces it.
    return { optimizer, setLearningRate: (lr) => optimizer.setLearningRate(lr) };
  }
  const optimizer = fastAdam(tf, learningRate);
  // tfjs keeps learningRate protected, but its Adam reads it on every step.
  return { optimizer, setLearningRate: (lr) => ((optimizer as unknown as { learningRate: number }).learningRate = lr) };
}

/** The trainable variables of `weights`, and those whose weight decay applies: conv and dense kernels only (not biases, not batch-norm scales). */
export function trainableVariables(weights: tfTypes.LayerVariable[], weightDecay: number): { variables: tfTypes.Variable[]; decayed: tfTypes.Variable[] } {
  const variables = weights.map((w) => w.read() as tfTypes.Variable);
  const decayed = weightDecay > 0 ? weights.filter((w) => /kernel$/.test(w.originalName)).map((w) => w.read() as tfTypes.Variable) : [];
  return { variables, decayed };
}

export interface StepSpec {
  optimizer: StepOptimizer;
  variables: tfTypes.Variable[];
  decayed: tfTypes.Variable[];
  learningRate: number;
  weightDecay: number;
}

/**
 * forward() → outputs (e.g. logits [batch, k]); loss(outputs) → scalar; hits(outputs) → the number
 * of correct predictions (a scalar tensor). Returns [loss, hits]; the caller reads and disposes them.
 */
export function supervisedStep(
  spec: StepSpec,
  forward: () => tfTypes.Tensor,
  loss: (outputs: tfTypes.Tensor) => tfTypes.Scalar,
  hits: (outputs: tfTypes.Tensor) => tfTypes.Tensor,
): [tfTypes.Scalar, tfTypes.Tensor] {
  return tf.tidy(() => {
    let outputs: tfTypes.Tensor | undefined;
    const { value, grads } = tf.variableGrads(() => {
      outputs = tf.keep(forward());
      return loss(outputs);
    }, spec.variables);
    const list = Object.entries(grads).map(([name, tensor]) => ({ name, tensor }));
    const factor = 1 - spec.learningRate * spec.weightDecay;
    // fastMomentum decays within its (native) step; the same float32 arithmetic as the loop.
    if (isFastMomentum(spec.optimizer)) spec.optimizer.applyGradientsAndDecay(list, { variables: spec.decayed, factor });
    else {
      spec.optimizer.applyGradients(list);
      for (const w of spec.decayed) w.assign(tf.mul(w, factor));
    }
    const correct = hits(outputs!);
    outputs!.dispose();
    return [value, correct];
  });
}

/** Read a step's [loss, hits] as numbers and dispose them. */
export async function readStep([loss, hits]: [tfTypes.Scalar, tfTypes.Tensor]): Promise<{ loss: number; hits: number }> {
  const out = { loss: (await loss.data())[0]!, hits: (await hits.data())[0]! };
  loss.dispose();
  hits.dispose();
  return out;
}
