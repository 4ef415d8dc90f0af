import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LumenError } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { loadOnnx, type OnnxModel } from '../models/onnx/load-onnx.js';
import { localMethodById } from '../methods.js';
import { fixtureArray, loadFixture, type Fixture, type FixtureEntry, type FixtureValue } from '../models/fixture.js';
import { parityCase } from './cases.js';
import { withEngine, type Engine } from '../engine/ort/with-engine.js';

/** One row of a parity report. */
export interface ParityRow {
  readonly fixture: string;
  readonly id: string;
  readonly status: 'pass' | 'fail' | 'missing';
  readonly maxAbsError: number | null;
  readonly allowed: number | null;
  readonly message?: string;
}

/** Options of `runParity`. */
export interface ParityOptions {
  /** Called with every row as soon as it is known. */
  readonly onRow?: (row: ParityRow) => void;
  /**
   * Where the model comes from: 'json' (default) builds it from the fixture's weights; 'onnx'
   * imports the `.onnx` file beside the fixture (or beside its `source_fixture`) with Lumen's ONNX
   * importer, NHWC input, layers mapped from PyTorch module names ('fc1' → '/fc1/Gemm').
   */
  readonly load?: 'json' | 'onnx';
  /** Which executor runs the model (default 'tfjs'): same numbers, different engine. */
  readonly engine?: Engine;
}

/**
 * The tolerance rule of the fixtures: max|a − ref| ≤ tol · max|ref| + c, with c = 1e-7 (1e-6 where
 * the entry's rule says so, as Quantus' entries do).
 */
export function allowedError(entry: FixtureEntry, reference: Float32Array): number {
  const t = entry.recommended_float32_tolerance ?? resultTolerance(entry);
  const tol = typeof t === 'number' ? t : (t?.tol ?? 1e-4);
  const rule = typeof t === 'object' ? (t.rule ?? '') : '';
  const floor = /\+ *1e-6/.test(rule) ? 1e-6 : 1e-7;
  let scale = 0;
  for (const v of reference) scale = Math.max(scale, Math.abs(v));
  return tol * scale + floor;
}

/**
 * The tolerance some wave-2 entries (captum.influence) record per result key under `float32`
 * (`float32.scores.recommended_float32_tolerance`) instead of at the top: the loosest of them.
 */
function resultTolerance(entry: FixtureEntry): FixtureEntry['recommended_float32_tolerance'] {
  const perKey = entry.float32;
  if (!perKey || typeof perKey !== 'object') return undefined;
  const tols = Object.values(perKey as Record<string, unknown>)
    .map((v) => (v && typeof v === 'object' ? (v as { recommended_float32_tolerance?: { tol?: unknown } }).recommended_float32_tolerance : undefined))
    .filter((r): r is { tol: number; rule?: string } => typeof r?.tol === 'number');
  return tols.length ? tols.reduce((a, b) => (b.tol > a.tol ? b : a)) : undefined;
}

/** The recorded numbers of an entry: a method's `attribution`, a Captum metric's `value`, Quantus' `scores`. */
function referenceOf(entry: FixtureEntry): FixtureValue | undefined {
  if (entry.attribution !== undefined && typeof entry.attribution !== 'string') return entry.attribution;
  if (entry.value !== undefined) return entry.value;
  const scores = entry.scores;
  if (Array.isArray(scores) && scores.every((v) => typeof v === 'number')) return { shape: [scores.length], data: scores as number[] };
  return undefined;
}

/**
 * Loads each reference fixture, runs every method and metric it lists that Lumen implements with
 * the recorded arguments, and compares with the reference (`missing` for the ones it does not).
 */
export async function runParity(paths: readonly string[], options: ParityOptions = {}): Promise<ParityRow[]> {
  const rows: ParityRow[] = [];
  for (const path of paths) {
    const loaded = loadFixture(path);
    const onnxFile = options.load === 'onnx' ? fixtureOnnxFile(path, loaded) : null;
    if (onnxFile === undefined) {
      // No ONNX export of this model: every entry is reported missing, with the reason.
      for (const entry of fixtureEntries(loaded)) {
        const row: ParityRow = { fixture: loaded.name, id: entry.id, status: 'missing', maxAbsError: null, allowed: null, message: 'no .onnx model beside this fixture' };
        rows.push(row);
        options.onRow?.(row);
      }
      loaded.dispose();
      continue;
    }
    const onnx = onnxFile ? await loadFixtureOnnx(onnxFile, loaded, options.engine) : null;
    const fixture: Fixture = onnx ? { ...loaded, model: onnx.view } : { ...loaded, model: withEngine(loaded.model, options.engine) };
    try {
      for (const entry of fixtureEntries(fixture)) {
        const row = await runEntry(fixture, entry);
        rows.push(row);
        options.onRow?.(row);
      }
    } finally {
      onnx?.model.dispose();
      if (!onnx) fixture.model.dispose?.();
      loaded.dispose();
    }
  }
  return rows;
}

/** Every entry of a fixture: wave-1 `methods` and `metrics`, wave-2 `entries`. */
function fixtureEntries(fixture: Fixture): FixtureEntry[] {
  return [...(fixture.json.methods ?? []), ...(fixture.json.metrics ?? []), ...(fixture.json.entries ?? [])];
}

/** The `.onnx` file beside a fixture (or beside its source fixture), undefined if there is none. */
function fixtureOnnxFile(path: string, fixture: Fixture): string | undefined {
  const source = typeof fixture.json.source_fixture === 'string' ? fixture.json.source_fixture.split('/').pop() ?? '' : '';
  // A wave-2 fixture in a subfolder (test/fixtures/wave2/) reuses the wave-1 model's export one level up.
  const sourceOnnx = source.replace(/\.json$/i, '.onnx');
  const candidates = [path.replace(/\.json$/i, '.onnx'), ...(source ? [join(dirname(path), sourceOnnx), join(dirname(path), '..', sourceOnnx)] : [])];
  return candidates.find((c) => existsSync(c));
}

/**
 * The fixture's model imported from an ONNX file, seen through the PyTorch module names the
 * fixtures use: PyTorch exports module `conv2`'s node as '/conv2/Conv', so that layer is 'conv2'.
 */
async function loadFixtureOnnx(file: string, fixture: Fixture, engine: Engine | undefined): Promise<{ model: OnnxModel; view: Model }> {
  const model = await loadOnnx(file, { inputLayout: 'nhwc', name: fixture.name, ...(engine ? { engine } : {}) });
  const toTorch = new Map<string, string>();
  for (const l of model.layers) {
    const m = /^\/?(.+)\/[^/]+$/.exec(l.name);
    const torch = m ? m[1].replace(/\//g, '.') : l.name;
    if (!toTorch.has(l.name) && ![...toTorch.values()].includes(torch)) toTorch.set(l.name, torch);
  }
  const toOnnx = new Map([...toTorch].map(([o, t]) => [t, o]));
  const rename = <T>(record: Readonly<Record<string, T>> | undefined, map: Map<string, string>): Record<string, T> | undefined =>
    record && Object.fromEntries(Object.entries(record).map(([k, v]) => [map.get(k) ?? k, v]));
  const view: Model = {
    ...model,
    layers: model.layers.map((l) => ({ ...l, name: toTorch.get(l.name) ?? l.name })),
    run(x, options) {
      // Every run option passes through; layer names are mapped both ways (rule sets see PyTorch names).
      const rules = options?.rules;
      const r = model.run(x, {
        ...options,
        capture: options?.capture?.map((n) => toOnnx.get(n) ?? n),
        replace: rename(options?.replace, toOnnx),
        rules: rules && ((node) => rules({ ...node, name: toTorch.get(node.name) ?? node.name, ...(node.inputs ? { inputs: node.inputs.map((n) => toTorch.get(n) ?? n) } : {}) })),
      });
      return { output: r.output, captured: rename(r.captured, toTorch) ?? {} };
    },
  };
  return { model, view };
}

async function runEntry(fixture: Fixture, entry: FixtureEntry): Promise<ParityRow> {
  const base = { fixture: fixture.name, id: entry.id };
  const found = parityCase(entry, fixture);
  const override = found && 'compute' in found ? found.reference : undefined;
  const reference: FixtureValue | undefined = override ? { shape: [override.length], data: Array.from(override) } : referenceOf(entry);
  if (!found || !reference) return { ...base, status: 'missing', maxAbsError: null, allowed: null };
  const ref = fixtureArray(reference);
  const allowed = allowedError(entry, ref.data);
  try {
    let got: ArrayLike<number>;
    let shape: readonly number[];
    if ('compute' in found) {
      got = await found.compute();
      shape = [got.length];
    } else {
      const result = await localMethodById(found.method).run(fixture.model, found.input ?? fixture.inputs, found.options);
      got = await result.values.data();
      shape = result.values.shape;
      result.dispose();
    }
    if (got.length !== ref.data.length) {
      return { ...base, status: 'fail', maxAbsError: null, allowed, message: `shape [${shape}] vs reference [${ref.shape}]` };
    }
    let err = 0;
    for (let i = 0; i < got.length; i++) err = Math.max(err, Math.abs(got[i] - ref.data[i]));
    if (Number.isNaN(err) || Array.from(got).some((v) => Number.isNaN(v))) err = Infinity;
    return { ...base, status: err <= allowed ? 'pass' : 'fail', maxAbsError: err, allowed };
  } catch (e) {
    if (!(e instanceof LumenError) && !(e instanceof Error)) throw e;
    return { ...base, status: 'fail', maxAbsError: null, allowed, message: e.message };
  }
}
