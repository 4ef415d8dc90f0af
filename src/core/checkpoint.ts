import * as tf from '@tensorflow/tfjs';
import { check } from './errors.js';
import type { Model } from './model.js';

/**
 * A snapshot of a model's parameters during training (DESIGN.md, "Model, completed"), by
 * `ModelParameter.name`, with the learning rate of the phase that ended there (TracIn weighs each
 * checkpoint's term by it; absent: 1). The tensors belong to the checkpoint (`disposeCheckpoint`).
 */
export interface Checkpoint {
  readonly parameters: Readonly<Record<string, tf.Tensor>>;
  readonly learningRate?: number;
  readonly name?: string;
}

/** The parameters of a model that has them; a LumenError naming the method otherwise. */
export function modelParameters(model: Model, what: string): NonNullable<Model['parameters']> {
  const params = model.parameters;
  check(params !== undefined && params.length > 0 && typeof model.setParameters === 'function', 'model', () =>
    `${what}: model '${model.name}' exposes no parameters (needs a layers or ONNX model: fromLayersModel, loadOnnx)`);
  return params;
}

/** A checkpoint of a model's current parameters (copies), with an optional learning rate. */
export function snapshotCheckpoint(model: Model, learningRate?: number, name?: string): Checkpoint {
  const params = modelParameters(model, 'snapshotCheckpoint');
  const parameters: Record<string, tf.Tensor> = {};
  for (const p of params) parameters[p.name] = tf.keep(p.value.clone());
  return { parameters, ...(learningRate !== undefined ? { learningRate } : {}), ...(name ? { name } : {}) };
}

/** Frees a checkpoint's tensors. */
export function disposeCheckpoint(checkpoint: Checkpoint): void {
  tf.dispose(Object.values(checkpoint.parameters));
}

/**
 * Runs `fn` with each checkpoint loaded into the model in turn (its parameters set in place), then
 * restores the parameters the model had before, also when `fn` throws.
 */
export async function forEachCheckpoint<T>(model: Model, checkpoints: readonly Checkpoint[], fn: (checkpoint: Checkpoint, index: number) => Promise<T>): Promise<T[]> {
  check(checkpoints.length > 0, 'option', () => 'checkpoints: at least one checkpoint is needed');
  for (const [i, c] of checkpoints.entries()) {
    check(c.learningRate === undefined || Number.isFinite(c.learningRate), 'option', () => `checkpoint ${i}: learningRate must be a finite number; found ${c.learningRate}`);
  }
  const saved = snapshotCheckpoint(model);
  const set = model.setParameters as NonNullable<Model['setParameters']>;
  const out: T[] = [];
  try {
    for (const [i, c] of checkpoints.entries()) {
      set(c.parameters);
      out.push(await fn(c, i));
    }
  } finally {
    set(saved.parameters);
    disposeCheckpoint(saved);
  }
  return out;
}
