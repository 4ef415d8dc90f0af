import type { ShardRows } from './explain-shard.js';

/** A float32 as JSON: its shortest decimal form (which reads back to the same float32), null for NaN/±∞. */
function num(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/**
 * A shard's rows as JSON Lines, one object per example: `id`, `label`, `target`, `prediction`,
 * `attribution` (flat, row-major), `attributionShape`, `delta` (completeness gap or null) and
 * `scores` (the model's outputs).
 */
export function shardJsonl(rows: ShardRows): string {
  const per = rows.attributionShape.reduce((p, q) => p * q, 1);
  const lines: string[] = [];
  for (let i = 0; i < rows.ids.length; i++) {
    const record = {
      id: rows.ids[i],
      label: rows.labels ? rows.labels[i] : null,
      target: rows.targets ? rows.targets[i] : null,
      prediction: rows.predictions[i],
      method: rows.method,
      attributionShape: rows.attributionShape,
      attribution: Array.from(rows.attribution.subarray(i * per, (i + 1) * per), num),
      delta: rows.delta && Number.isFinite(rows.delta[i]) ? rows.delta[i] : null,
      scores: Array.from(rows.scores.subarray(i * rows.outputs, (i + 1) * rows.outputs), num),
    };
    lines.push(JSON.stringify(record));
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}
