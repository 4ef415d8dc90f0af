import type { Command } from 'commander';
import { LumenError } from '../core/errors.js';
import { checkEvaluationJobSpec, runEvaluationJob, type EvaluationJobSpec, type PreparedEvaluation } from '../jobs/evaluation-job.js';
import { DEFAULT_QUEUE, submitJob } from '../jobs/submit-job.js';
import { DEFAULT_SHARD_SIZE, parseShardSlice } from '../jobs/shard-plan.js';
import type { Evaluation } from '../metrics/evaluate-methods.js';
import { withBackend } from './context.js';
import { loadDatasetSpec } from './dataset-spec.js';
import { jobProgressBar } from './job-progress.js';
import { loadModelSpec } from './load-model.js';
import { modelSpecOptions, type ModelFlags } from './model-flags.js';
import { parseIntegerFlag } from './parse-number.js';

/** The flags `lumen evaluate` passes to a dataset job. */
export interface EvaluationJobFlags extends ModelFlags {
  readonly model: string;
  readonly data: string;
  readonly out?: string;
  readonly labelColumn?: string;
  readonly shardSize?: string;
  readonly shard?: string;
  readonly resume?: boolean;
  /** Enqueue the shards on BullMQ at this Redis URL for `lumen worker`s instead of running them here. */
  readonly redis?: string;
  readonly queue?: string;
}

/**
 * Loads what an evaluation job's shards need from its spec: the model (with its tfjs Layers model
 * for weight-randomising metrics) and the dataset, by the names the CLI gives them.
 */
export async function prepareEvaluationJob(spec: EvaluationJobSpec): Promise<PreparedEvaluation> {
  const loaded = await loadModelSpec(spec.model, modelSpecOptions({ outputKind: spec.outputKind, outputNode: spec.outputNode }));
  try {
    const dataset = loadDatasetSpec(spec.data, loaded.model.inputShape, spec.labelColumn ? { labelColumn: spec.labelColumn } : {});
    if (dataset.inputShape.join() !== loaded.model.inputShape.join()) {
      throw new LumenError('input', `--data ${spec.data}: rows of shape [${dataset.inputShape}]; the model takes [${loaded.model.inputShape}]`);
    }
    return { model: loaded.model, dataset, ...(loaded.layersModel ? { layersModel: loaded.layersModel } : {}), dispose: () => loaded.dispose() };
  } catch (e) {
    loaded.dispose();
    throw e;
  }
}

/**
 * `lumen evaluate --data <dataset> --out <folder> --shard-size N [--shard k/n] [--resume]`: the
 * evaluation as a job on this machine (runEvaluationJob). Returns the merged evaluation when the
 * job is finished, undefined when other slices remain (it says so on stdout).
 */
export async function runEvaluationJobFlags(program: Command, flags: EvaluationJobFlags, methods: readonly string[], metrics: readonly string[], seed: number): Promise<Evaluation | undefined> {
  if (!flags.out) throw new LumenError('option', '--out: an evaluation job (--shard-size, --shard or --resume) writes its shards to a folder; give --out <folder>');
  if (/^bundled:groundtruth(:|$)/.test(flags.data)) throw new LumenError('option', `--data ${flags.data}: the ground-truth benchmark runs without job flags (its masks are not a dataset column)`);
  const slice = flags.shard === undefined ? undefined : parseShardSlice(flags.shard);
  const shardSize = flags.shardSize === undefined ? DEFAULT_SHARD_SIZE : parseIntegerFlag('--shard-size', flags.shardSize, 1);
  const draft: EvaluationJobSpec = {
    version: 1, kind: 'evaluate', model: flags.model,
    ...(flags.outputKind !== undefined ? { outputKind: flags.outputKind } : {}),
    ...(flags.outputNode !== undefined ? { outputNode: flags.outputNode } : {}),
    data: flags.data,
    ...(flags.labelColumn !== undefined ? { labelColumn: flags.labelColumn } : {}),
    methods, metrics, seed, shardSize, size: 1,
  };
  checkEvaluationJobSpec(draft); // methods, metrics and numbers are checked before the backend starts
  await withBackend(program);
  const ctx = await prepareEvaluationJob(draft);
  const spec = { ...draft, size: ctx.dataset.size };
  if (flags.redis) {
    ctx.dispose();
    if (slice) throw new LumenError('option', '--shard: not with --redis (the workers take every shard)');
    const submitted = await submitJob(flags.redis, flags.out, spec, { queue: flags.queue ?? DEFAULT_QUEUE });
    process.stdout.write(`evaluation job ${submitted.job}: ${submitted.enqueued} of ${submitted.shards} shards enqueued on '${flags.queue ?? DEFAULT_QUEUE}' (${spec.size} rows); when the workers are done, the same command with --resume instead of --redis merges them\n`);
    return undefined;
  }
  const bar = jobProgressBar('evaluate');
  try {
    const run = await runEvaluationJob(ctx, spec, flags.out, { resume: flags.resume, ...(slice ? { slice } : {}), onProgress: bar.onProgress });
    bar.stop();
    const rows = run.ran.reduce((s, r) => s + r.rows, 0);
    process.stderr.write(`evaluate: ${rows} rows in ${run.ran.length} shard${run.ran.length === 1 ? '' : 's'}${run.skipped ? `; ${run.skipped} already finished` : ''}\n`);
    if (!run.evaluation) process.stdout.write(`shards in ${flags.out}/shards; the evaluation is not finished (other slices remain): the same command with --resume merges it when they are done\n`);
    return run.evaluation;
  } finally {
    bar.stop();
    ctx.dispose();
  }
}
