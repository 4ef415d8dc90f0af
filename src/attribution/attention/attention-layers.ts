import { check } from '../../core/errors.js';
import type { LayerInfo, Model } from '../../core/model.js';
import { checkLayer } from '../../core/validate.js';

/** Options shared by the attention methods. */
export interface AttentionLayersOption {
  /**
   * The layers whose outputs are attention probabilities [N, heads, query, key] (post-softmax),
   * in forward order; default: every Softmax layer whose output per example is [H, T, T].
   */
  readonly layers?: readonly string[];
}

/** Whether a layer looks like attention probabilities: a softmax with [heads, T, T] per example. */
function isAttentionLayer(layer: LayerInfo): boolean {
  const s = layer.outputShape;
  return /softmax/i.test(layer.kind) && s.length === 3 && s[1] !== null && s[1] === s[2];
}

/**
 * The attention layers a method reads: the `layers` option (checked to exist and to have a
 * [H, T, T] output with the same T) or every Softmax layer of that shape, in execution order; a
 * LumenError when the model has none.
 */
export function attentionLayers(model: Model, option: readonly string[] | undefined, fn: string): { layers: readonly string[]; tokens: number } {
  let layers: LayerInfo[];
  if (option !== undefined) {
    check(Array.isArray(option) && option.length > 0, 'option', () => `${fn}: layers must be a non-empty list of attention layers; found ${JSON.stringify(option)}`);
    for (const name of option) checkLayer(model, name, fn);
    layers = option.map((name) => model.layers.find((l) => l.name === name) as LayerInfo);
  } else {
    layers = model.layers.filter(isAttentionLayer);
    check(layers.length > 0, 'layer', () =>
      `${fn}: found no attention layer (a Softmax layer with output [heads, T, T]); name them with the layers option. The model's layers are ${model.layers.map((l) => `${l.name} (${l.kind})`).join(', ')}`);
  }
  const tokens = layers[0].outputShape[1];
  for (const l of layers) {
    const s = l.outputShape;
    check(s.length === 3 && s[1] === tokens && s[2] === tokens && tokens !== null, 'layer', () =>
      `${fn}: layer '${l.name}' must output attention probabilities [heads, T, T] with the same T as '${layers[0].name}'; found [${s}]`);
  }
  return { layers: layers.map((l) => l.name), tokens: tokens as number };
}

/** How a method reads one token's relevance from a [T, T] relevance matrix: row 0, the mean of rows, or a row index. */
export type TokenPooling = 'first' | 'mean' | number;

/** Checks a pooling option (`'first'`, `'mean'` or a row index below `tokens`). */
export function checkPooling(pool: unknown, tokens: number, fn: string): TokenPooling {
  const ok = pool === 'first' || pool === 'mean' || (typeof pool === 'number' && Number.isInteger(pool) && pool >= 0 && pool < tokens);
  check(ok, 'option', () => `${fn}: pool must be 'first', 'mean' or a token index 0…${tokens - 1}; found ${JSON.stringify(pool)}`);
  return pool as TokenPooling;
}
