import { LumenError } from '../../../core/errors.js';
import type { OrtNode, OrtTensor } from '../ort-graph.js';

/** An int attribute of a node, or `fallback`. */
export function intAttr(node: OrtNode, name: string, fallback: number): number {
  const a = node.attrs?.[name];
  return a && 'i' in a ? a.i : fallback;
}

/** A float attribute of a node, or `fallback`. */
export function floatAttr(node: OrtNode, name: string, fallback: number): number {
  const a = node.attrs?.[name];
  if (a && 'f' in a) return a.f;
  return a && 'i' in a ? a.i : fallback;
}

/** An ints attribute of a node, or `fallback`. */
export function intsAttr(node: OrtNode, name: string, fallback: readonly number[]): readonly number[] {
  const a = node.attrs?.[name];
  return a && 'ints' in a ? a.ints : fallback;
}

/** A string attribute of a node, or `fallback`. */
export function stringAttr(node: OrtNode, name: string, fallback: string): string {
  const a = node.attrs?.[name];
  return a && 's' in a ? a.s : fallback;
}

/** The numbers of a constant input; a LumenError when the input is not a constant. */
export function constantValues(node: OrtNode, t: OrtTensor | undefined, what: string): number[] {
  if (!t) throw new LumenError('model', `onnxruntime engine: ${node.op}'s ${what} must be a constant for its backward rule`);
  return Array.from(t.values as ArrayLike<number>);
}

/** A LumenError saying which form of an op has no backward rule. */
export function unsupported(node: OrtNode, why: string): LumenError {
  return new LumenError('model', `onnxruntime engine: no backward rule for ${node.op} ${why}`);
}
