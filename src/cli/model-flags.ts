import { check } from '../core/errors.js';
import type { OutputKind } from '../core/model.js';
import { OUTPUT_KINDS } from '../models/output-kind.js';
import { ENGINES, type Engine } from '../engine/ort/with-engine.js';

/** `--output-kind logits|probabilities`: what the model's outputs are, overriding the detected kind. */
export const OUTPUT_KIND_FLAG = ['--output-kind <kind>', "what the model outputs: 'logits' or 'probabilities' (default: detected from its last layer or node, e.g. a final softmax)"] as const;

/** `--output-node NAME`: which output of a multi-output model to explain. */
export const OUTPUT_NODE_FLAG = ['--output-node <name>', 'the output (node or layer name) of a multi-output model to use'] as const;

/** `--engine auto|onnxruntime|tfjs`: which executor runs the model's passes. */
export const ENGINE_FLAG = ['--engine <engine>', "which executor runs the model: tfjs, onnxruntime (forward and backward passes as ONNX graphs; ops without a backward rule fall back to tfjs with a warning) or auto (onnxruntime when every op has a rule)", 'tfjs'] as const;

/** The `--engine` value, validated: anything but auto/onnxruntime/tfjs is a LumenError. */
export function engineFlag(value: string | undefined): Engine {
  const engine = value ?? 'tfjs';
  check(ENGINES.includes(engine as Engine), 'option', () => `--engine: expected ${ENGINES.join(', ')}; found '${engine}'`);
  return engine as Engine;
}

/** The model flags every command that loads a `--model` shares. */
export interface ModelFlags {
  readonly outputKind?: string;
  readonly outputNode?: string;
  readonly engine?: string;
}

/** What `loadModelSpec` takes beside the spec. */
export interface ModelSpecOptions {
  readonly outputKind?: OutputKind;
  readonly output?: string;
  readonly engine?: Engine;
}

/** The model flags, validated: an output kind other than logits/probabilities is a LumenError. */
export function modelSpecOptions(flags: ModelFlags): ModelSpecOptions {
  const kind = flags.outputKind;
  check(kind === undefined || OUTPUT_KINDS.includes(kind as OutputKind), 'option', () => `--output-kind: expected ${OUTPUT_KINDS.join(' or ')}; found '${kind}'`);
  return {
    ...(kind !== undefined ? { outputKind: kind as OutputKind } : {}),
    ...(flags.outputNode !== undefined ? { output: flags.outputNode } : {}),
    ...(flags.engine !== undefined ? { engine: engineFlag(flags.engine) } : {}),
  };
}
