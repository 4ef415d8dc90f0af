import * as arrow from 'apache-arrow';
import type { Shard } from './shard-plan.js';
import { tableParquet } from './shard-parquet.js';

/** The training rows kept for each query of a shard: `k` per query, best first, flat `[n · k]`. */
export interface RankedColumn {
  /** The column's name in the files: 'proponents', 'opponents' or 'neighbours'. */
  readonly name: 'proponents' | 'opponents' | 'neighbours';
  readonly indices: Int32Array;
  readonly scores: Float32Array;
}

/**
 * One shard of an examples job, column by column: a row per query with its index in the query
 * dataset, label, the class whose loss was used (target), the model's prediction, its top-k
 * training rows with scores (proponents and opponents, or neighbours) and its self-influence.
 */
export interface ExamplesShardRows {
  readonly shard: Shard;
  readonly method: string;
  readonly k: number;
  readonly ids: Int32Array;
  readonly labels: Int32Array | null;
  readonly targets: Int32Array;
  readonly predictions: Int32Array;
  readonly ranked: readonly RankedColumn[];
  readonly selfInfluence: Float32Array | null;
}

/** A float32 as JSON: its value, null for NaN/±∞. */
function num(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/**
 * A shard's rows as JSON Lines, one object per query: `id`, `label`, `target`, `prediction`,
 * `method`, then per ranked column a list of `{index, score}` best first, and `selfInfluence`
 * (null when not asked).
 */
export function examplesJsonl(rows: ExamplesShardRows): string {
  const lines: string[] = [];
  for (let i = 0; i < rows.ids.length; i++) {
    const record: Record<string, unknown> = {
      id: rows.ids[i],
      label: rows.labels ? rows.labels[i] : null,
      target: rows.targets[i],
      prediction: rows.predictions[i],
      method: rows.method,
    };
    for (const c of rows.ranked) {
      record[c.name] = Array.from({ length: rows.k }, (_, r) => ({ index: c.indices[i * rows.k + r], score: num(c.scores[i * rows.k + r]) }));
    }
    record.selfInfluence = rows.selfInfluence ? num(rows.selfInfluence[i]) : null;
    lines.push(JSON.stringify(record));
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** A fixed-size-list column of `width` int32 values per row. */
function intList(values: Int32Array, rows: number, width: number): arrow.Vector {
  const child = arrow.makeData({ type: new arrow.Int32(), length: rows * width, data: values });
  return arrow.makeVector(arrow.makeData({ type: new arrow.FixedSizeList(width, new arrow.Field('item', new arrow.Int32(), false)), length: rows, child }));
}

/** A fixed-size-list column of `width` float32 values per row. */
function floatList(values: Float32Array, rows: number, width: number): arrow.Vector {
  const child = arrow.makeData({ type: new arrow.Float32(), length: rows * width, data: values });
  return arrow.makeVector(arrow.makeData({ type: new arrow.FixedSizeList(width, new arrow.Field('item', new arrow.Float32(), false)), length: rows, child }));
}

/**
 * A shard's rows as an Arrow table: `id`, `label` (null without labels), `target`, `prediction`
 * (int32); per ranked column `<name>` (fixed-size list of k int32 training-row indices) and
 * `<name>Scores` (k float32); `selfInfluence` (float32, null when not asked). Schema metadata:
 * `lumen.method`, `lumen.k`.
 */
export function examplesTable(rows: ExamplesShardRows): arrow.Table {
  const n = rows.ids.length;
  const columns: Record<string, arrow.Vector> = {
    id: arrow.makeVector(rows.ids),
    label: rows.labels ? arrow.makeVector(rows.labels) : arrow.vectorFromArray(new Array<null>(n).fill(null), new arrow.Int32()),
    target: arrow.makeVector(rows.targets),
    prediction: arrow.makeVector(rows.predictions),
  };
  for (const c of rows.ranked) {
    columns[c.name] = intList(c.indices, n, rows.k);
    columns[`${c.name.replace(/s$/, '')}Scores`] = floatList(c.scores, n, rows.k);
  }
  columns.selfInfluence = rows.selfInfluence ? arrow.makeVector(rows.selfInfluence) : arrow.vectorFromArray(new Array<null>(n).fill(null), new arrow.Float32());
  const table = new arrow.Table(columns);
  const metadata = new Map([['lumen.method', rows.method], ['lumen.k', String(rows.k)]]);
  return new arrow.Table(new arrow.Schema(table.schema.fields, metadata), table.batches);
}

/** A shard's rows as Parquet bytes (zstd, parquet-wasm). */
export function examplesParquet(rows: ExamplesShardRows): Uint8Array {
  return tableParquet(examplesTable(rows));
}
