/**
 * Gradient of `Cumsum`, replacing tfjs 4.22's, which transposes the result when `axis` is not
 * the last axis (wrong shape, wrong values). The gradient of a cumulative sum is the cumulative
 * sum of dy in the opposite direction: dx = cumsum(dy, axis, exclusive, !reverse).
 */
import * as tf from '@tensorflow/tfjs';

export const cumsumGradConfig: tf.GradConfig = {
  kernelName: 'Cumsum',
  inputsToSave: ['x'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], _saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const { axis, exclusive, reverse } = attrs as { axis: number; exclusive: boolean; reverse: boolean };
    return { x: () => tf.cumsum(dy as tf.Tensor, axis, exclusive, !reverse) };
  },
};
