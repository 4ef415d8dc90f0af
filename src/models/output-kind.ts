import { check } from '../core/errors.js';
import type { OutputKind } from '../core/model.js';

/** The output kinds an adapter's `outputKind` option and `--output-kind` accept. */
export const OUTPUT_KINDS: readonly OutputKind[] = ['logits', 'probabilities'];

/**
 * An adapter's `outputKind` option, validated: the given kind, else the detected one. A value that
 * is neither 'logits' nor 'probabilities' is a LumenError naming the adapter.
 */
export function chooseOutputKind(option: unknown, detected: OutputKind, what: string): OutputKind {
  if (option === undefined) return detected;
  check(OUTPUT_KINDS.includes(option as OutputKind), 'option', () => `${what}: outputKind must be 'logits' or 'probabilities'; found ${JSON.stringify(option)}`);
  return option as OutputKind;
}

/**
 * 'probabilities' for a final softmax or sigmoid (an activation or op name, any case), else
 * 'logits'. A final log-softmax counts as logits: softmax of log-probabilities is the probabilities.
 */
export function outputKindOfActivation(name: string | null | undefined): OutputKind {
  const n = (name ?? '').toLowerCase();
  return n === 'softmax' || n === 'sigmoid' ? 'probabilities' : 'logits';
}
