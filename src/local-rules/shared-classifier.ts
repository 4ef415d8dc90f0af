import { LumenError } from '../core/errors.js';
import { yieldToEventLoop } from '../core/yield-to-event-loop.js';
import type { Model } from '../core/model.js';
import type { Classify } from './anchor-beam.js';
import { predictedLabels } from './predicted-labels.js';

/** Perturbed values held for one round of shared model calls, at most (64 MB of float32). */
const ROUND_VALUES = 1 << 24;

/**
 * Runs one Anchors search per input together, so that their pulls share model calls: every
 * search's request for labels waits until each running search has asked (a later turn of the
 * event loop, `yieldToEventLoop`),
 * then all requests go through the model as one stream of `batchSize`-row calls. Searches run at
 * most `⌊2²⁴ / (inputSize · 2 · samplesPerPull)⌋` at a time (one round of two-arm pulls stays
 * within 64 MB), later ones starting as earlier ones finish. Each search is told the calls its
 * rows took part in; `calls` is the number made. A failing search makes the others' next request
 * fail, and its error is thrown.
 */
export async function sharedAnchorSearches<T>(
  count: number,
  model: Model,
  options: { readonly dtype: 'float32' | 'int32'; readonly batchSize: number; readonly inputSize: number; readonly samplesPerPull: number },
  search: (i: number, classify: Classify) => Promise<T>,
): Promise<{ results: T[]; calls: number }> {
  interface Request { readonly inputs: Float32Array; readonly n: number; readonly resolve: (r: { labels: Int32Array; calls: number }) => void; readonly reject: (e: unknown) => void }
  let pending: Request[] = [];
  let scheduled = false;
  let failure: unknown = null;
  let calls = 0;
  const flush = async (): Promise<void> => {
    scheduled = false;
    const round = pending;
    pending = [];
    const rows = round.reduce((s, r) => s + r.n, 0);
    const per = round.length > 0 ? round[0].inputs.length / Math.max(1, round[0].n) : 0;
    const inputs = new Float32Array(rows * per);
    let at = 0;
    for (const r of round) { inputs.set(r.inputs, at * per); at += r.n; }
    try {
      const { labels, calls: made } = await predictedLabels(model, inputs, rows, options.dtype, options.batchSize);
      calls += made;
      let start = 0;
      for (const r of round) {
        const first = Math.floor(start / options.batchSize);
        const last = Math.floor((start + r.n - 1) / options.batchSize);
        r.resolve({ labels: labels.slice(start, start + r.n), calls: last - first + 1 });
        start += r.n;
      }
    } catch (e) {
      failure ??= e;
      for (const r of round) r.reject(e);
    }
  };
  const classify: Classify = (inputs, n) => new Promise((resolve, reject) => {
    if (failure !== null) { reject(failure instanceof Error ? failure : new LumenError('model', String(failure))); return; }
    pending.push({ inputs, n, resolve, reject });
    if (!scheduled) { scheduled = true; void yieldToEventLoop().then(flush); }
  });
  const width = Math.max(1, Math.min(count, Math.floor(ROUND_VALUES / Math.max(1, options.inputSize * 2 * options.samplesPerPull))));
  const results = new Array<T>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count && failure === null) {
      const i = next++;
      try {
        results[i] = await search(i, classify);
      } catch (e) {
        failure ??= e;
        throw e;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: width }, worker));
  if (failure !== null) throw failure;
  const rejected = settled.find((s) => s.status === 'rejected');
  if (rejected) throw (rejected as PromiseRejectedResult).reason;
  return { results, calls };
}
