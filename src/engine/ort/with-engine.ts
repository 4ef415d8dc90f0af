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
