import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LumenError } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { fromGraphModel } from './from-graph-model.js';
import { fromLayersModel } from './from-layers-model.js';
import { directoryHandler, loadLayersModel, MODEL_JSON } from './model-io.js';
import { loadOnnx } from './onnx/load-onnx.js';
import { findModelJson } from './find-model-json.js';

/** Options of `loadModelFile`. */
export interface LoadModelFileOptions {
  /**
   * Input layout of ONNX models: 'nhwc' (default here, so images, heatmaps and tfjs models share
   * one layout) or 'nchw' (as the ONNX file declares it, e.g. for PyTorch-layout .npy inputs).
   */
  readonly onnxInputLayout?: 'nchw' | 'nhwc';
}

/** A model loaded from disk, with a `dispose` that frees its weights. */
export type LoadedModelFile = Model & { dispose(): void };

/**
 * Loads a model file as a Lumen Model: an ONNX file (`.onnx`, through Lumen's differentiable
 * importer), or a tfjs model — its JSON file of any name (`model.json`, `emotion.json`) or a folder
 * holding `model.json` or exactly one other tfjs model JSON —
 * either a Layers model or a graph model (converted SavedModel), told apart by its `format`.
 * Anything else is a LumenError saying what is accepted.
 */
export async function loadModelFile(file: string, options: LoadModelFileOptions = {}): Promise<LoadedModelFile> {
  let isDir: boolean;
  try {
    isDir = (await stat(file)).isDirectory();
  } catch {
    throw new LumenError('file', `loadModelFile: '${file}': no such file (expected an .onnx file, a tfjs model directory or its model JSON)`);
  }
  if (!isDir && path.extname(file).toLowerCase() === '.onnx') {
    const model = await loadOnnx(file, { inputLayout: options.onnxInputLayout ?? 'nhwc' });
    return model;
  }
  if (isDir || path.extname(file).toLowerCase() === '.json') {
    const { dir, jsonName } = findModelJson(file, isDir);
    const name = jsonName === MODEL_JSON ? path.basename(dir) : path.basename(jsonName, path.extname(jsonName));
    let format: unknown;
    try {
      format = (JSON.parse(await readFile(path.join(dir, jsonName), 'utf8')) as { format?: unknown }).format;
    } catch {
      format = undefined;
    }
    if (format === 'graph-model') {
      let graph: tf.GraphModel;
      try {
        graph = await tf.loadGraphModel(directoryHandler(dir, jsonName));
      } catch (e) {
        if (e instanceof LumenError) throw e;
        throw new LumenError('model', `${path.join(dir, jsonName)}: expected a tfjs graph model; tfjs could not load it: ${(e as Error).message}`);
      }
      return { ...fromGraphModel(graph, { name }), dispose: () => graph.dispose() };
    }
    const layers = await loadLayersModel(dir, jsonName);
    return { ...fromLayersModel(layers, { name }), dispose: () => layers.dispose() };
  }
  throw new LumenError('file', `loadModelFile: '${file}': expected an .onnx file, a tfjs model directory or its model JSON; found a '${path.extname(file) || 'extensionless'}' file`);
}
