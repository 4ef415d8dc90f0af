/** The page's side of the worker protocol: one module worker, promises per request, progress callbacks per job. */
import type { AttributionExplanation } from '../../src/core/explanation.js';
import type { CardScores, CatalogueEntry, FromWorker, MethodRun, ModelInfo, ModelSource, ToWorker } from './protocol.js';

/** One method's result on the chosen inputs. */
export interface RunResult {
  readonly explanation: AttributionExplanation;
  readonly predictions: readonly number[];
  readonly card?: CardScores;
  readonly ms: number;
}

/** Callbacks of a running job. */
export interface JobHandlers {
  onProgress(method: string, done: number, total: number): void;
  onResult(result: RunResult): void;
}

/** The compute worker, wrapped. */
export class Compute {
  private readonly worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  private waiting: { resolve: (m: FromWorker) => void; reject: (e: Error) => void; type: string } | undefined;
  private readonly jobs = new Map<number, JobHandlers & { resolve: () => void; reject: (e: Error) => void }>();
  private nextJob = 1;

  constructor() {
    this.worker.onmessage = (e: MessageEvent<FromWorker>) => this.receive(e.data);
    this.worker.onerror = (e) => this.waiting?.reject(new Error(e.message || 'the compute worker failed to start'));
  }

  private receive(m: FromWorker): void {
    if ('job' in m && m.job !== undefined) {
      const job = this.jobs.get(m.job);
      if (!job) return;
      if (m.type === 'progress') job.onProgress(m.method, m.done, m.total);
      else if (m.type === 'result') job.onResult({ explanation: m.explanation, predictions: m.predictions, card: m.card, ms: m.ms });
      else if (m.type === 'done') { this.jobs.delete(m.job); job.resolve(); }
      else if (m.type === 'error') { this.jobs.delete(m.job); job.reject(Object.assign(new Error(m.message), { code: m.code })); }
      return;
    }
    const w = this.waiting;
    this.waiting = undefined;
    if (!w) return;
    if (m.type === 'error') w.reject(new Error(m.message));
    else w.resolve(m);
  }

  private request(message: ToWorker, transfer: Transferable[] = []): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject, type: message.type };
      this.worker.postMessage(message, transfer);
    });
  }

  /** The registry's methods and the backend the worker runs on. */
  async catalogue(): Promise<{ methods: readonly CatalogueEntry[]; backend: string }> {
    const m = await this.request({ type: 'catalogue' });
    if (m.type !== 'catalogue') throw new Error(`unexpected reply ${m.type}`);
    return m;
  }

  /** Loads a model in the worker (bytes of an ONNX file are transferred, not copied). */
  async load(source: ModelSource): Promise<ModelInfo> {
    const m = await this.request({ type: 'load', source }, source.type === 'onnx' ? [source.bytes] : []);
    if (m.type !== 'loaded') throw new Error(`unexpected reply ${m.type}`);
    return m.info;
  }

  /** Runs methods on an input batch; returns the job id (for cancel) and its completion. */
  explain(
    runs: readonly MethodRun[], input: { data: readonly number[]; shape: readonly number[] },
    target: 'predicted' | number, card: boolean, handlers: JobHandlers, seed = 0,
  ): { job: number; done: Promise<void> } {
    const job = this.nextJob++;
    const done = new Promise<void>((resolve, reject) => this.jobs.set(job, { ...handlers, resolve, reject }));
    this.worker.postMessage({ type: 'explain', job, runs, input, target, card, seed } satisfies ToWorker);
    return { job, done };
  }

  /** Spearman rank correlation and top-10 % overlap of two maps (the library's fragility measures). */
  async compare(a: readonly number[], b: readonly number[]): Promise<{ spearman: number; topK: number }> {
    const m = await this.request({ type: 'compare', a, b });
    if (m.type !== 'compared') throw new Error(`unexpected reply ${m.type}`);
    return m;
  }

  cancel(job: number): void {
    this.worker.postMessage({ type: 'cancel', job } satisfies ToWorker);
  }
}
