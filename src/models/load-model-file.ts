import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LumenError } from '../core/errors.js';
import type { Model, OutputKind } from '../core/model.js';
import { fromGraphModel } from './from-graph-model.js';
import { fromLayersModel } from './from-layers-model.js';
import { directoryHandler, loadLayersModel, MODEL_JSON } from './model-io.js';
import { loadOnnx } from './onnx/load-onnx.js';
import type { Engine } from '../engine/ort/with-engine.js';

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
  /** Which executor runs Layers and ONNX models (default 'tfjs'; graph models stay on tfjs). */
  readonly engine?: Engine;
}

/** A model loaded from disk, with a `dispose` that frees its weights. */
export type LoadedModelFile = Model & { dispose(): void };

/**
 * Loads a model file as a Lumen Model: an ONNX file (`.onnx`, through Lumen's differentiable
 * importer), or a tfjs model — its JSON file whatever its name (`model.json`, `emotion.json`), or
 * a directory holding `model.json` or one other model JSON — either a Layers model or a graph
 * model (converted SavedModel), told apart by its `format`.
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
    const model = await loadOnnx(file, { inputLayout: options.onnxInputLayout ?? 'nhwc', outputKind: options.outputKind, output: options.output, engine: options.engine });
    return model;
  }
  const json = isDir ? await modelJsonIn(file) : path.extname(file).toLowerCase() === '.json' ? path.basename(file) : null;
  if (json !== null) {
    const dir = isDir ? file : path.dirname(file);
    const name = isDir || json === MODEL_JSON ? path.basename(dir) : json.replace(/\.json$/i, '');
    let format: unknown;
    try {
      format = (JSON.parse(await readFile(path.join(dir, json), 'utf8')) as { format?: unknown }).format;
    } catch {
      format = undefined;
    }
    const kinds = { outputKind: options.outputKind, output: options.output, owned: true };
    if (format === 'graph-model') {
      let graph: tf.GraphModel;
      try {
        graph = await tf.loadGraphModel(directoryHandler(dir, json));
      } catch (e) {
        if (e instanceof LumenError) throw e;
        throw new LumenError('model', `${path.join(dir, json)}: expected a tfjs graph model; tfjs could not load it: ${(e as Error).message}`);
      }
      try {
        return withDispose(fromGraphModel(graph, { name, ...kinds }));
      } catch (e) {
        graph.dispose();
        throw e;
      }
    }
    const layers = await loadLayersModel(dir, json);
    try {
      return withDispose(fromLayersModel(layers, { name, ...kinds, engine: options.engine }));
    } catch (e) {
      layers.dispose();
      throw e;
    }
  }
  throw new LumenError('file', `loadModelFile: '${file}': expected an .onnx file, a tfjs model directory or its model.json; found a '${path.extname(file) || 'extensionless'}' file`);
}

/** The model JSON of a directory: model.json, else its only .json file holding a `modelTopology`; model.json when neither. */
async function modelJsonIn(dir: string): Promise<string> {
  const names = await readdir(dir).catch(() => [] as string[]);
  if (names.includes(MODEL_JSON)) return MODEL_JSON;
  const candidates: string[] = [];
  for (const n of names.filter((f) => f.toLowerCase().endsWith('.json'))) {
    const text = await readFile(path.join(dir, n), 'utf8').catch(() => '');
    if (text.includes('"modelTopology"') && text.includes('"weightsManifest"')) candidates.push(n);
  }
  return candidates.length === 1 ? candidates[0] : MODEL_JSON;
}

function withDispose(model: Model): LoadedModelFile {
  return { ...model, dispose: () => model.dispose?.() };
}
