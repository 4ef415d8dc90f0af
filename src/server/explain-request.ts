/**
 * The body of POST /api/explain, checked: `{model, method, options?, target?, inputs?, dataset?}`.
 * `inputs` is a tensor `{shape: [N, …inputShape], data: number[]}`; `dataset` is `{rows: [i, …]}`,
 * rows of the server's `--data` (or the bundled model's own data). Option values are typed by the
 * registry's option specs exactly as `lumen explain --opt name=value` types them.
 */
import { check, LumenError } from '../core/errors.js';
import type { LocalMethodInfo, MethodOptions } from '../core/method-info.js';
import { explainableMethod, parseMethodOptions, parseTarget } from '../cli/method-options.js';
import { optionValues } from '../cli/option-values.js';

/** A checked explain request. */
export interface ExplainRequest {
  readonly model: string;
  readonly method: LocalMethodInfo;
  readonly options: MethodOptions;
  readonly inputs?: { readonly shape: readonly number[]; readonly data: readonly number[] };
  readonly rows?: readonly number[];
}

/** Most rows one request may explain (larger jobs: `lumen explain --data`). */
export const MAX_ROWS = 10_000;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Options as JSON → the method's options (the registry's types; a LumenError('option') names the bad one). */
function requestOptions(method: LocalMethodInfo, raw: unknown, target: unknown): MethodOptions {
  if (raw !== undefined) check(isObject(raw), 'option', () => `options: expected an object of option values; found ${JSON.stringify(raw)}`);
  const given = (raw ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const pairs: string[] = [];
  for (const [name, v] of Object.entries(given)) {
    if (name === 'layer') {
      check(typeof v === 'string' && v.length > 0, 'option', () => `options.layer: expected a layer name; found ${JSON.stringify(v)}`);
      out.layer = v;
    } else if (name === 'seed' || name === 'batchSize') {
      check(Number.isInteger(v) && (v as number) >= (name === 'seed' ? 0 : 1), 'option', () => `options.${name}: expected an integer ≥ ${name === 'seed' ? 0 : 1}; found ${JSON.stringify(v)}`);
      out[name] = v;
    } else if (name === 'target') {
      throw new LumenError('option', 'options.target: give the target beside the options (`target`), not among them');
    } else {
      check(['string', 'number', 'boolean'].includes(typeof v) || (Array.isArray(v) && v.every((k) => Number.isInteger(k))), 'option', () =>
        `options.${name}: expected a number, string, boolean or list of integers; found ${JSON.stringify(v)}`);
      pairs.push(`${name}=${Array.isArray(v) ? v.join('x') : String(v)}`);
    }
  }
  if (method.layer === 'none' && out.layer !== undefined) throw new LumenError('option', `options.layer: ${method.id} does not take a layer`);
  if (method.layer === 'required' && out.layer === undefined) throw new LumenError('option', `options.layer: ${method.id} needs a layer (one of the model's layers)`);
  const t = target === undefined ? 'predicted'
    : target === 'predicted' ? target
    : Number.isInteger(target) && (target as number) >= 0 ? (target as number)
    : Array.isArray(target) && target.length > 0 && target.every((k) => Number.isInteger(k) && k >= 0) ? (target as number[])
    : parseTarget(String(target));
  return optionValues(method, { ...parseMethodOptions(method, pairs), ...out, target: t });
}

/** Checks a parsed JSON body (a LumenError on anything malformed); does not look at the model yet. */
export function parseExplainRequest(body: unknown): ExplainRequest {
  check(isObject(body), 'input', () => 'POST /api/explain: expected a JSON object {model, method, options?, target?, inputs? | dataset?}');
  const { model, method: id, options, target, inputs, dataset } = body;
  check(typeof model === 'string', 'input', () => 'POST /api/explain: `model` must be a model id (GET /api/models)');
  check(typeof id === 'string', 'input', () => 'POST /api/explain: `method` must be a method id (GET /api/methods)');
  const method = explainableMethod(id);
  const unknown = Object.keys(body).filter((k) => !['model', 'method', 'options', 'target', 'inputs', 'dataset'].includes(k));
  check(unknown.length === 0, 'input', () => `POST /api/explain: unknown field(s) ${unknown.join(', ')}`);
  check((inputs === undefined) !== (dataset === undefined), 'input', () => 'POST /api/explain: give exactly one of `inputs` ({shape, data}) and `dataset` ({rows})');
  const opts = requestOptions(method, options, target);
  if (inputs !== undefined) {
    check(isObject(inputs) && Array.isArray(inputs.shape) && Array.isArray(inputs.data), 'input', () => 'inputs: expected {shape: [N, …], data: [numbers]}');
    const shape = inputs.shape as unknown[];
    const data = inputs.data as unknown[];
    check(shape.length >= 2 && shape.every((s) => Number.isInteger(s) && (s as number) >= 1), 'shape', () => `inputs.shape: expected positive integers [N, …inputShape]; found ${JSON.stringify(shape)}`);
    check((shape[0] as number) <= MAX_ROWS, 'input', () => `inputs: at most ${MAX_ROWS} rows per request; found ${String(shape[0])}`);
    const size = (shape as number[]).reduce((a, b) => a * b, 1);
    check(data.length === size, 'shape', () => `inputs.data: expected ${size} numbers for shape [${shape.join(', ')}]; found ${data.length}`);
    check(data.every((v) => typeof v === 'number' && Number.isFinite(v)), 'input', () => 'inputs.data: every value must be a finite number');
    return { model, method, options: opts, inputs: { shape: shape as number[], data: data as number[] } };
  }
  check(isObject(dataset) && Array.isArray(dataset.rows) && dataset.rows.length > 0, 'input', () => 'dataset: expected {rows: [row indices]}');
  const rows = dataset.rows as unknown[];
  check(rows.length <= MAX_ROWS, 'input', () => `dataset.rows: at most ${MAX_ROWS} rows per request; found ${rows.length}`);
  check(rows.every((r) => Number.isInteger(r) && (r as number) >= 0), 'input', () => 'dataset.rows: expected non-negative integer row indices');
  return { model, method, options: opts, rows: rows as number[] };
}
