import * as tf from '@tensorflow/tfjs';
import { check } from '../../core/errors.js';
import type { Model } from '../../core/model.js';
import type { LocalOptions } from '../../core/options.js';
import type { PathRule } from '../../core/path-weights.js';
import { requireLayer } from '../../core/validate.js';
import { integratedGradients } from '../gradient/integrated-gradients.js';
import { generationAttribution, resolveSegments, type GenerationAttribution } from './generation-attribution.js';
import { generatedLogProbs, generationTask, stepTarget, teacherForced, type GenerationOptions } from './generation-task.js';

/** Options of `llmGradientAttribution`. */
export interface LlmGradientAttributionOptions extends Omit<LocalOptions, 'target'>, GenerationOptions {
  /** The embedding layer (the output of the token lookup, before positions are added). */
  readonly layer: string;
  /** One integer label per prompt token: token scores are summed per segment (default: every token alone). */
  readonly segments?: readonly number[];
  /** Quadrature points of the path (default 50, Captum's). */
  readonly steps?: number;
  /** Default 'gauss-legendre' (Captum's). */
  readonly rule?: PathRule;
}

/**
 * Attribution of a generated continuation to the prompt by layer integrated gradients on the token
 * embeddings, as Captum's `LLMGradientAttribution(LayerIntegratedGradients(model, embedding))`
 * (Sundararajan et al. 2017; Miglani et al. 2023): for generated token k, IG of
 * log p(generated[k] | prompt, generated[< k]) from the PAD sequence's embeddings to the sequence's,
 * summed over the embedding axis at each prompt position (and over the tokens of a segment). The K
 * steps are K examples of one `integratedGradients` call (one target per example), so their paths go
 * through the model together; positions after a step's input get exactly 0 from the causal mask, and
 * earlier generated tokens lie on the path too but are not reported, as in Captum. `meta.delta` is
 * each step's completeness gap Σ (over all positions) − (log p(x) − log p(PAD sequence)).
 */
export async function llmGradientAttribution(model: Model, prompt: readonly number[], generated: readonly number[], options: LlmGradientAttributionOptions): Promise<GenerationAttribution> {
  const fn = 'llmGradientAttribution';
  check(options !== null && typeof options === 'object', 'option', () => `${fn}: expected options with the embedding layer`);
  const layer = requireLayer(model, options.layer, fn);
  const task = generationTask(model, prompt, generated, options, fn);
  const seg = resolveSegments(options.segments, task.prompt.length, fn);
  const k = task.generated.length;
  const p = task.prompt.length;
  const row = teacherForced(task);
  const ids = new Float32Array(k * task.length);
  for (let i = 0; i < k; i++) ids.set(row, i * task.length);
  const x = tf.tensor2d(ids, [k, task.length]);
  const baseline = tf.fill([k, task.length], task.padId);
  try {
    const ig = await integratedGradients(model, x, {
      layer, baseline, target: stepTarget(task), steps: options.steps ?? 50, rule: options.rule ?? 'gauss-legendre',
      batchSize: options.batchSize, signal: options.signal, onProgress: options.onProgress,
    });
    const perToken = tf.tidy(() => ig.values.reshape([k, task.length, -1]).sum(-1));
    const scores = (await perToken.array()) as number[][];
    const delta = ig.meta.delta;
    const calls = ig.meta.modelCalls;
    tf.dispose([perToken, ig.values]);
    const first = x.slice([0, 0], [1, task.length]);
    const out = await model.predict(first);
    const lp = generatedLogProbs(task, out);
    const logProbs = Array.from(await lp.data());
    tf.dispose([first, out, lp]);
    const phi = scores.map((r) => {
      const v = new Array<number>(seg.count).fill(0);
      for (let i = 0; i < p; i++) v[seg.labels[i]!] += r[i]!;
      return v;
    });
    return generationAttribution('layer-integrated-gradients', task, seg, phi, logProbs, {
      layer, steps: options.steps ?? 50, rule: options.rule ?? 'gauss-legendre',
      ...(Array.isArray(delta) ? { delta: delta as number[] } : {}),
      ...(typeof calls === 'number' ? { modelCalls: calls } : {}),
    });
  } finally {
    tf.dispose([x, baseline]);
  }
}
