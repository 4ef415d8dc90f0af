import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm/node';
import type { ShardRows } from './explain-shard.js';

/** A fixed-size-list column: `width` float32 values per row (a tensor column). */
function tensorColumn(values: Float32Array, rows: number, width: number): arrow.Vector {
  const child = arrow.makeData({ type: new arrow.Float32(), length: rows * width, data: values });
  return arrow.makeVector(arrow.makeData({ type: new arrow.FixedSizeList(width, new arrow.Field('item', new arrow.Float32(), false)), length: rows, child }));
}

/**
 * A shard's rows as an Arrow table: `id`, `label`, `target`, `prediction` (int32, null where the
 * dataset has no labels or the target is a function), `attribution` and `scores` (tensor columns:
 * fixed-size lists of float32; the attribution's per-row shape is in the schema metadata
 * `lumen.attributionShape`) and `delta` (float64, null where the method reports none).
 */
export function shardTable(rows: ShardRows): arrow.Table {
  const n = rows.ids.length;
  const per = rows.attributionShape.reduce((p, q) => p * q, 1);
  const ints = (v: Int32Array | null): arrow.Vector => (v ? arrow.makeVector(v) : arrow.vectorFromArray(new Array<null>(n).fill(null), new arrow.Int32()));
  const delta = rows.delta;
  const columns = {
    id: arrow.makeVector(rows.ids),
    label: ints(rows.labels),
    target: ints(rows.targets),
    prediction: arrow.makeVector(rows.predictions),
    attribution: tensorColumn(rows.attribution, n, per),
    delta: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => (delta && Number.isFinite(delta[i]) ? delta[i] : null)), new arrow.Float64()),
    scores: tensorColumn(rows.scores, n, rows.outputs),
  };
  const table = new arrow.Table(columns);
  const metadata = new Map([['lumen.method', rows.method], ['lumen.attributionShape', JSON.stringify(rows.attributionShape)]]);
  return new arrow.Table(new arrow.Schema(table.schema.fields, metadata), table.batches);
}

/** Arrow tables as one Parquet file (zstd-compressed), written by parquet-wasm. */
export function tableParquet(table: arrow.Table): Uint8Array {
  const wasm = parquet.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'));
  const props = new parquet.WriterPropertiesBuilder().setCompression(parquet.Compression.ZSTD).build();
  return parquet.writeParquet(wasm, props);
}

/** A Parquet file's rows as an Arrow table. */
export function readParquetTable(bytes: Uint8Array): arrow.Table {
  return arrow.tableFromIPC(parquet.readParquet(bytes).intoIPCStream());
}

/** A shard's rows as Parquet bytes. */
export function shardParquet(rows: ShardRows): Uint8Array {
  return tableParquet(shardTable(rows));
}
