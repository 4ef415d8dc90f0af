import * as tf from '@tensorflow/tfjs';
import { modelParameters } from '../core/checkpoint.js';
import { check } from '../core/errors.js';
import type { Model, ModelParameter } from '../core/model.js';
import { perExampleLoss, type ExampleLoss } from './example-loss.js';

/** Which parameters example-based methods differentiate: all (default) or those of the named layers. */
export interface ParameterSelection {
  /** Layer names (as in `Model.layers`) whose parameters are used; default: every parameter. */
  readonly layers?: readonly string[];
}

/** The selected parameters of a model, in its order; unknown or parameter-less layers are LumenErrors. */
export function selectParameters(model: Model, selection: ParameterSelection, what: string): ModelParameter[] {
  const params = modelParameters(model, what);
  if (!selection.layers) return [...params];
  const withParams = [...new Set(params.map((p) => p.layer))];
  for (const l of selection.layers) {
    check(withParams.includes(l), 'layer', () => `${what}: layer '${l}' has no parameters; layers with parameters are ${withParams.join(', ')}`);
  }
  return params.filter((p) => selection.layers?.includes(p.layer));
}

/** The number of values of the selected parameters. */
export function parameterCount(params: readonly ModelParameter[]): number {
  return params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
}

/** Options of `perExampleGradients`. */
export interface PerExampleGradientOptions extends ParameterSelection {
  readonly loss?: ExampleLoss;
}

/**
 * Per-example gradients of the loss with respect to the model's (selected) parameters, `[N, P]`,
 * flattened in parameter order (each tensor row-major): one forward and one backward pass for the
 * whole batch. A zero perturbation is added to each selected layer's pre-activation output; the
 * gradient `d` with respect to it is, row by row, that example's pre-activation gradient, so a
 * dense kernel's per-example gradient is the outer product of the layer's input `a` with `d`
 * (Goodfellow 2015, "Efficient per-example gradient computations"), the bias's is `d`. Layers whose
 * parameters have no such form (convolution filters) are refused.
 */
export function perExampleGradients(model: Model, x: tf.Tensor, labels: tf.Tensor, options: PerExampleGradientOptions = {}): tf.Tensor2D {
  const what = 'perExampleGradients';
  const params = selectParameters(model, options, what);
  const other = params.find((p) => p.role === 'other');
  check(other === undefined, 'layer', () =>
    `${what}: parameter '${other?.name}' is not a dense kernel or bias; per-example gradients are computed for dense (Dense, Gemm, MatMul) layers — select those with the layers option`);
  const layers = [...new Set(params.map((p) => p.layer))];
  const n = x.shape[0];
  return tf.tidy(() => {
    const zeros = layers.map((l) => {
      const kernel = params.find((p) => p.layer === l && p.role !== 'bias') ?? modelParameters(model, what).find((p) => p.layer === l && p.role !== 'bias');
      const info = model.layers.find((i) => i.name === l);
      const units = kernel ? (kernel.role === 'kernel-out-in' ? kernel.shape[0] : kernel.shape[1]) : (info?.outputShape.at(-1) ?? null);
      const middle = (info?.outputShape ?? []).slice(0, -1);
      check(units !== null && middle.every((d) => d !== null), 'model', () => `${what}: layer '${l}' has an unknown output shape`);
      return tf.zeros([n, ...(middle as number[]), units]);
    });
    let inputs: Record<string, tf.Tensor> = {};
    const f = (...zs: tf.Tensor[]): tf.Scalar => {
      const perturb = Object.fromEntries(layers.map((l, i) => [l, zs[i]]));
      const r = model.run(x, { perturb });
      // Copies: a layer's input may be x itself, which stays the caller's.
      inputs = Object.fromEntries(Object.entries(r.layerInputs ?? {}).map(([k, v]) => [k, tf.keep(v.clone())]));
      return tf.sum(perExampleLoss(model, r.output, labels, options.loss ?? 'cross-entropy'));
    };
    const grads = tf.grads(f)(zeros);
    try {
      const byLayer = new Map(layers.map((l, i) => [l, grads[i]]));
      const columns = params.map((p) => {
        const d = byLayer.get(p.layer) as tf.Tensor;
        const a = inputs[p.layer];
        check(a !== undefined, 'model', () => `${what}: the model did not report the input of layer '${p.layer}'`);
        const d3 = tf.reshape(d, [n, -1, d.shape[d.rank - 1]]);
        if (p.role === 'bias') return tf.sum(d3, 1);
        const a3 = tf.reshape(a, [n, -1, a.shape[a.rank - 1]]);
        const g = p.role === 'kernel' ? tf.matMul(a3, d3, true, false) : tf.matMul(d3, a3, true, false);
        return tf.reshape(g, [n, -1]);
      });
      return tf.concat(columns, 1) as tf.Tensor2D;
    } finally {
      tf.dispose(Object.values(inputs));
    }
  });
}

/**
 * The gradient of a scalar function of the selected parameters' values (in order), evaluated at
 * their current values: `f` receives tensors standing for them, to pass as `run(x, {params})`.
 * Returns the flattened gradient `[P]` (the caller owns it).
 */
export function parameterGradient(params: readonly ModelParameter[], f: (values: Record<string, tf.Tensor>) => tf.Scalar): tf.Tensor1D {
  return tf.tidy(() => {
    const values = params.map((p) => p.value);
    const grads = tf.grads((...vs: tf.Tensor[]) => f(Object.fromEntries(params.map((p, i) => [p.name, vs[i]]))))(values);
    return tf.concat(grads.map((g) => tf.reshape(g, [-1])), 0) as tf.Tensor1D;
  });
}
