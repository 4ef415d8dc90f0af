/**
 * POST /api/explain in the Node process: one registry method on the request's inputs (or rows of
 * the server's dataset), its progress streamed as NDJSON lines, its result the Explanation record
 * of DESIGN.md (`attributionExplanation`). A client that disconnects aborts the job between
 * batches (the method's AbortSignal) and the job leaves the table.
 */
import * as tf from '@tensorflow/tfjs';
import type { ServerResponse } from 'node:http';
import type { Attribution } from '../core/attribution.js';
import type { Dataset } from '../core/dataset.js';
import { attributionExplanation } from '../core/explanation.js';
import { LumenError } from '../core/errors.js';
import type { ExplainRequest } from './explain-request.js';
import type { ModelCatalogue } from './model-catalogue.js';

/** A running job as GET /api/jobs lists it. */
export interface JobInfo {
  readonly id: number;
  readonly method: string;
  readonly model: string;
  readonly rows: number;
  readonly startedAt: string;
}

/** The jobs running now; a finished, failed or cancelled job is removed. */
export class JobTable {
  private next = 1;
  private readonly jobs = new Map<number, { info: JobInfo; controller: AbortController }>();
  /** What the last finished jobs ended as (newest last, at most 20): 'done', 'failed' or 'cancelled'. */
  readonly ended: { id: number; status: 'done' | 'failed' | 'cancelled' }[] = [];

  add(info: Omit<JobInfo, 'id' | 'startedAt'>, controller: AbortController): JobInfo {
    const full: JobInfo = { ...info, id: this.next++, startedAt: new Date().toISOString() };
    this.jobs.set(full.id, { info: full, controller });
    return full;
  }

  end(id: number, status: 'done' | 'failed' | 'cancelled'): void {
    this.jobs.delete(id);
    this.ended.push({ id, status });
    if (this.ended.length > 20) this.ended.shift();
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((j) => j.info);
  }

  /** Aborts every running job (server shutdown). */
  abortAll(): void {
    for (const j of this.jobs.values()) j.controller.abort();
  }
}

/** Rows `rows` of `data` as one tensor [rows.length, …inputShape], in the order asked. */
async function datasetRows(data: Dataset, rows: readonly number[]): Promise<tf.Tensor> {
  const bad = rows.find((r) => r >= data.size);
  if (bad !== undefined) throw new LumenError('input', `dataset.rows: row ${bad} is past the dataset's ${data.size} rows`);
  const per = data.inputShape.reduce((a, b) => a * b, 1);
  const wanted = new Map<number, number[]>();
  rows.forEach((r, k) => wanted.set(r, [...(wanted.get(r) ?? []), k]));
  const out = new Float32Array(rows.length * per);
  for await (const b of data.batches(256)) {
    try {
      const hit = b.index.some((i) => wanted.has(i));
      if (!hit) continue;
      const values = await b.x.data();
      b.index.forEach((i, j) => {
        for (const k of wanted.get(i) ?? []) out.set(values.subarray(j * per, (j + 1) * per), k * per);
      });
    } finally {
      b.x.dispose();
      b.y?.dispose();
    }
  }
  return tf.tensor(out, [rows.length, ...data.inputShape]);
}

/** One NDJSON line. */
function line(res: ServerResponse, value: unknown): void {
  if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify(value)}\n`);
}

/**
 * Runs `request` and streams to `res`: `{"progress": {done, total}}` lines, then
 * `{"explanation": …, "ms": …}` or `{"error": {code, message}}`. Resolves when the job has ended.
 */
export async function runExplainJob(request: ExplainRequest, catalogue: ModelCatalogue, jobs: JobTable, res: ServerResponse): Promise<void> {
  const controller = new AbortController();
  const loaded = await catalogue.get(request.model);
  const shape = request.inputs ? request.inputs.shape.slice(1) : undefined;
  if (shape && (shape.length !== loaded.model.inputShape.length || shape.some((s, i) => s !== loaded.model.inputShape[i]))) {
    throw new LumenError('shape', `inputs.shape: ${request.model} takes rows of shape [${loaded.model.inputShape.join(', ')}]; found [${shape.join(', ')}]`);
  }
  const batch = request.inputs ? tf.tensor(request.inputs.data as number[], request.inputs.shape as number[]) : await datasetRows(await catalogue.dataset(request.model), request.rows!);
  const job = jobs.add({ method: request.method.id, model: request.model, rows: batch.shape[0] }, controller);
  const onClose = (): void => {
    if (!res.writableFinished) controller.abort();
  };
  res.on('close', onClose);
  res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store', 'x-lumen-job': String(job.id) });
  line(res, { job: job.id });
  let attribution: Attribution | undefined;
  let status: 'done' | 'failed' | 'cancelled' = 'failed';
  try {
    const start = performance.now();
    const names = loaded.featureNames && request.method.family === 'surrogate' ? { featureNames: loaded.featureNames } : {};
    attribution = await request.method.run(loaded.model, batch, {
      ...request.options,
      ...names,
      signal: controller.signal,
      onProgress: (p) => line(res, { progress: { done: p.done, total: p.total } }),
    });
    const explanation = await attributionExplanation(attribution, loaded.kind === 'tabular' ? loaded.featureNames : undefined);
    const targetNames = attribution.target && loaded.classNames ? attribution.target.map((t) => loaded.classNames?.[t] ?? String(t)) : null;
    line(res, { explanation, targetNames, ms: performance.now() - start });
    status = 'done';
  } catch (e) {
    if (controller.signal.aborted) status = 'cancelled';
    else {
      const known = e instanceof LumenError;
      if (!known) process.stderr.write(`lumen serve: ${request.method.id} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      line(res, { error: { code: known ? e.code : 'internal', message: known ? e.message : `${request.method.id} failed (a bug: see the server's log)` } });
    }
  } finally {
    attribution?.dispose();
    batch.dispose();
    res.off('close', onClose);
    jobs.end(job.id, status);
    res.end();
  }
}
