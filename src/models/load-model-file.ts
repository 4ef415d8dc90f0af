import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LumenError } from '../core/errors.js';
import type { Model, OutputKind } from '../core/model.js';
import { fromGraphModel } from './from-graph-model.js';
import { fromLayersModel } from './from-layers-model.js';
import { directoryHandler, loadLayersModel, MODEL_JSON } from './model-io.js';
import { loadOnnx } from './onnx/load-onnx.js';

/** Options of `loadModelFile`. */
export interface LoadModelFileOptions {
  /**
   * Input layout of ONNX models: 'nhwc' (default here, so images, heatmaps and tfjs models share
   * one layout) or 'nchw' (as the ONNX file declares it, e.g. for PyTorch-layout .npy inputs).
   */
  readonly onnxInputLayout?: 'nchw' | 'nhwc';
  /** What the outputs are; default: detected from the model's last layer or node (see each adapter). */
  readonly outputKind?: OutputKind;
  /** Which output of a multi-output model to explain, by name (`Model.outputs`). */
  readonly output?: string;
}

/** A model loaded from disk, with a `dispose` that frees its weights. */
export type LoadedModelFile = Model & { dispose(): void };

/**
 * Loads a model file as a Lumen Model: an ONNX file (`.onnx`, through Lumen's differentiable
 * importer), or a tfjs model — a directory holding `model.json` or the `model.json` itself —
 * either a Layers model or a graph model (converted SavedModel), told apart by its `format`.
 * Anything else is a LumenError saying what is accepted.
 */
export async function loadModelFile(file: string, options: LoadModelFileOptions = {}): Promise<LoadedModelFile> {
  let isDir: boolean;
  try {
    isDir = (await stat(file)).isDirectory();
  } catch {
    throw new LumenError('file', `loadModelFile: '${file}': no such file (expected an .onnx file, a tfjs model directory or its model.json)`);
  }
  if (!isDir && path.extname(file).toLowerCase() === '.onnx') {
    const model = await loadOnnx(file, { inputLayout: options.onnxInputLayout ?? 'nhwc', outputKind: options.outputKind, output: options.output });
    return model;
  }
  if (isDir || path.basename(file) === MODEL_JSON) {
    const dir = isDir ? file : path.dirname(file);
    const name = path.basename(dir);
    let format: unknown;
    try {
      format = (JSON.parse(await readFile(path.join(dir, MODEL_JSON), 'utf8')) as { format?: unknown }).format;
    } catch {
      format = undefined;
    }
    if (format === 'graph-model') {
      let graph: tf.GraphModel;
      try {
        graph = await tf.loadGraphModel(directoryHandler(dir));
      } catch (e) {
        if (e instanceof LumenError) throw e;
        throw new LumenError('model', `${path.join(dir, MODEL_JSON)}: expected a tfjs graph model; tfjs could not load it: ${(e as Error).message}`);
      }
      try {
        return withDispose(fromGraphModel(graph, { name, outputKind: options.outputKind, output: options.output, owned: true }));
      } catch (e) {
        graph.dispose();
        throw e;
      }
    }
    const layers = await loadLayersModel(dir);
    try {
      return withDispose(fromLayersModel(layers, { name, outputKind: options.outputKind, output: options.output, owned: true }));
    } catch (e) {
      layers.dispose();
      throw e;
    }
  }
  throw new LumenError('file', `loadModelFile: '${file}': expected an .onnx file, a tfjs model directory or its model.json; found a '${path.extname(file) || 'extensionless'}' file`);
}

function withDispose(model: Model): LoadedModelFile {
  return { ...model, dispose: () => model.dispose?.() };
}
