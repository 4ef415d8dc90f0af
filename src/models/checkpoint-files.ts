/**
 * Training checkpoints (src/core/checkpoint.ts) read from and written to files, for TracIn (Pruthi
 * et al. 2020) and any method that takes `checkpoints`. A checkpoint on disk is a whole model as
 * `loadModelFile` reads it — a tfjs Layers model folder or its model.json, or an ONNX file — of the
 * explained model's architecture; its parameters are matched by `ModelParameter.name`.
 *
 * Where the checkpoints are listed:
 * - a JSON file `[{"path": "epoch-1", "learningRate": 0.1}, …]` (or `{"checkpoints": […]}`), paths
 *   relative to the file, `learningRate` optional (absent: 1, as Captum's default loader);
 * - a folder holding `checkpoints.json` (that list), or else one checkpoint per entry — a subfolder
 *   with a model JSON, a `*.json` model or an `*.onnx` file — in natural name order (epoch-2 before
 *   epoch-10), each with learning rate 1.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { disposeCheckpoint, forEachCheckpoint, modelParameters, type Checkpoint } from '../core/checkpoint.js';
import { check, LumenError } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { writeFileAtomicSync } from '../data/io.js';
import { loadModelFile, type LoadModelFileOptions } from './load-model-file.js';
import { saveLayersModel } from './model-io.js';

/** The file that lists a folder's checkpoints. */
export const CHECKPOINTS_JSON = 'checkpoints.json';

/** One entry of a checkpoint list: where the model is, and the learning rate of the phase that ended there. */
export interface CheckpointFileEntry {
  readonly path: string;
  readonly learningRate?: number;
  readonly name?: string;
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    throw new LumenError('file', `loadCheckpointFiles: '${p}': no such file or folder (expected a checkpoint list .json or a folder of checkpoints)`);
  }
}

/** The entries of a checkpoint list file, paths resolved against its folder. */
async function readList(file: string): Promise<CheckpointFileEntry[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new LumenError('file', `loadCheckpointFiles: ${file}: expected a JSON list of checkpoints [{"path", "learningRate"}]; ${(e as Error).message}`);
  }
  const list = Array.isArray(json) ? json : (json as { checkpoints?: unknown } | null)?.checkpoints;
  check(Array.isArray(list) && list.length > 0, 'input', () => `loadCheckpointFiles: ${file}: expected a non-empty list [{"path", "learningRate"}] or {"checkpoints": [...]}; found ${JSON.stringify(json)?.slice(0, 60)}`);
  return list.map((raw: unknown, i: number) => {
    const e = (typeof raw === 'string' ? { path: raw } : raw) as Partial<CheckpointFileEntry> | null;
    check(e !== null && typeof e === 'object' && typeof e.path === 'string' && e.path.length > 0, 'input', () => `loadCheckpointFiles: ${file}: entry ${i} needs a "path" (a string); found ${JSON.stringify(raw)}`);
    check(e.learningRate === undefined || (typeof e.learningRate === 'number' && Number.isFinite(e.learningRate)), 'input', () => `loadCheckpointFiles: ${file}: entry ${i}'s learningRate must be a finite number; found ${JSON.stringify(e.learningRate)}`);
    return { path: path.resolve(path.dirname(file), e.path), ...(e.learningRate !== undefined ? { learningRate: e.learningRate } : {}), name: e.name ?? e.path };
  });
}

/** The checkpoint list of a file or folder (see the module's doc), without loading any model. */
export async function listCheckpointFiles(spec: string): Promise<CheckpointFileEntry[]> {
  if (!(await isDirectory(spec))) return readList(spec);
  const names = await readdir(spec);
  if (names.includes(CHECKPOINTS_JSON)) return readList(path.join(spec, CHECKPOINTS_JSON));
  const entries: CheckpointFileEntry[] = [];
  for (const n of names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))) {
    const p = path.join(spec, n);
    const dir = (await stat(p)).isDirectory();
    if (dir ? (await readdir(p)).some((f) => f.toLowerCase().endsWith('.json')) : /\.(json|onnx)$/i.test(n)) entries.push({ path: p, name: n });
  }
  check(entries.length > 0, 'input', () => `loadCheckpointFiles: folder '${spec}' holds no checkpoints (expected ${CHECKPOINTS_JSON}, model folders, model .json or .onnx files)`);
  return entries;
}

/**
 * Loads the checkpoints listed by `spec` (a list .json or a folder) for `model`: each file's
 * parameters by name, every parameter of the model present with its shape (a LumenError naming
 * the checkpoint and the parameter otherwise). The caller disposes them (`disposeCheckpoint`).
 */
export async function loadCheckpointFiles(model: Model, spec: string, options: LoadModelFileOptions = {}): Promise<Checkpoint[]> {
  const params = modelParameters(model, 'loadCheckpointFiles');
  const entries = await listCheckpointFiles(spec);
  const out: Checkpoint[] = [];
  try {
    for (const e of entries) {
      const loaded = await loadModelFile(e.path, options);
      try {
        const own = new Map((loaded.parameters ?? []).map((p) => [p.name, p.value]));
        const parameters: Record<string, tf.Tensor> = {};
        for (const p of params) {
          const v = own.get(p.name);
          check(v !== undefined, 'model', () => `loadCheckpointFiles: checkpoint '${e.name}' (${e.path}) has no parameter '${p.name}'; it has ${[...own.keys()].join(', ') || 'none'}`);
          check(v.shape.length === p.shape.length && v.shape.every((d, i) => d === p.shape[i]), 'shape', () => `loadCheckpointFiles: checkpoint '${e.name}': parameter '${p.name}' has shape [${v.shape}]; the model's is [${p.shape}]`);
          parameters[p.name] = tf.keep(v.clone());
        }
        out.push({ parameters, ...(e.learningRate !== undefined ? { learningRate: e.learningRate } : {}), ...(e.name ? { name: e.name } : {}) });
      } finally {
        loaded.dispose();
      }
    }
  } catch (err) {
    out.forEach(disposeCheckpoint);
    throw err;
  }
  return out;
}

/**
 * Writes checkpoints as files `loadCheckpointFiles` reads: one tfjs Layers model folder per
 * checkpoint (`dir/<name>`) and `dir/checkpoints.json` with their learning rates. `layers` is the
 * tf.LayersModel behind `model` (`fromLayersModel(layers)`): each checkpoint is loaded into it in
 * turn and saved; the model's parameters are restored afterwards.
 */
export async function saveCheckpointFiles(layers: tf.LayersModel, model: Model, checkpoints: readonly Checkpoint[], dir: string): Promise<void> {
  const names = checkpoints.map((c, i) => (c.name ?? `checkpoint-${i}`).replace(/[^A-Za-z0-9._-]+/g, '-'));
  check(new Set(names).size === names.length, 'option', () => `saveCheckpointFiles: checkpoint names must be distinct as folder names; found ${names.join(', ')}`);
  await forEachCheckpoint(model, checkpoints, async (_c, i) => saveLayersModel(layers, path.join(dir, names[i])));
  const list = checkpoints.map((c, i) => ({ path: names[i], ...(c.learningRate !== undefined ? { learningRate: c.learningRate } : {}) }));
  writeFileAtomicSync(path.join(dir, CHECKPOINTS_JSON), `${JSON.stringify(list, null, 2)}\n`);
}
