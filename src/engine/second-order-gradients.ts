/**
 * Second derivatives through tfjs 4.22 (Hessian-vector products by double backprop). tfjs' own
 * gradients of Tanh, Sigmoid, Exp and Softmax read the op's saved OUTPUT, which the engine keeps
 * as a copy outside the tape: differentiating such a gradient again silently drops every path
 * through that output (d²/dx² tanh(x)² comes out as 2(1 − t²)², missing −4t²(1 − t²)). Inside
 * `withSecondOrderGradients` those gradients are replaced by ones that recompute the output
 * from the saved INPUT, which stays on the tape; the same first derivatives, correct second ones.
 * The originals are put back when the scope ends, also after a throw. Scopes nest.
 */
import * as tf from '@tensorflow/tfjs';

type GradConfig = NonNullable<ReturnType<typeof tf.getGradient>>;

const REPLACEMENTS: readonly GradConfig[] = [
  { kernelName: 'Tanh', inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => tf.mul(dy as tf.Tensor, tf.sub(1, tf.square(tf.tanh(x)))) }) },
  {
    kernelName: 'Sigmoid',
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({
      x: () => {
        const s = tf.sigmoid(x);
        return tf.mul(dy as tf.Tensor, tf.mul(s, tf.sub(1, s)));
      },
    }),
  },
  { kernelName: 'Exp', inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => tf.mul(dy as tf.Tensor, tf.exp(x)) }) },
  {
    kernelName: 'Softmax',
    inputsToSave: ['logits'],
    gradFunc: (dy, [logits], attrs) => ({
      logits: () => {
        const dim = (attrs as { dim?: number } | undefined)?.dim ?? -1;
        const y = tf.softmax(logits, dim);
        return tf.mul(y, tf.sub(dy as tf.Tensor, tf.sum(tf.mul(dy as tf.Tensor, y), dim, true)));
      },
    }),
  },
];

let depth = 0;
let saved: GradConfig[] = [];

/** Runs `fn` with gradients that can be differentiated again (see the module comment). */
export function withSecondOrderGradients<T>(fn: () => T): T {
  if (depth++ === 0) {
    saved = REPLACEMENTS.map((r) => tf.getGradient(r.kernelName)).filter((g): g is GradConfig => g != null);
    for (const r of REPLACEMENTS) tf.registerGradient(r);
  }
  try {
    return fn();
  } finally {
    if (--depth === 0) {
      for (const g of saved) tf.registerGradient(g);
      saved = [];
    }
  }
}
