/**
 * Palmer penguins (vega-datasets `penguins.json`, 344 rows, shipped byte for byte in
 * `data/penguins.json.gz` by `npm run pack-data`; the 333 complete ones are used):
 * 9 features — the 4 measurements, standardised with the training split's mean and standard
 * deviation, then one-hot Island and Sex (0/1, not standardised) — and the species as label.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../core/errors.js';
import { seededSplit, type Split } from './split.js';

/** The four measurement columns, as named in the dataset. */
export const PENGUIN_MEASUREMENTS: readonly string[] = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'];
export const PENGUIN_ISLANDS: readonly string[] = ['Biscoe', 'Dream', 'Torgersen'];
export const PENGUIN_SEXES: readonly string[] = ['FEMALE', 'MALE'];
/** The model's input features, in order: measurements, then `Island=…` and `Sex=…` one-hots. */
export const PENGUIN_FEATURES: readonly string[] = [
  ...PENGUIN_MEASUREMENTS,
  ...PENGUIN_ISLANDS.map((v) => `Island=${v}`),
  ...PENGUIN_SEXES.map((v) => `Sex=${v}`),
];
/** Class names, index = label. */
export const PENGUIN_CLASSES: readonly string[] = ['Adelie', 'Chinstrap', 'Gentoo'];
/** Seed of the fixed train/held-out split. */
export const PENGUIN_SPLIT_SEED = 20240602;
/** Number of held-out penguins of the fixed split (about 20% of 333). */
export const PENGUIN_HELD_OUT = 67;

/** One complete row of the dataset. */
export interface PenguinRow {
  readonly species: string;
  readonly island: string;
  /** The four measurements, in PENGUIN_MEASUREMENTS order. */
  readonly measurements: readonly [number, number, number, number];
  readonly sex: string;
}

export interface PenguinData {
  readonly rows: readonly PenguinRow[];
  /** Species index (into PENGUIN_CLASSES) of each row. */
  readonly labels: Int32Array;
  readonly count: number;
}

/** Mean and standard deviation of each measurement on the training split (stored with the model). */
export interface Standardization {
  readonly features: readonly string[];
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

let cache: PenguinData | undefined;

/** `data/penguins.json.gz` at the package root (this file is compiled to `dist/src/data/penguins.js`). */
export function penguinsFile(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'data', 'penguins.json.gz');
}

/** The complete rows (no missing value, Sex MALE/FEMALE) of the dataset, in file order; cached. */
export function loadPenguins(): PenguinData {
  if (cache) return cache;
  const file = penguinsFile();
  let records: unknown;
  try {
    records = JSON.parse(new TextDecoder().decode(gunzipSync(readFileSync(file))));
  } catch (e) {
    throw new LumenError('file', `loadPenguins: cannot read ${file}: expected a JSON array of records; found ${(e as Error).message}`);
  }
  check(Array.isArray(records), 'file', () => `loadPenguins: ${file}: expected a JSON array of records; found ${typeof records}`);
  const rows: PenguinRow[] = [];
  for (const r of records as Record<string, unknown>[]) {
    const m = PENGUIN_MEASUREMENTS.map((k) => r[k]);
    const { Species: species, Island: island, Sex: sex } = r;
    if (!m.every((v) => typeof v === 'number' && Number.isFinite(v))) continue;
    if (typeof species !== 'string' || !PENGUIN_CLASSES.includes(species)) continue;
    if (typeof island !== 'string' || !PENGUIN_ISLANDS.includes(island)) continue;
    if (typeof sex !== 'string' || !PENGUIN_SEXES.includes(sex)) continue;
    rows.push({ species, island, sex, measurements: m as unknown as [number, number, number, number] });
  }
  const labels = Int32Array.from(rows, (r) => PENGUIN_CLASSES.indexOf(r.species));
  cache = { rows, labels, count: rows.length };
  return cache;
}

/** The fixed train/held-out split of the complete rows (67 held out, seed PENGUIN_SPLIT_SEED). */
export function penguinSplit(data: PenguinData = loadPenguins()): Split {
  return seededSplit(data.count, PENGUIN_HELD_OUT, PENGUIN_SPLIT_SEED);
}

/** Mean and (population) standard deviation of each measurement over the rows at `indices`. */
export function penguinStandardization(data: PenguinData, indices: ArrayLike<number>): Standardization {
  check(indices.length > 1, 'input', () => `penguinStandardization: needs at least 2 rows; found ${indices.length}`);
  const mean = [0, 0, 0, 0];
  const sq = [0, 0, 0, 0];
  for (let i = 0; i < indices.length; i++) {
    const m = data.rows[indices[i]].measurements;
    for (let j = 0; j < 4; j++) mean[j] += m[j];
  }
  for (let j = 0; j < 4; j++) mean[j] /= indices.length;
  for (let i = 0; i < indices.length; i++) {
    const m = data.rows[indices[i]].measurements;
    for (let j = 0; j < 4; j++) sq[j] += (m[j] - mean[j]) ** 2;
  }
  const std = sq.map((s) => Math.sqrt(s / indices.length) || 1);
  return { features: [...PENGUIN_MEASUREMENTS], mean, std };
}

/** Encodes rows into the 9 model features (row-major `[rows.length, 9]`). */
export function encodePenguins(rows: readonly Pick<PenguinRow, 'island' | 'sex' | 'measurements'>[], stats: Standardization): Float32Array {
  const f = PENGUIN_FEATURES.length;
  const out = new Float32Array(rows.length * f);
  rows.forEach((r, i) => {
    for (let j = 0; j < 4; j++) out[i * f + j] = (r.measurements[j] - stats.mean[j]) / stats.std[j];
    const island = PENGUIN_ISLANDS.indexOf(r.island);
    const sex = PENGUIN_SEXES.indexOf(r.sex);
    check(island >= 0, 'input', () => `penguins: Island must be one of ${PENGUIN_ISLANDS.join(', ')}; found '${r.island}'`);
    check(sex >= 0, 'input', () => `penguins: Sex must be one of ${PENGUIN_SEXES.join(', ')}; found '${r.sex}'`);
    out[i * f + 4 + island] = 1;
    out[i * f + 4 + PENGUIN_ISLANDS.length + sex] = 1;
  });
  return out;
}

/** The rows at `indices` (all when omitted), encoded, as a `[N, 9]` tensor. */
export function penguinBatch(data: PenguinData, stats: Standardization, indices?: ArrayLike<number>): tf.Tensor2D {
  const rows = indices ? Array.from(indices, (k) => data.rows[k]) : data.rows;
  return tf.tensor2d(encodePenguins(rows, stats), [rows.length, PENGUIN_FEATURES.length]);
}

/** The labels at `indices` (all when omitted), in that order. */
export function penguinLabels(data: PenguinData, indices?: ArrayLike<number>): Int32Array {
  return indices ? Int32Array.from(indices, (k) => data.labels[k]) : data.labels.slice();
}

/**
 * Encodes a table read from a CSV (see readCsv) whose header names the dataset's columns — the
 * four measurements, `Island` and `Sex`, matched case-insensitively; other columns (e.g. `Species`)
 * are ignored — into a `[rows, 9]` feature matrix. `source` names the file in error messages.
 */
export function penguinFeaturesFromTable(
  table: { readonly names: readonly string[]; readonly rows: readonly (readonly (string | number | null)[])[] },
  stats: Standardization,
  source = 'table',
): Float32Array {
  const lower = table.names.map((n) => n.trim().toLowerCase());
  const column = (name: string): number => {
    const k = lower.indexOf(name.toLowerCase());
    check(k >= 0, 'input', () => `${source}: expected a column '${name}' (penguin columns: ${[...PENGUIN_MEASUREMENTS, 'Island', 'Sex'].join(', ')}); found columns ${table.names.join(', ')}`);
    return k;
  };
  const mCols = PENGUIN_MEASUREMENTS.map(column);
  const islandCol = column('Island');
  const sexCol = column('Sex');
  const rows = table.rows.map((row, i) => {
    const measurements = mCols.map((c, j) => {
      const v = row[c];
      check(typeof v === 'number' && Number.isFinite(v), 'input',
        () => `${source}: row ${i + 1}, column '${PENGUIN_MEASUREMENTS[j]}': expected a number; found ${v === null ? 'an empty cell' : `'${v}'`}`);
      return v;
    }) as [number, number, number, number];
    const match = (v: unknown, allowed: readonly string[], name: string): string => {
      const s = String(v ?? '').trim();
      const hit = allowed.find((a) => a.toLowerCase() === s.toLowerCase());
      check(hit !== undefined, 'input', () => `${source}: row ${i + 1}, column '${name}': expected one of ${allowed.join(', ')}; found '${s}'`);
      return hit;
    };
    return { measurements, island: match(row[islandCol], PENGUIN_ISLANDS, 'Island'), sex: match(row[sexCol], PENGUIN_SEXES, 'Sex') };
  });
  return encodePenguins(rows, stats);
}
