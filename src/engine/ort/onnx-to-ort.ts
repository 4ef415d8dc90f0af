import { LumenError } from '../../core/errors.js';
import type { OnnxModelRecord, OnnxTensorData } from '../../models/onnx/decode.js';
import type { OrtAttribute, OrtElemType, OrtGraph, OrtNode, OrtTensor } from './ort-graph.js';

/** The name the graph built from an ONNX file gives its (possibly transposed) input. */
export const ONNX_ENGINE_INPUT = 'lumen_input';

/**
 * An imported ONNX model's graph as the onnxruntime engine builds on: the file's nodes and
 * initializers as they are, its input renamed `lumen_input` (through a Transpose when the Lumen
 * Model takes channels-last input), and one output. A tensor of a type Lumen does not write
 * (float16, double …) or a non-default domain is a LumenError.
 */
export function onnxToOrt(record: OnnxModelRecord, input: string, inputShape: readonly number[], channelsLast: boolean, output: string): OrtGraph {
  const nodes: OrtNode[] = [];
  const rank = inputShape.length + 1;
  if (channelsLast) nodes.push({ op: 'Transpose', inputs: [ONNX_ENGINE_INPUT], outputs: [input], attrs: { perm: { ints: [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)] } } });
  else nodes.push({ op: 'Identity', inputs: [ONNX_ENGINE_INPUT], outputs: [input] });
  for (const n of record.nodes) {
    if (n.domain !== '' && n.domain !== 'ai.onnx') throw new LumenError('model', `onnxruntime engine: node '${n.name}' is in domain '${n.domain}'`);
    const attrs: Record<string, OrtAttribute> = {};
    for (const [k, v] of n.attributes) attrs[k] = attribute(k, v, n.attributeTypes?.get(k));
    nodes.push({ op: n.opType, inputs: n.inputs, outputs: n.outputs, attrs });
  }
  const initializers = new Map<string, OrtTensor>();
  for (const [k, t] of record.initializers) initializers.set(k, tensor(t));
  return {
    opset: record.opset,
    nodes,
    initializers,
    inputs: [{ name: ONNX_ENGINE_INPUT, type: 1, dims: ['N', ...inputShape] }],
    outputs: [{ name: output, type: 1 }],
  };
}

function tensor(t: OnnxTensorData): OrtTensor {
  const type: OrtElemType | null = t.onnxType === 1 || t.onnxType === 6 || t.onnxType === 7 || t.onnxType === 9 ? t.onnxType : null;
  if (type === null) throw new LumenError('model', `onnxruntime engine: tensor '${t.name}' has ONNX type ${t.onnxType}, which Lumen does not re-encode`);
  return { name: t.name, type, dims: t.shape, values: t.values };
}

function attribute(name: string, v: unknown, type: number | undefined): OrtAttribute {
  switch (type) {
    case 1: return { f: v as number };
    case 2: return { i: v as number };
    case 3: return { s: v as string };
    case 4: return { t: tensor(v as OnnxTensorData) };
    case 6: return { floats: v as number[] };
    case 7: return { ints: v as number[] };
    default: throw new LumenError('model', `onnxruntime engine: attribute '${name}' has type ${String(type)}, which Lumen does not re-encode`);
  }
}
