/**
 * Tensors in JSON: nested arrays of numbers (`[[0.1, 0.2], [0.3, 0.4]]`, rectangular) or an object
 * `{"shape": [2, 2], "data": [0.1, 0.2, 0.3, 0.4]}` (data flat in C order, or nested to that shape).
 */
import { LumenError } from '../core/errors.js';
import { parseJson, MAX_JSON_DEPTH } from './parse-json.js';
import { readBytes, sizeOf, type TensorData } from './tensor-data.js';

/** Converts parsed JSON to a tensor; `source` (the file name) is named in error messages. */
export function jsonToTensor(value: unknown, source = 'json'): TensorData {
  const fail = (expected: string, found: string): never => {
    throw new LumenError('file', `${source}: expected ${expected}; found ${found}`);
  };
  if (Array.isArray(value)) return flattenNested(value, source);
  if (value !== null && typeof value === 'object' && 'shape' in value && 'data' in value) {
    const { shape, data } = value as { shape: unknown; data: unknown };
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      fail('"shape" to be an array of non-negative integers', JSON.stringify(shape));
    }
    if (!Array.isArray(data)) fail('"data" to be an array of numbers', describe(data));
    const flat = flattenNested(data as unknown[], source, '.data');
    const dims = shape as number[];
    if (flat.data.length !== sizeOf(dims)) {
      fail(`"data" to hold ${sizeOf(dims)} numbers for shape [${dims.join(', ')}]`, `${flat.data.length} numbers`);
    }
    if (flat.shape.length > 1 && flat.shape.join(',') !== dims.join(',')) {
      fail(`nested "data" of shape [${dims.join(', ')}]`, `shape [${flat.shape.join(', ')}]`);
    }
    return { data: flat.data, shape: dims };
  }
  return fail('nested arrays of numbers or {"shape": [...], "data": [...]}', describe(value));
}

/** Reads a `.json` tensor file. */
export function readJsonTensor(file: string): TensorData {
  const text = readBytes(file, 'a JSON tensor').toString('utf8');
  return jsonToTensor(parseJson(text, file, 'nested arrays or {"shape", "data"}'), file);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return `an object with keys ${Object.keys(v as object).join(', ') || '(none)'}`;
  return `${typeof v} ${JSON.stringify(v)}`;
}

function flattenNested(root: unknown[], source: string, prefix = ''): TensorData {
  const shape: number[] = [];
  for (let v: unknown = root; Array.isArray(v); v = v[0]) {
    shape.push(v.length);
    if (shape.length > MAX_JSON_DEPTH) throw new LumenError('file', `${source}: expected a tensor of at most ${MAX_JSON_DEPTH} dimensions; found more`);
  }
  const out = new Float32Array(sizeOf(shape));
  let n = 0;
  const walk = (v: unknown, depth: number, at: string): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new LumenError('file', `${source}: expected a finite number at ${prefix}${at || '(root)'}; found ${describe(v)}`);
      }
      out[n++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new LumenError('file',
        `${source}: expected a rectangular array (an array of ${shape[depth]} at ${prefix}${at || '(root)'}, shape [${shape.join(', ')}]); found ${describe(v)}`);
    }
    v.forEach((x, i) => walk(x, depth + 1, `${at}[${i}]`));
  };
  walk(root, 0, '');
  return { data: out, shape };
}
