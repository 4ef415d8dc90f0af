import { check, LumenError } from './errors.js';
import type { Model } from './model.js';
import type { LocalOptions } from './options.js';

/** Memory a gradient batch may use by default (bytes): steps are chunked by it, not by count. */
export const DEFAULT_MEMORY_BUDGET = 512 * 1024 * 1024;

/**
 * The most rows a default batch holds. Measured on the bench MNIST CNN (wasm, one thread): IG-50
 * takes 430–470 ms in batches of 16–32 rows and 480–530 ms in one batch of 52, so larger batches
 * buy nothing on CPU — and a cap below IG-50's 52 rows makes IG with 1,000 steps use no more memory
 * than IG with 50 (same batch, more calls).
 */
export const MAX_DEFAULT_BATCH = 32;

/**
 * Rows per model call that fit a memory budget: the budget divided by an estimate of what one row
 * keeps alive on the gradient tape (every layer output, its gradient and a working copy, 4 bytes
 * each). At least 1, at most MAX_DEFAULT_BATCH.
 */
export function budgetBatchSize(model: Model, budget = DEFAULT_MEMORY_BUDGET): number {
  let floats = model.inputShape.reduce((a, b) => a * Math.max(1, b), 1);
  for (const layer of model.layers) floats += layer.outputShape.reduce<number>((a, b) => a * Math.max(1, b ?? 1), 1);
  const perRow = floats * 4 * 3;
  return Math.max(1, Math.min(MAX_DEFAULT_BATCH, Math.floor(budget / perRow)));
}

/** The batch size to use: the option when given (checked), else the memory budget's. */
export function batchSizeOf(model: Model, options: LocalOptions, fn: string): number {
  const b = options.batchSize;
  if (b === undefined) return budgetBatchSize(model);
  check(Number.isInteger(b) && b >= 1, 'option', () => `${fn}: batchSize must be a positive integer; found ${b}`);
  return b;
}

/**
 * Runs `body(start, end)` over `total` rows in chunks of `batchSize`, yielding to the event loop
 * between chunks so that an AbortSignal can stop it, and reporting progress.
 */
export async function forEachBatch(
  total: number,
  batchSize: number,
  options: Pick<LocalOptions, 'signal' | 'onProgress'>,
  fn: string,
  body: (start: number, end: number) => void | Promise<void>,
): Promise<number> {
  let calls = 0;
  for (let start = 0; start < total; start += batchSize) {
    if (options.signal?.aborted) throw new LumenError('aborted', `${fn}: aborted after ${start} of ${total} rows`);
    const end = Math.min(total, start + batchSize);
    await body(start, end);
    calls++;
    options.onProgress?.({ done: end, total });
    if (end < total) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return calls;
}
