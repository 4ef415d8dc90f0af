import * as tf from '@tensorflow/tfjs';
import { releaseTapeOnThrow } from './release-tape.js';

/** The engine's tape fields that a nested gradient overwrites (tfjs 4.x `EngineState`). */
interface TapeState {
  activeTape: unknown;
  gradientDepth: number;
}

/**
 * Vector-Jacobian product `vᵀ ∂f/∂xᵢ` for each input, callable inside a `tf.customGrad` backward
 * function. tfjs' `tf.grads` there would replace the outer backward pass's tape and crash when that
 * pass cleans up; the tape is saved and restored around the inner pass.
 */
export function vjp(f: (xs: tf.Tensor[]) => tf.Tensor, xs: readonly tf.Tensor[], v: tf.Tensor): tf.Tensor[] {
  const state = (tf.engine() as unknown as { state: TapeState }).state;
  const { activeTape, gradientDepth } = state;
  try {
    return releaseTapeOnThrow(() => tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(f(args), v)))([...xs]));
  } finally {
    state.activeTape = activeTape;
    state.gradientDepth = gradientDepth;
  }
}
