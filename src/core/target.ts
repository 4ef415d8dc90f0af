import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from './errors.js';
import type { Model } from './model.js';

/**
 * Which scalar is explained: a class index for every example, one per example, `'predicted'`
 * (the arg-max of the model's output), or a function from outputs `[R, ...]` to one scalar per row
 * `[R]` (regression, a neuron, a custom score). A function also receives `examples` (row r of
 * `outputs` belongs to example `examples[r]`), so it can score each example differently (e.g. the
 * log-probability of a different generated token per example).
 */
export type Target = 'predicted' | number | readonly number[] | ((outputs: tf.Tensor, examples: Int32Array) => tf.Tensor);

/** A target made into one shape: a selector of one scalar per row. */
export interface ResolvedTarget {
  /** The class of every example, or null for a function target. */
  readonly classes: readonly number[] | null;
  /** One scalar per row of `outputs`; `examples[r]` is the example that row r belongs to. */
  select(outputs: tf.Tensor, examples: Int32Array): tf.Tensor1D;
}

/**
 * Normalises a Target for `n` examples (`'predicted'` runs the model on `x` once) and checks class
 * indices against the model's output size.
 */
export async function resolveTarget(model: Model, x: tf.Tensor, target: Target | undefined, fn: string): Promise<ResolvedTarget> {
  const n = x.shape[0];
  if (typeof target === 'function') return functionTarget(target, fn);
  let classes: number[];
  if (target === undefined || target === 'predicted') {
    const out = await model.predict(x);
    const best = tf.tidy(() => out.reshape([n, -1]).argMax(1));
    classes = Array.from(await best.data());
    tf.dispose([out, best]);
  } else if (typeof target === 'number') {
    classes = new Array<number>(n).fill(target);
  } else if (Array.isArray(target)) {
    check(target.length === n, 'target', () => `${fn}: target has ${target.length} entries; expected one per example (${n})`);
    classes = [...target];
  } else {
    throw new LumenError('target', `${fn}: target must be a class index, an array of them, 'predicted' or a function; found ${String(target)}`);
  }
  const size = model.outputShape.reduce((a, b) => a * b, 1);
  for (const c of classes) {
    check(Number.isInteger(c) && c >= 0 && c < size, 'target', () => `${fn}: target ${c} is out of range; the model has ${size} outputs (0…${size - 1})`);
  }
  return classTarget(classes);
}

/** A target that selects `classes[example]` from each row of a flattened output. */
export function classTarget(classes: readonly number[]): ResolvedTarget {
  return {
    classes,
    select(outputs, examples) {
      return tf.tidy(() => {
        const rows = outputs.shape[0];
        const flat = outputs.reshape([rows, -1]);
        if (flat.shape[1] === 1) return flat.reshape([rows]) as tf.Tensor1D; // one output (regression): tf.oneHot needs depth ≥ 2
        const idx = new Int32Array(rows);
        for (let r = 0; r < rows; r++) idx[r] = classes[examples[r]];
        const oneHot = tf.oneHot(tf.tensor1d(idx, "int32"), flat.shape[1] as number).toFloat();
        return flat.mul(oneHot).sum(1) as tf.Tensor1D;
      });
    },
  };
}

function functionTarget(f: (outputs: tf.Tensor, examples: Int32Array) => tf.Tensor, fn: string): ResolvedTarget {
  return {
    classes: null,
    select(outputs, examples) {
      const y = f(outputs, examples);
      check(y.rank === 1 && y.shape[0] === outputs.shape[0], 'target', () =>
        `${fn}: a target function must return one scalar per row, shape [${outputs.shape[0]}]; found [${y.shape}]`);
      return y as tf.Tensor1D;
    },
  };
}
