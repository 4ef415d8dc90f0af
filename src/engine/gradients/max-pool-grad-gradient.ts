/**
 * The gradient of `MaxPoolGrad` (tfjs 4.22 has none, so a second-order gradient through a max-pool
 * layer throws). MaxPoolGrad(dy, x, y) = Jᵀdy, J the max pool's Jacobian at x (dy routed to each
 * window's first maximum), is linear in dy and piecewise constant in x and y: its gradient is J·v
 * for dy — v read at each window's first maximum — and zero for x and y. With windows that do not
 * overlap (stride ≥ filter), J·v = maxPool(where(m, v, −∞)), m = MaxPoolGrad(1, x, y) the one-hot
 * mask of the routed positions (exact, ties included). Overlapping windows are refused.
 */
import * as tf from '@tensorflow/tfjs';
import { LumenError } from '../../core/errors.js';

type GradConfig = NonNullable<ReturnType<typeof tf.getGradient>>;

interface PoolAttrs {
  readonly filterSize: [number, number] | number;
  readonly strides: [number, number] | number;
  readonly pad: 'valid' | 'same' | number;
  readonly dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const pair = (v: [number, number] | number): [number, number] => (typeof v === 'number' ? [v, v] : v);

export const maxPoolGradGradient: GradConfig = {
  kernelName: 'MaxPoolGrad',
  inputsToSave: ['dy', 'input', 'output'],
  gradFunc: (v, [, input, output], attrs) => {
    const a = attrs as unknown as PoolAttrs;
    const [fh, fw] = pair(a.filterSize);
    const [sh, sw] = pair(a.strides);
    if (sh < fh || sw < fw) {
      throw new LumenError('model', `second-order gradient of a max pool: windows ${fh}×${fw} with strides ${sh}×${sw} overlap; only non-overlapping pools (stride ≥ filter) are supported`);
    }
    return {
      dy: () => {
        const x = input as tf.Tensor4D;
        const mask = tf.engine().runKernel('MaxPoolGrad', { dy: tf.onesLike(output), input: x, output }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
        const routed = tf.where(mask.greater(0), v as tf.Tensor4D, tf.fill(x.shape, -3.4e38));
        return tf.maxPool(routed as tf.Tensor4D, [fh, fw], [sh, sw], a.pad, a.dimRoundingMode);
      },
      input: () => tf.zerosLike(input),
      output: () => tf.zerosLike(output),
    };
  },
};

/** Registers `maxPoolGradGradient` where tfjs has no gradient for MaxPoolGrad (idempotent). */
export function ensureMaxPoolGradGradient(): void {
  if (!tf.getGradient('MaxPoolGrad')) tf.registerGradient(maxPoolGradGradient);
}
