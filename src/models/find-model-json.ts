import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LumenError } from '../core/errors.js';
import { jsonDepth, MAX_JSON_DEPTH } from '../data/parse-json.js';
import { MODEL_JSON } from './model-io.js';

/** Whether `file` parses as a tfjs model JSON (an object with `modelTopology` and `weightsManifest`). */
export function isTfjsModelJson(file: string): boolean {
  try {
    const text = readFileSync(file, 'utf8');
    if (jsonDepth(text) > MAX_JSON_DEPTH) return false;
    const json = JSON.parse(text) as unknown;
    return json !== null && typeof json === 'object' && 'modelTopology' in json && 'weightsManifest' in json;
  } catch {
    return false;
  }
}

/**
 * The tfjs model JSON a `--model` path names, as `{dir, jsonName}`: a `.json` file of any name
 * (`emotion.json`; its weight files sit beside it), or a folder holding `model.json` or else
 * exactly one tfjs model JSON. A folder with none or several is a LumenError listing what it holds.
 */
export function findModelJson(spec: string, isDir: boolean): { dir: string; jsonName: string } {
  if (!isDir) return { dir: path.dirname(spec), jsonName: path.basename(spec) };
  const names = readdirSync(spec).filter((n) => n.toLowerCase().endsWith('.json')).sort();
  if (names.includes(MODEL_JSON)) return { dir: spec, jsonName: MODEL_JSON };
  const models = names.filter((n) => isTfjsModelJson(path.join(spec, n)));
  if (models.length === 1) return { dir: spec, jsonName: models[0] };
  throw new LumenError('file', models.length === 0
    ? `${spec}: expected a folder holding a tfjs model JSON (model.json, or one .json with modelTopology and weightsManifest); found ${names.length ? `only ${names.join(', ')}` : 'no .json file'}`
    : `${spec}: expected a folder holding one tfjs model JSON; found ${models.length}: ${models.join(', ')} (name the file)`);
}
