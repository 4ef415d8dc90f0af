import * as tf from '@tensorflow/tfjs';
import { Tensor as OrtTensor, type InferenceSession } from 'onnxruntime-common';
import { check, LumenError } from '../../core/errors.js';
import type { Model, OutputKind } from '../../core/model.js';
import { chooseOutputKind } from '../output-kind.js';

/** Options of `fromOnnxRuntime`. */
export interface FromOnnxRuntimeOptions {
  /** Shape of one example in the session's (ONNX) layout; default: from the session's input metadata. */
  readonly inputShape?: readonly number[];
  /** 'nchw' (default): inputs as the ONNX model declares them; 'nhwc': channels-last, transposed before the session. */
  readonly inputLayout?: 'nchw' | 'nhwc';
  /**
   * Most examples per session call (default 32, or the input's batch dimension when the session
   * declares a fixed one); larger inputs are split into batches of this size.
   */
  readonly batchSize?: number;
  /** The session input and output to use (default: the first of each). */
  readonly input?: string;
  readonly output?: string;
  readonly name?: string;
  /** Whether the Model's `dispose()` releases the session (default false: the caller owns it; true from loadOnnxRuntime). */
  readonly owned?: boolean;
  /** What the outputs are (a session does not say): default 'logits'. */
  readonly outputKind?: OutputKind;
}

function channelsLastPerm(rank: number): number[] {
  return [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
}

/**
 * An onnxruntime inference session (onnxruntime-node in Node; onnxruntime-web's session in the
 * browser works the same) as a black-box Lumen Model for forward-only (perturbation and surrogate)
 * methods: `predict` sends the input in batches of `batchSize` through `session.run`. Not
 * differentiable — use `loadOnnx` for gradient methods on the same file. Async because it runs one
 * example to learn the output shape.
 */
export async function fromOnnxRuntime(session: InferenceSession, options: FromOnnxRuntimeOptions = {}): Promise<Model> {
  const inputName = options.input ?? session.inputNames[0];
  const outputName = options.output ?? session.outputNames[0];
  check(session.inputNames.includes(inputName) && session.outputNames.includes(outputName), 'model', () =>
    `fromOnnxRuntime: expected input '${inputName}' and output '${outputName}'; the session has inputs ${session.inputNames.join(', ')} and outputs ${session.outputNames.join(', ')}`);
  const meta = (session.inputMetadata ?? []).find((m) => m.name === inputName);
  let onnxShape = options.inputShape?.slice();
  if (!onnxShape && meta && meta.isTensor) {
    const dims = meta.shape.slice(1);
    if (dims.length > 0 && dims.every((d) => typeof d === 'number' && d > 0)) onnxShape = dims as number[];
  }
  check(onnxShape && onnxShape.every((d) => Number.isInteger(d) && d > 0), 'model', () =>
    `fromOnnxRuntime: the input shape of '${inputName}' is not known from the session; pass inputShape (one example, ONNX layout)`);
  // A session whose input declares a fixed batch (e.g. exported with batch 1) takes exactly that many rows per call.
  const fixedBatch = meta && meta.isTensor && typeof meta.shape[0] === 'number' && meta.shape[0] > 0 ? meta.shape[0] : null;
  check(fixedBatch === null || options.batchSize === undefined || options.batchSize === fixedBatch, 'option', () =>
    `fromOnnxRuntime: the session's input '${inputName}' has a fixed batch of ${fixedBatch}; found batchSize ${options.batchSize}`);
  const layout = options.inputLayout ?? 'nchw';
  const full = [1, ...onnxShape];
  const inputShape = layout === 'nhwc' && full.length >= 3 ? channelsLastPerm(full.length).map((p) => full[p]).slice(1) : onnxShape;
  const batchSize = options.batchSize ?? fixedBatch ?? 32;
  check(Number.isInteger(batchSize) && batchSize > 0, 'option', () => `fromOnnxRuntime: batchSize must be a positive integer; found ${batchSize}`);

  const runBatch = async (data: Float32Array, n: number): Promise<{ data: Float32Array; dims: number[] }> => {
    const result = await session.run({ [inputName]: new OrtTensor('float32', data, [n, ...onnxShape]) });
    const out = result[outputName];
    if (!out || out.type !== 'float32') throw new LumenError('model', `fromOnnxRuntime: output '${outputName}' is not a float32 tensor`);
    if (out.dims[0] !== n) {
      throw new LumenError('model', `fromOnnxRuntime: output '${outputName}' has shape [${out.dims.join(', ')}] for ${n} input rows; Lumen needs the batch as the output's first axis`);
    }
    return { data: out.data as Float32Array, dims: out.dims.slice() };
  };
  const rows = fixedBatch ?? 1;
  const probe = await runBatch(new Float32Array(rows * onnxShape.reduce((a, b) => a * b, 1)), rows);
  const outputShape = probe.dims.slice(1);

  return {
    name: options.name ?? 'onnxruntime',
    inputShape,
    outputShape,
    outputKind: chooseOutputKind(options.outputKind, 'logits', 'fromOnnxRuntime'),
    outputs: [...session.outputNames],
    differentiable: false,
    layers: [],
    async predict(x: tf.Tensor): Promise<tf.Tensor> {
      check(x.rank === inputShape.length + 1 && inputShape.every((d, i) => x.shape[i + 1] === d), 'shape', () =>
        `fromOnnxRuntime: expected input [N, ${inputShape.join(', ')}]; found [${x.shape.join(', ')}]`);
      const nchw = layout === 'nhwc' && x.rank >= 3 ? tf.tidy(() => tf.transpose(x, [0, x.rank - 1, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 1)])) : x;
      const values = (await nchw.data()) as Float32Array;
      if (nchw !== x) nchw.dispose();
      const n = x.shape[0];
      const per = values.length / Math.max(n, 1);
      const outPer = outputShape.reduce((a, b) => a * b, 1);
      const out = new Float32Array(n * outPer);
      for (let start = 0; start < n; start += batchSize) {
        const m = Math.min(batchSize, n - start);
        const chunk = values.subarray(start * per, (start + m) * per);
        // A fixed-batch session gets its full batch: the last chunk is padded with zero rows.
        const rowsIn = fixedBatch ?? m;
        const feed = rowsIn === m ? chunk.slice() : new Float32Array(rowsIn * per);
        if (rowsIn !== m) feed.set(chunk);
        const r = await runBatch(feed, rowsIn);
        check(r.dims.slice(1).join() === outputShape.join(), 'model', () =>
          `fromOnnxRuntime: output '${outputName}' has shape [${r.dims.join(', ')}]; the first call gave [N, ${outputShape.join(', ')}]`);
        out.set(r.data.subarray(0, m * outPer), start * outPer);
      }
      return tf.tensor(out, [n, ...outputShape]);
    },
    run(): never {
      throw new LumenError('not-differentiable', 'fromOnnxRuntime: an onnxruntime session runs forward only; load the file with loadOnnx for gradient methods');
    },
    dispose() {
      if (options.owned) void session.release();
    },
  };
}

/**
 * Opens an ONNX file with onnxruntime-node (installed with Lumen) and wraps the session with
 * `fromOnnxRuntime`. In browsers, create the session with onnxruntime-web and call
 * `fromOnnxRuntime(session)` directly. The Model's `dispose()` releases the session.
 */
export async function loadOnnxRuntime(path: string, options: FromOnnxRuntimeOptions = {}): Promise<Model> {
  const ort = await import('onnxruntime-node');
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(path);
  } catch (e) {
    throw new LumenError('file', `loadOnnxRuntime: onnxruntime cannot open '${path}': ${(e as Error).message}`);
  }
  return fromOnnxRuntime(session, { name: path.split(/[\\/]/).pop()?.replace(/\.onnx$/i, ''), owned: true, ...options });
}
