import { check } from '../core/errors.js';
import type { OutputKind } from '../core/model.js';
import { OUTPUT_KINDS } from '../models/output-kind.js';

/** `--output-kind logits|probabilities`: what the model's outputs are, overriding the detected kind. */
export const OUTPUT_KIND_FLAG = ['--output-kind <kind>', "what the model outputs: 'logits' or 'probabilities' (default: detected from its last layer or node, e.g. a final softmax)"] as const;

/** `--output-node NAME`: which output of a multi-output model to explain. */
export const OUTPUT_NODE_FLAG = ['--output-node <name>', 'the output (node or layer name) of a multi-output model to use'] as const;

/** The model flags every command that loads a `--model` shares. */
export interface ModelFlags {
  readonly outputKind?: string;
  readonly outputNode?: string;
}

/** What `loadModelSpec` takes beside the spec. */
export interface ModelSpecOptions {
  readonly outputKind?: OutputKind;
  readonly output?: string;
}

/** The model flags, validated: an output kind other than logits/probabilities is a LumenError. */
export function modelSpecOptions(flags: ModelFlags): ModelSpecOptions {
  const kind = flags.outputKind;
  check(kind === undefined || OUTPUT_KINDS.includes(kind as OutputKind), 'option', () => `--output-kind: expected ${OUTPUT_KINDS.join(' or ')}; found '${kind}'`);
  return {
    ...(kind !== undefined ? { outputKind: kind as OutputKind } : {}),
    ...(flags.outputNode !== undefined ? { output: flags.outputNode } : {}),
  };
}
