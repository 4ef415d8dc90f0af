import cliProgress from 'cli-progress';
import type { Progress } from '../core/options.js';

/** A progress reporter for long runs: a cli-progress bar on an interactive stderr, silence otherwise. */
export interface ProgressBar {
  readonly onProgress: (p: Progress) => void;
  stop(): void;
}

/** A bar titled `label`, drawn only when stderr is a terminal (so piped output stays clean). */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  if (!stream.isTTY) return { onProgress: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} | eta {eta_formatted}`, stream, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    onProgress(p) {
      if (!started) {
        bar.start(p.total, p.done);
        started = true;
      } else {
        bar.setTotal(p.total);
        bar.update(p.done);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
