import { LumenError } from '../core/errors.js';
import { methodById } from '../methods.js';
import { fixtureArray, loadFixture, type Fixture, type FixtureEntry, type FixtureValue } from '../models/fixture.js';
import { parityCase } from './cases.js';

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
}

/**
 * The tolerance rule of the fixtures: max|a − ref| ≤ tol · max|ref| + c, with c = 1e-7 (1e-6 where
 * the entry's rule says so, as Quantus' entries do).
 */
export function allowedError(entry: FixtureEntry, reference: Float32Array): number {
  const t = entry.recommended_float32_tolerance;
  const tol = typeof t === 'number' ? t : (t?.tol ?? 1e-4);
  const rule = typeof t === 'object' ? (t.rule ?? '') : '';
  const floor = /\+ *1e-6/.test(rule) ? 1e-6 : 1e-7;
  let scale = 0;
  for (const v of reference) scale = Math.max(scale, Math.abs(v));
  return tol * scale + floor;
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
    const fixture = loadFixture(path);
    try {
      for (const entry of [...(fixture.json.methods ?? []), ...(fixture.json.metrics ?? [])]) {
        const row = await runEntry(fixture, entry);
        rows.push(row);
        options.onRow?.(row);
      }
    } finally {
      fixture.dispose();
    }
  }
  return rows;
}

async function runEntry(fixture: Fixture, entry: FixtureEntry): Promise<ParityRow> {
  const base = { fixture: fixture.name, id: entry.id };
  const found = parityCase(entry, fixture);
  const reference = referenceOf(entry);
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
      const result = await methodById(found.method).run(fixture.model, found.input ?? fixture.inputs, found.options);
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
