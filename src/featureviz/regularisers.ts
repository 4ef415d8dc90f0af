/**
 * Regularisers of feature visualisation as objectives of the image alone (Lucid's `L1`, `L2`,
 * `total_variation`, `blur_input_each_step`), to be added with negative weights in `sumObjectives`.
 */
import * as tf from '@tensorflow/tfjs';
import type { Objective } from './objective.js';

/** Σ |x − 0.5| over the image batch (Lucid's `L1(constant=0.5)`). */
export function l1Regulariser(constant = 0.5): Objective {
  return { name: 'L1', layers: [], value: ({ image }) => tf.tidy(() => tf.sum(tf.abs(tf.sub(image, constant)))) as tf.Scalar };
}

/** √(ε + Σ (x − 0.5)²) (Lucid's `L2(constant=0.5, epsilon=1e-6)`). */
export function l2Regulariser(constant = 0.5): Objective {
  return { name: 'L2', layers: [], value: ({ image }) => tf.tidy(() => tf.sqrt(tf.add(tf.sum(tf.square(tf.sub(image, constant))), 1e-6))) as tf.Scalar };
}

/** Total variation: Σ of absolute differences between vertical and horizontal neighbours (tf.image.total_variation). */
export function totalVariationRegulariser(): Objective {
  return {
    name: 'TV', layers: [],
    value: ({ image }) => tf.tidy(() => {
      const [n, h, w, c] = image.shape;
      const dy = tf.sub(tf.slice(image, [0, 1, 0, 0], [n, h - 1, w, c]), tf.slice(image, [0, 0, 0, 0], [n, h - 1, w, c]));
      const dx = tf.sub(tf.slice(image, [0, 0, 1, 0], [n, h, w - 1, c]), tf.slice(image, [0, 0, 0, 0], [n, h, w - 1, c]));
      return tf.add(tf.sum(tf.abs(dy)), tf.sum(tf.abs(dx)));
    }) as tf.Scalar,
  };
}

/** A 3 × 3 box blur per channel, averaging over the neighbours each pixel has. */
function boxBlur(image: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, w, c] = image.shape;
    const counts = tf.depthwiseConv2d(tf.ones([1, h, w, 1]) as tf.Tensor4D, tf.ones([3, 3, 1, 1]) as tf.Tensor4D, 1, 'same');
    return tf.div(tf.depthwiseConv2d(image, tf.ones([3, 3, c, 1]) as tf.Tensor4D, 1, 'same'), counts) as tf.Tensor4D;
  });
}

/** ½ Σ (x − b)² with b = boxBlur(x) held constant: its gradient is x − b. */
const blurPenalty = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const image = args[0] as tf.Tensor4D;
  const save = args[1] as tf.GradSaveFunc;
  const diff = tf.sub(image, boxBlur(image));
  save([diff]);
  return { value: tf.mul(0.5, tf.sum(tf.square(diff))), gradFunc: (dy, saved) => tf.mul(dy, saved[0]) };
}) as (x: tf.Tensor4D) => tf.Scalar;

/**
 * Blur (Lucid's `blur_input_each_step`, sign flipped to a penalty): ½ Σ (x − stop_gradient(blur(x)))²
 * with a 3 × 3 box blur per channel, so each step pulls the image towards its blurred copy.
 */
export function blurRegulariser(): Objective {
  return {
    name: 'blur', layers: [],
    value: ({ image }) => blurPenalty(image),
  };
}
