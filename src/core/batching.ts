import { check, LumenError } from './errors.js';
import type { Model } from './model.js';
import type { LocalOptions } from './options.js';

/** Memory a gradient batch may use by default (bytes): steps are chunked by it, not by count. */
export const DEFAULT_MEMORY_BUDGET = 512 * 1024 * 1024;

/**
 * The most rows a default batch holds. Measured on the bench MNIST CNN (wasm, one thread): IG-50
 * takes 450–500 ms in batches of 8, 16, 32 or 52 rows alike, so larger batches buy nothing on
 * CPU — and a cap below IG-50's 52 rows makes IG with 1,000 steps use no more memory than IG with
 * 50 (same batch, more calls).
 */
export const MAX_DEFAULT_BATCH = 32;

/**
 * Bytes one row of a gradient batch keeps alive per float of the model's input and layer outputs:
 * the forward value on the tape, its gradient and working copies. Measured peak tensor bytes per
 * added row (wasm): 11.9 per float on the bench MNIST CNN, 14.3–14.4 on MobileNet v1 at 96×96
 * and 224×224 (batch-norm and ReLU6 gradients keep more per layer); 16 leaves a margin.
 */
export const BYTES_PER_ROW_FLOAT = 16;

/** Floats of one row through the model: the input and every listed layer's output. */
function floatsPerRow(model: Model): number {
  let floats = model.inputShape.reduce((a, b) => a * Math.max(1, b), 1);
  for (const layer of model.layers) floats += layer.outputShape.reduce<number>((a, b) => a * Math.max(1, b ?? 1), 1);
  return floats;
}

/**
 * Rows per model call that fit a memory budget: the budget divided by an estimate of what one row
 * keeps alive on the gradient tape (BYTES_PER_ROW_FLOAT per float of the input and of every layer
 * output). At least 1, at most MAX_DEFAULT_BATCH.
 */
export function budgetBatchSize(model: Model, budget = DEFAULT_MEMORY_BUDGET): number {
  const perRow = floatsPerRow(model) * BYTES_PER_ROW_FLOAT;
  return Math.max(1, Math.min(MAX_DEFAULT_BATCH, Math.floor(budget / perRow)));
}

/** Share of the memory budget that stacked copies of inputs (and their attributions) may take. */
export const STACK_BUDGET = DEFAULT_MEMORY_BUDGET / 8;

/**
 * How many copies of a `rowBytes`-byte input a wrapper (e.g. a noise tunnel) stacks into one call
 * of the method it wraps: as many as fit STACK_BUDGET (the copies and their attributions), rounded
 * down to a multiple of `batchSize` so the wrapped method's model calls stay full; at least
 * `batchSize`.
 */
export function stackedRows(rowBytes: number, batchSize: number, budget = STACK_BUDGET): number {
  const fit = Math.floor(budget / (2 * Math.max(1, rowBytes)));
  return Math.max(batchSize, fit - (fit % batchSize));
}

/** The batch size to use: the option when given (checked), else the memory budget's. */
export function batchSizeOf(model: Model, options: LocalOptions, fn: string): number {
  const b = options.batchSize;
  if (b === undefined) return budgetBatchSize(model);
  check(Number.isInteger(b) && b >= 1, 'option', () => `${fn}: batchSize must be a positive integer; found ${b}`);
  return b;
}

/** Throws the LumenError of an aborted call (code 'aborted') when `signal` is aborted. */
export function checkAborted(options: Pick<LocalOptions, 'signal'>, fn: string, where = 'before it started'): void {
  if (options.signal?.aborted) throw new LumenError('aborted', `${fn}: aborted ${where}`);
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
    checkAborted(options, fn, `after ${start} of ${total} rows`);
    const end = Math.min(total, start + batchSize);
    await body(start, end);
    calls++;
    options.onProgress?.({ done: end, total });
    if (end < total) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return calls;
}
