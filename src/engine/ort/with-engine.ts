import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../../core/errors.js';
import type { Model } from '../../core/model.js';
import { opsWithoutRule } from './backward.js';
import { OrtExecutor, type OrtSource } from './ort-executor.js';

/**
 * Which executor runs a model's passes: `'tfjs'` (tfjs' tape), `'onnxruntime'` (forward and
 * backward passes as ONNX graphs in onnxruntime; ops without a backward rule fall back to tfjs with
 * a warning), or `'auto'` (onnxruntime when every op of the model has a backward rule, else tfjs).
 */
export type Engine = 'auto' | 'onnxruntime' | 'tfjs';

/** The engines, in the order the CLI lists them. */
export const ENGINES: readonly Engine[] = ['auto', 'onnxruntime', 'tfjs'];

const sources = new WeakMap<Model, () => OrtSource>();

/** Records how the onnxruntime engine builds a model's graph (the adapters call it). */
export function registerOrtSource(model: Model, build: () => OrtSource): void {
  sources.set(model, build);
}

/**
 * `model` run by the chosen engine: with onnxruntime, `predict` runs its forward graph and the
 * gradient entry points (core/gradients.ts) its backward graphs (the Model's `executor`), with
 * the propagation rules that declare their form (core/rules.ts); `run` (capture, replacement,
 * other rules) stays on tfjs. A model no adapter registered a graph
 * for (black boxes, `fromDifferentiable`), or whose graph cannot be translated, keeps tfjs — with
 * one warning when `'onnxruntime'` was asked for.
 */
export function withEngine<M extends Model>(model: M, engine: Engine = 'tfjs'): M {
  check(ENGINES.includes(engine), 'option', () => `engine: expected ${ENGINES.join(', ')}; found '${String(engine)}'`);
  if (engine === 'tfjs' || model.executor) return model;
  const build = sources.get(model);
  const keep = (why: string): M => {
    if (engine === 'onnxruntime') console.warn(`lumen: ${model.name}: ${why}; it runs on tfjs`);
    return model;
  };
  if (!build) return keep('the onnxruntime engine has no graph of this model');
  let source: OrtSource;
  try {
    source = build();
  } catch (e) {
    if (!(e instanceof LumenError)) throw e;
    return keep(e.message);
  }
  if (engine === 'auto' && opsWithoutRule(source.forward, source.forward.inputs[0].name, source.forward.outputs[0].name).length > 0) return model;
  const executor = new OrtExecutor(source);
  return {
    ...model,
    executor,
    predict: (x) => executor.predict(x),
    dispose: () => {
      void executor.dispose();
      model.dispose?.();
    },
  };
}

/**
 * Rows in, outputs out, as float32 arrays (a forward pass without tfjs tensors); `softmax`: the
 * softmax of the outputs along their last axis (for `[N, k]` logits).
 */
export type ForwardArrays = (data: Float32Array, dims: readonly number[], options?: { readonly softmax?: boolean }) => Promise<{ readonly data: Float32Array; readonly dims: readonly number[] }>;

interface ForwardView {
  readonly model: Model;
  readonly arrays: ForwardArrays | null;
}

const forwardViews = new WeakMap<Model, ForwardView>();

/**
 * `model` with its forward pass (`predict`) run by onnxruntime when an adapter registered its graph
 * and the graph translates — for methods that need forward passes only (curves, anchors, rule
 * surrogates); gradients and `run` stay as they are. Anything else (a black box, a model that
 * already has an executor, a graph that does not translate, no onnxruntime in this runtime, a
 * session onnxruntime refuses: the first call falls back) is the model itself, silently. Cached
 * per model, so its session is built once. `arrays` is the same pass on float32 arrays (null when
 * the model keeps its own `predict`).
 */
export function withForwardEngine<M extends Model>(model: M): { readonly model: M; readonly arrays: ForwardArrays | null } {
  if (model.executor || !sources.has(model)) return { model, arrays: null };
  const cached = forwardViews.get(model);
  if (cached) return cached as { model: M; arrays: ForwardArrays | null };
  let source: OrtSource;
  try {
    source = (sources.get(model) as () => OrtSource)();
  } catch (e) {
    if (!(e instanceof LumenError)) throw e;
    forwardViews.set(model, { model, arrays: null });
    return { model, arrays: null };
  }
  const executor = new OrtExecutor(source);
  let state: 'untried' | 'ort' | 'tfjs' = 'untried';
  // Each pass tries onnxruntime until one succeeds; a first failure keeps the model's own predict from then on.
  const viaTfjs: ForwardArrays = async (data, dims, options) => {
    const x = tf.tensor(data, [...dims], 'float32');
    const raw = await model.predict(x).finally(() => x.dispose());
    const out = options?.softmax ? tf.tidy(() => tf.softmax(raw)) : raw;
    if (out !== raw) raw.dispose();
    try {
      return { data: Float32Array.from(await out.data()), dims: out.shape };
    } finally {
      out.dispose();
    }
  };
  const arrays: ForwardArrays = async (data, dims, options) => {
    if (state === 'tfjs') return viaTfjs(data, dims, options);
    if (state === 'ort') return executor.predictArray(data, dims, options);
    try {
      const out = await executor.predictArray(data, dims, options);
      state = 'ort';
      return out;
    } catch {
      state = 'tfjs';
      void executor.dispose();
      return viaTfjs(data, dims, options);
    }
  };
  const view: ForwardView = {
    model: {
      ...model,
      predict: async (x) => {
        if (state === 'tfjs') return model.predict(x);
        const values = await x.data();
        const out = await arrays(values instanceof Float32Array ? values : Float32Array.from(values), x.shape);
        return tf.tensor(out.data, [...out.dims], 'float32');
      },
    },
    arrays,
  };
  forwardViews.set(model, view);
  return view as { model: M; arrays: ForwardArrays | null };
}
