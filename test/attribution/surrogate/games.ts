import * as tf from '@tensorflow/tfjs';
import type { Model } from '../../../src/core/model.js';
import { fromFunction } from '../../../src/models/from-function.js';

/**
 * A cooperative game as a black-box model: explained at x = 1 with the zero baseline, the masked
 * input is the indicator of the coalition S, so the model's output is v(S).
 */
export function gameModel(k: number, v: (present: tf.Tensor2D) => tf.Tensor1D, name = 'game'): Model {
  return fromFunction((x) => tf.tidy(() => v(x as tf.Tensor2D).reshape([-1, 1])), { inputShape: [k], outputShape: [1], name });
}

/** The glove game: players 0 and 1 hold left gloves, player 2 a right one; v(S) = pairs formed. Shapley values (1/6, 1/6, 2/3). */
export function gloveGame(): Model {
  return gameModel(3, (x) => tf.minimum(x.slice([0, 0], [-1, 2]).sum(1), x.slice([0, 2], [-1, 1]).sum(1)) as tf.Tensor1D, 'glove');
}

/** The weighted majority game [quota; weights]: v(S) = 1 when the weights in S reach the quota. */
export function majorityGame(quota: number, weights: readonly number[]): Model {
  return gameModel(weights.length, (x) => tf.greaterEqual(x.matMul(tf.tensor2d([...weights], [weights.length, 1])).reshape([-1]), quota).toFloat() as tf.Tensor1D, 'majority');
}

/** v by brute force over the 2^K subsets, as a plain function of a bit mask, with exact Shapley values from the subset formula. */
export function exactShapley(k: number, v: (mask: number) => number): number[] {
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  const phi = new Array<number>(k).fill(0);
  for (let s = 0; s < 2 ** k; s++) {
    let size = 0;
    for (let j = 0; j < k; j++) size += (s >> j) & 1;
    for (let j = 0; j < k; j++) {
      if ((s >> j) & 1) continue;
      phi[j] += ((fact(size) * fact(k - size - 1)) / fact(k)) * (v(s | (1 << j)) - v(s));
    }
  }
  return phi;
}

/** All ones, [n, k]. */
export function ones(n: number, k: number): tf.Tensor2D {
  return tf.ones([n, k]);
}
