import type { Command } from 'commander';
import { disposeCheckpoint, type Checkpoint } from '../core/checkpoint.js';
import type { Dataset } from '../core/dataset.js';
import { check, LumenError } from '../core/errors.js';
import { DEFAULT_SEED } from '../core/random.js';
import type { ExampleLoss } from '../examples/example-loss.js';
import { scoreTerms, STREAMED_EXAMPLE_METHODS, type ScoreTermOptions, type ScoreTerms, type StreamedExampleMethod } from '../examples/score-terms.js';
import { checkExamplesJobSpec, runExamplesJob, type ExamplesJobSpec, type PreparedExamples } from '../jobs/examples-job.js';
import { DEFAULT_SHARD_SIZE, parseShardSlice } from '../jobs/shard-plan.js';
import { DEFAULT_QUEUE, submitJob } from '../jobs/submit-job.js';
import { methodById } from '../methods.js';
import { loadCheckpointFiles } from '../models/checkpoint-files.js';
import { withBackend } from './context.js';
import { loadDatasetSpec } from './dataset-spec.js';
import { DEFAULT_JOB_BATCH } from './job-flags.js';
import { jobProgressBar } from './job-progress.js';
import { loadModelSpec } from './load-model.js';
import { parseMethodOptions } from './method-options.js';
import { modelSpecOptions } from './model-flags.js';
import { parseIntegerFlag } from './parse-number.js';

/** Options of the neighbours' approximate index and of k: not job options (a job searches exactly; k is --k). */
const NOT_JOB_OPTIONS = ['k', 'index', 'approximateAbove', 'M', 'efConstruction', 'efSearch'];

/** The flags `lumen examples --queries …` passes to a job. */
export interface ExamplesJobFlags {
  readonly model: string;
  readonly outputKind?: string;
  readonly outputNode?: string;
  readonly data: string;
  readonly queries: string;
  readonly labelColumn?: string;
  readonly layer?: string;
  readonly layers?: string;
  readonly metric?: string;
  readonly index?: string;
  readonly k?: string;
  readonly opt?: readonly string[];
  readonly checkpoints?: string;
  readonly target?: string;
  readonly selfInfluence?: boolean;
  readonly seed?: string;
  readonly batchSize?: string;
  readonly shardSize?: string;
  readonly shard?: string;
  readonly resume?: boolean;
  readonly redis?: string;
  readonly queue?: string;
  readonly out?: string;
}

/** The typed options of the score terms from a spec: its `--opt` pairs, layer and seed. */
function termOptions(spec: ExamplesJobSpec): ScoreTermOptions {
  const typed = parseMethodOptions(methodById(spec.method), spec.options);
  const layers = typed.layers === undefined ? undefined : String(typed.layers).split(',').map((s) => s.trim()).filter(Boolean);
  return {
    ...(spec.layer !== undefined ? { layer: spec.layer } : {}),
    ...(layers ? { layers } : {}),
    ...(typed.loss !== undefined ? { loss: typed.loss as ExampleLoss } : {}),
    ...(typed.metric !== undefined ? { metric: typed.metric as 'cosine' | 'l2' | 'dot' } : {}),
    ...(typed.solver !== undefined ? { solver: typed.solver as 'exact' | 'cg' | 'lissa' } : {}),
    ...(['hessianReg', 'hessianInverseTol', 'projectionDim', 'arnoldiDim', 'arnoldiTol'] as const).reduce((o, name) => (typed[name] === undefined ? o : { ...o, [name]: typed[name] as number }), {}),
    seed: typed.seed === undefined ? spec.seed : (typed.seed as number),
    batchSize: spec.batchSize,
  };
}

/**
 * Loads what an examples job's shards need from its spec: the model, the query and training sets
 * by the names the CLI gives them, TracIn's checkpoints, and — on the first shard — the method's
 * score terms (the inverse Hessian root is computed once per process and job).
 */
export async function prepareExamplesJob(spec: ExamplesJobSpec): Promise<PreparedExamples> {
  const options = termOptions(spec);
  const loaded = await loadModelSpec(spec.model, modelSpecOptions({ outputKind: spec.outputKind, outputNode: spec.outputNode }));
  let checkpoints: Checkpoint[] | undefined;
  let terms: Promise<ScoreTerms> | undefined;
  let built: ScoreTerms | undefined;
  try {
    const shape = loaded.model.inputShape;
    const load = (name: string, flag: string): Dataset => {
      const d = loadDatasetSpec(name, shape, spec.labelColumn ? { labelColumn: spec.labelColumn } : {});
      check(d.inputShape.join() === shape.join(), 'input', () => `${flag} ${name}: rows of shape [${d.inputShape}]; the model takes [${shape}]`);
      return d;
    };
    const train = load(spec.data, '--data');
    const dataset = load(spec.queries, '--queries');
    if (spec.checkpoints !== undefined) checkpoints = await loadCheckpointFiles(loaded.model, spec.checkpoints, modelSpecOptions({ outputKind: spec.outputKind, outputNode: spec.outputNode }));
    return {
      model: loaded.model,
      dataset,
      train,
      scoreTerms: () => (terms ??= scoreTerms(loaded.model, train, spec.method, options, checkpoints).then((t) => (built = t))),
      dispose: () => {
        built?.dispose();
        checkpoints?.forEach(disposeCheckpoint);
        loaded.dispose();
      },
    };
  } catch (e) {
    checkpoints?.forEach(disposeCheckpoint);
    loaded.dispose();
    throw e;
  }
}

/** Whether a dataset's rows carry labels (its first batch of one row tells). */
async function hasLabels(data: Dataset): Promise<boolean> {
  for await (const b of data.batches(1)) {
    const labelled = b.y !== undefined;
    b.x.dispose();
    b.y?.dispose();
    return labelled;
  }
  return false;
}

/**
 * `lumen examples --data <train> --queries <dataset> --method … --out <folder> [--shard-size N]
 * [--shard k/n] [--resume] [--redis URL]`: the examples of every query row as a job
 * (runExamplesJob), here or on the queue. The defaults are the one-input command's: the layer
 * before the output for neighbours, the dense layers for gradient methods of models with other
 * parameters; the loss target is each query's label when the query set has labels.
 */
export async function runExamplesJobFlags(program: Command, flags: ExamplesJobFlags, method: string): Promise<void> {
  check((STREAMED_EXAMPLE_METHODS as readonly string[]).includes(method), 'option', () => `--queries: a job runs --method neighbours, influence, arnoldi, tracin or tracin-fast (one row per query); found the registry's '${method}' (prototypes choose rows of the whole set: run them without --queries)`);
  if (!flags.out) throw new LumenError('option', '--out: an examples job (--queries) writes its shards to a folder; give --out <folder>');
  if (/\.(json|png|html)$/i.test(flags.out)) throw new LumenError('option', `--out ${flags.out}: with --queries, --out is the job's folder (shards, manifest, results.jsonl and results.parquet), not a .json/.png/.html file`);
  check(flags.index === undefined || flags.index === 'auto' || flags.index === 'exact', 'option', () => `--index ${flags.index}: an examples job searches exactly (streamed, one training pass per shard); drop --index`);
  const slice = flags.shard === undefined ? undefined : parseShardSlice(flags.shard);
  const batchSize = flags.batchSize === undefined ? DEFAULT_JOB_BATCH : parseIntegerFlag('--batch-size', flags.batchSize, 1);
  const shardSize = flags.shardSize === undefined ? Math.max(1, Math.round(DEFAULT_SHARD_SIZE / batchSize)) * batchSize : parseIntegerFlag('--shard-size', flags.shardSize, 1);
  const k = parseIntegerFlag('--k', flags.k ?? '5', 1);
  const seed = flags.seed === undefined ? DEFAULT_SEED : parseIntegerFlag('--seed', flags.seed, 0);
  check(flags.target === undefined || flags.target === 'label' || flags.target === 'predicted', 'option', () => `--target: an examples job takes 'label' or 'predicted'; found '${flags.target}'`);
  const pairs = [...(flags.opt ?? [])];
  for (const p of pairs) {
    const name = p.slice(0, Math.max(0, p.indexOf('=')));
    check(!NOT_JOB_OPTIONS.includes(name), 'option', () => `--opt ${p}: not an examples-job option (${name === 'k' ? 'use --k' : 'a job searches exactly'})`);
  }
  if (flags.metric !== undefined && method === 'nearest-neighbours' && !pairs.some((p) => p.startsWith('metric='))) pairs.push(`metric=${flags.metric}`);
  parseMethodOptions(methodById(method), pairs); // names and types are checked before the backend starts
  await withBackend(program);
  // The defaults need the model: its layers and parameters.
  const loaded = await loadModelSpec(flags.model, modelSpecOptions(flags));
  let layer = flags.layer;
  let queriesSize: number;
  let trainSize: number;
  let labelled: boolean;
  try {
    if (layer === undefined && method === 'nearest-neighbours') layer = loaded.model.layers.at(-2)?.name ?? 'input';
    const params = loaded.model.parameters ?? [];
    const dense = [...new Set(params.filter((p) => p.role === 'kernel' || p.role === 'kernel-out-in').map((p) => p.layer))];
    const layers = flags.layers ?? (params.some((p) => p.role === 'other') && dense.length ? dense.join(',') : undefined);
    if (layers && ['influence-function', 'arnoldi-influence', 'tracin'].includes(method) && !pairs.some((p) => p.startsWith('layers='))) {
      if (!flags.layers) process.stderr.write(`note: using the parameters of the dense layers ${layers} (--layers to choose)\n`);
      pairs.push(`layers=${layers}`);
    }
    const shape = loaded.model.inputShape;
    const opts = flags.labelColumn ? { labelColumn: flags.labelColumn } : {};
    trainSize = loadDatasetSpec(flags.data, shape, opts).size;
    const queries = loadDatasetSpec(flags.queries, shape, opts);
    queriesSize = queries.size;
    labelled = await hasLabels(queries);
  } finally {
    loaded.dispose();
  }
  const spec: ExamplesJobSpec = {
    version: 1, kind: 'examples', model: flags.model,
    ...(flags.outputKind !== undefined ? { outputKind: flags.outputKind } : {}),
    ...(flags.outputNode !== undefined ? { outputNode: flags.outputNode } : {}),
    data: flags.data, queries: flags.queries,
    ...(flags.labelColumn !== undefined ? { labelColumn: flags.labelColumn } : {}),
    method: method as StreamedExampleMethod, options: pairs,
    ...(layer !== undefined ? { layer } : {}),
    ...(flags.checkpoints !== undefined ? { checkpoints: flags.checkpoints } : {}),
    target: (flags.target as 'label' | 'predicted' | undefined) ?? (labelled ? 'label' : 'predicted'),
    selfInfluence: flags.selfInfluence === true,
    k, seed, batchSize, shardSize, size: queriesSize, trainSize,
  };
  checkExamplesJobSpec(spec);
  if (flags.redis) {
    if (slice) throw new LumenError('option', '--shard: not with --redis (the workers take every shard)');
    const submitted = await submitJob(flags.redis, flags.out, spec, { queue: flags.queue ?? DEFAULT_QUEUE });
    process.stdout.write(`examples job ${submitted.job}: ${submitted.enqueued} of ${submitted.shards} shards enqueued on '${flags.queue ?? DEFAULT_QUEUE}' (${spec.size} queries); when the workers are done, lumen queue collect --out ${flags.out} merges them\n`);
    return;
  }
  const ctx = await prepareExamplesJob(spec);
  const bar = jobProgressBar('examples');
  try {
    const run = await runExamplesJob(ctx, spec, flags.out, { resume: flags.resume, ...(slice ? { slice } : {}), onProgress: bar.onProgress });
    bar.stop();
    const rows = run.ran.reduce((s, r) => s + r.rows, 0);
    process.stderr.write(`examples: ${rows} queries in ${run.ran.length} shard${run.ran.length === 1 ? '' : 's'}${run.skipped ? `; ${run.skipped} already finished` : ''}\n`);
    if (run.collected) process.stdout.write(`${run.collected.rows} rows from ${run.collected.shards} shards: ${run.collected.jsonl}, ${run.collected.parquet}\n`);
    else process.stdout.write(`shards in ${flags.out}/shards; the job is not finished (other slices remain): the same command with --resume merges it when they are done\n`);
  } finally {
    bar.stop();
    ctx.dispose();
  }
}
