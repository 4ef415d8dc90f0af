import type { Command } from 'commander';
import { LumenError } from '../core/errors.js';
import { DEFAULT_SEED } from '../core/random.js';
import type { JobSpec } from '../jobs/job-spec.js';
import { DEFAULT_SHARD_SIZE } from '../jobs/shard-plan.js';
import { DATASET_SPECS } from './dataset-spec.js';
import { parseIntegerFlag } from './parse-number.js';

/** Rows per dataset batch of a job when `--batch-size` is not given. */
export const DEFAULT_JOB_BATCH = 32;

/** The flags that describe a dataset-scale job, as commander gives them. */
export interface JobFlags {
  readonly model: string;
  readonly outputKind?: string;
  readonly outputNode?: string;
  readonly data?: string;
  readonly labelColumn?: string;
  readonly method: string;
  readonly opt: readonly string[];
  readonly target?: string;
  readonly layer?: string;
  readonly seed?: string;
  readonly batchSize?: string;
  readonly shardSize?: string;
}

/** Adds the job's own flags (`--data`, `--label-column`, `--shard-size`) to a command that has the model and method flags. */
export function addJobFlags(command: Command): Command {
  return command
    .option('--data <dataset>', `explain a dataset as a job, streamed by batch and written by shard to --out <folder>: ${DATASET_SPECS}`)
    .option('--label-column <name>', '--data tables: the column holding each row\'s class')
    .option('--shard-size <n>', `--data: rows per shard, a multiple of the batch size (default ${DEFAULT_SHARD_SIZE}, rounded to one)`);
}

/**
 * The job spec of the flags, for a dataset of `size` rows. The batch size defaults to
 * DEFAULT_JOB_BATCH and the shard size to the multiple of it nearest DEFAULT_SHARD_SIZE.
 */
export function jobSpecFromFlags(flags: JobFlags, size: number): JobSpec {
  if (flags.data === undefined) throw new LumenError('option', '--data: a job needs a dataset');
  const batchSize = flags.batchSize === undefined ? DEFAULT_JOB_BATCH : parseIntegerFlag('--batch-size', flags.batchSize, 1);
  const shardSize = flags.shardSize === undefined ? Math.max(1, Math.round(DEFAULT_SHARD_SIZE / batchSize)) * batchSize : parseIntegerFlag('--shard-size', flags.shardSize, 1);
  return {
    version: 1,
    model: flags.model,
    ...(flags.outputKind !== undefined ? { outputKind: flags.outputKind } : {}),
    ...(flags.outputNode !== undefined ? { outputNode: flags.outputNode } : {}),
    data: flags.data,
    ...(flags.labelColumn !== undefined ? { labelColumn: flags.labelColumn } : {}),
    method: flags.method,
    options: [...flags.opt],
    target: flags.target ?? 'predicted',
    ...(flags.layer !== undefined ? { layer: flags.layer } : {}),
    seed: flags.seed === undefined ? DEFAULT_SEED : parseIntegerFlag('--seed', flags.seed, 0),
    batchSize,
    shardSize,
    size,
  };
}
