// How a guided hybrid's clock part and crocodile part become one picture, besides the plain pixel
// mean (which keeps both parts' colours but has 1/√2 of their contrast when they are uncorrelated, and
// less where their edges cancel):
// - contrastBlend: that mean, stretched back to its parts' contrast;
// - insetComposite: the crocodile inside a centred disc, the clock around it, each at full contrast.
// What each does to the judges and the grids: docs/research-log.md §11.
import type * as tfTypes from '@tensorflow/tfjs';
import type { Tf } from './weights.ts';

type T4 = tfTypes.Tensor4D;

/** Per-image standard deviation [n, 1, 1, 1] over pixels and channels of x [n, 32, 32, 3]. */
function spread(tf: Tf, x: T4): tfTypes.Tensor {
  const { variance } = tf.moments(x, [1, 2, 3], true);
  return tf.sqrt(tf.add(variance, 1e-8));
}

/**
 * The average of a and b [n, 32, 32, 3] in [0, 1], stretched about its own mean so that its spread is
 * the mean of a's and b's, then clipped to [0, 1]. Differentiable.
 */
export function contrastBlend(tf: Tf, a: T4, b: T4): T4 {
  return tf.tidy(() => {
    const blend = tf.mul(tf.add(a, b), 0.5);
    const mean = tf.mean(blend, [1, 2, 3], true);
    const gain = tf.div(tf.mul(tf.add(spread(tf, a), spread(tf, b)), 0.5), spread(tf, blend as T4));
    return tf.clipByValue(tf.add(mean, tf.mul(tf.sub(blend, mean), gain)), 0, 1) as T4;
  });
}

/**
 * A crocodile inside a clock: b [n, 32, 32, 3] inside a centred disc of `radius` px (a soft edge of about
 * a pixel), a outside it — the clock's rim and outer ticks around the crocodile, each part at its own
 * full contrast, as the large diffusion anchor's conjunction hybrids draw them. Differentiable in a and b.
 */
export function insetComposite(tf: Tf, a: T4, b: T4, radius: number): T4 {
  return tf.tidy(() => {
    const mask = tf.sigmoid(tf.div(tf.sub(radius, tf.tensor4d(CENTRE_DISTANCE, [1, 32, 32, 1])), 0.75)); // 1 inside the disc
    return tf.add(tf.mul(a, tf.sub(1, mask)), tf.mul(b, mask)) as T4;
  });
}

/** Each pixel's distance from the image centre (between pixels 15 and 16), row-major [32 · 32]. */
const CENTRE_DISTANCE = Array.from({ length: 32 * 32 }, (_, k) => Math.hypot((k >> 5) - 15.5, (k & 31) - 15.5));

/** A two-part hybrid of a clock part a and a crocodile part b [n, 32, 32, 3] as `kind` composes them. */
export function composeHybrid(tf: Tf, kind: 'blend' | 'contrast-blend' | 'inset', a: T4, b: T4, insetRadius: number): T4 {
  if (kind === 'blend') return tf.mul(tf.add(a, b), 0.5) as T4;
  return kind === 'inset' ? insetComposite(tf, a, b, insetRadius) : contrastBlend(tf, a, b);
}
