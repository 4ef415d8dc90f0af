/**
 * tf.LayersModel on disk without tfjs-node: a directory with `model.json` (topology + weights
 * manifest, the layout tfjs' `file://` and `tensorflowjs_converter` use) and `weights.bin`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LumenError } from '../core/errors.js';
import { writeFileAtomic } from '../data/io.js';
import { parseJson } from '../data/parse-json.js';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/**
 * A tfjs IOHandler reading and writing `dir/model.json` + `dir/weights.bin`; it reads the model
 * JSON from `dir/jsonName` when given (a converted model named `emotion.json`, say).
 */
export function directoryHandler(dir: string, jsonName: string = MODEL_JSON): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new LumenError('model', `saveLayersModel: ${dir}: expected a JSON model topology (tf.LayersModel); found a binary GraphDef`);
      }
      const weights = new Uint8Array(artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0));
      const json: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig) json.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata) json.userDefinedMetadata = artifacts.userDefinedMetadata;
      await writeFileAtomic(path.join(dir, WEIGHTS_BIN), weights);
      await writeFileAtomic(path.join(dir, MODEL_JSON), JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON({ ...artifacts, weightData: weights.buffer }) };
    },
    load: () => loadArtifacts(dir, jsonName),
  };
}

/** Saves `model` into `dir` (created if missing) as `model.json` + `weights.bin`, each written atomically. */
export async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<tf.io.SaveResult> {
  return model.save(directoryHandler(dir));
}

/**
 * Loads a tf.LayersModel saved by saveLayersModel (or by tfjs / tensorflowjs_converter as a Layers
 * model in one directory; its JSON `jsonName`, default model.json). Missing or corrupt files →
 * LumenError('file' or 'model') naming the path.
 */
export async function loadLayersModel(dir: string, jsonName: string = MODEL_JSON): Promise<tf.LayersModel> {
  const handler = directoryHandler(dir, jsonName);
  try {
    return await tf.loadLayersModel(handler);
  } catch (e) {
    if (e instanceof LumenError) throw e;
    throw new LumenError('model', `${path.join(dir, jsonName)}: expected a tfjs Layers model; tfjs could not build it: ${(e as Error).message}`);
  }
}

async function readOrFail(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const found = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'a directory' : err.message;
    throw new LumenError('file', `${file}: expected ${what}; found ${found}`);
  }
}

async function loadArtifacts(dir: string, jsonName: string): Promise<tf.io.ModelArtifacts> {
  const jsonPath = path.join(dir, jsonName);
  const text = (await readOrFail(jsonPath, 'a tfjs model.json')).toString('utf8');
  // Syntax errors and nesting deeper than MAX_JSON_DEPTH are LumenErrors (never a stack overflow in tfjs).
  const json = parseJson(text, jsonPath, 'a tfjs model.json') as Partial<tf.io.ModelJSON>;
  const fail = (expected: string, found: string): never => {
    throw new LumenError('model', `${jsonPath}: expected ${expected}; found ${found}`);
  };
  if (json === null || typeof json !== 'object' || Array.isArray(json)) fail('a JSON object', JSON.stringify(json).slice(0, 40));
  if (json.modelTopology === undefined || json.modelTopology === null || typeof json.modelTopology !== 'object') {
    fail('a "modelTopology" object', json.modelTopology === undefined ? 'none' : JSON.stringify(json.modelTopology).slice(0, 40));
  }
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest) || !manifest.every((g) => g && Array.isArray(g.paths) && Array.isArray(g.weights))) {
    fail('a "weightsManifest" array of {paths, weights} groups', JSON.stringify(manifest ?? null).slice(0, 60));
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const chunks: Buffer[] = [];
  for (const group of manifest!) {
    for (const p of group.paths) {
      if (typeof p !== 'string' || path.isAbsolute(p) || p.split(/[\\/]/).includes('..')) {
        fail('weight file paths inside the model directory', JSON.stringify(p));
      }
      chunks.push(await readOrFail(path.join(dir, p), `the weights listed in ${jsonName}`));
    }
    specs.push(...group.weights);
  }
  const data = Buffer.concat(chunks);
  let expected = 0;
  let sized = true;
  for (const s of specs) {
    const bytes = BYTES[s.quantization?.dtype ?? s.dtype];
    if (bytes === undefined || !Array.isArray(s.shape)) {
      sized = false;
      continue;
    }
    expected += s.shape.reduce((a, b) => a * b, 1) * bytes;
  }
  if (sized && expected !== data.length) {
    const files = manifest!.flatMap((g) => g.paths).map((p) => path.join(dir, p)).join(', ');
    throw new LumenError('file', `${files}: expected ${expected} bytes of weights (${specs.length} tensors in ${jsonName}); found ${data.length} bytes`);
  }
  return {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    trainingConfig: json.trainingConfig,
    userDefinedMetadata: json.userDefinedMetadata,
    weightSpecs: specs,
    weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
  };
}
