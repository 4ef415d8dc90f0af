import type { OrtEmitter } from '../emitter.js';
import type { OrtNode, OrtTensor } from '../ort-graph.js';

/** What a backward rule sees of the graph: value shapes (from a probe run), constants, the emitter. */
export interface BackwardContext {
  readonly out: OrtEmitter;
  /** The static shape of a forward value. */
  shape(value: string): readonly number[];
  /** The constant behind a value (an initializer), if it is one. */
  constant(value: string): OrtTensor | undefined;
  /** Whether a value depends on the input gradients are taken for. */
  active(value: string): boolean;
  /** The forward node that computes a value (undefined for inputs, constants and emitted values). */
  producer(value: string): OrtNode | undefined;
  /** How many forward nodes read a value (a graph output counts as one more). */
  consumers(value: string): number;
  /**
   * Gradients a rule has already multiplied by the derivative of the node that produced a value:
   * `handled.get(v) === dy` tells v's producer that `dy` needs no mask of its own (rules/activations.ts: ReLU then Clip).
   */
  readonly handled: Map<string, string>;
}

/**
 * A backward rule: from the gradients of a node's outputs (null where none flows) to the
 * gradients of its inputs (null for inputs that are not active). Throws a LumenError when a
 * form of the op is not covered.
 */
export type BackwardRule = (node: OrtNode, dys: readonly (string | null)[], ctx: BackwardContext) => readonly (string | null)[];
