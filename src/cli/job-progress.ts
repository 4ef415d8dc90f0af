import cliProgress from 'cli-progress';
import type { JobProgress } from '../jobs/run-shards.js';

/** A job's progress bar: rows done of the run's rows, rows/s and the ETA; drawn only on an interactive stderr. */
export interface JobProgressBar {
  readonly onProgress: (p: JobProgress) => void;
  stop(): void;
}

/** Rows per second and the time left, from rows done since `start` (ms). */
export function rowRate(rows: number, total: number, elapsedMs: number): { rate: number; etaSeconds: number } {
  const rate = elapsedMs > 0 ? (rows * 1000) / elapsedMs : 0;
  return { rate, etaSeconds: rate > 0 ? (total - rows) / rate : Infinity };
}

/** A bar titled `label`: `[████░░] 40% | 800/2000 rows | 312 rows/s | shard 3/8 | eta 4s`. */
export function jobProgressBar(label: string, stream: NodeJS.WriteStream = process.stderr): JobProgressBar {
  if (!stream.isTTY) return { onProgress: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} rows | {rate} rows/s | shard {shard}/{shards} | eta {eta_formatted}`, stream, hideCursor: true, clearOnComplete: true, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  const start = performance.now();
  let started = false;
  return {
    onProgress(p) {
      const { rate } = rowRate(p.rows, p.totalRows, performance.now() - start);
      const payload = { rate: rate.toFixed(1), shard: p.shards, shards: p.totalShards };
      if (!started) {
        bar.start(p.totalRows, p.rows, payload);
        started = true;
      } else {
        bar.update(p.rows, payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
