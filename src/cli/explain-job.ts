import type { Command } from 'commander';
import { LumenError } from '../core/errors.js';
import { runJob } from '../jobs/run-job.js';
import { parseShardSlice } from '../jobs/shard-plan.js';
import { withBackend } from './context.js';
import { jobSpecFromFlags, type JobFlags } from './job-flags.js';
import { prepareJob } from './job-context.js';
import { jobProgressBar } from './job-progress.js';

/** The flags of `lumen explain --data`. */
export interface ExplainJobFlags extends JobFlags {
  readonly out?: string;
  readonly resume?: boolean;
  readonly shard?: string;
}

/** Flags of one-input explain that a dataset job does not take. */
const SINGLE_INPUT_FLAGS = ['input', 'json', 'score', 'features', 'superpixels', 'samples', 'clipPercentile', 'preprocess', 'resize', 'labels'] as const;

const flagName = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * `lumen explain --data <dataset> --out <folder>`: the dataset as a job on this machine (runJob):
 * streamed by batch, written by shard, resumable with `--resume`, one slice with `--shard k/n`.
 */
export async function runExplainJob(program: Command, flags: ExplainJobFlags & Record<string, unknown>): Promise<void> {
  for (const key of SINGLE_INPUT_FLAGS) {
    if (flags[key] !== undefined) throw new LumenError('option', `${flagName(key)}: not with --data (a dataset job takes method options as --opt name=value)`);
  }
  if (!flags.out) throw new LumenError('option', '--out: --data writes its results by shard to a folder; give --out <folder>');
  const slice = flags.shard === undefined ? undefined : parseShardSlice(flags.shard);
  jobSpecFromFlags(flags, 1); // the flags' numbers are checked before the backend starts
  await withBackend(program);
  const draft = jobSpecFromFlags(flags, 1);
  const ctx = await prepareJob(draft);
  const bar = jobProgressBar(draft.method);
  try {
    const spec = { ...draft, size: ctx.dataset.size };
    const start = performance.now();
    const run = await runJob(ctx, spec, flags.out, { resume: flags.resume, ...(slice ? { slice } : {}), onProgress: bar.onProgress });
    bar.stop();
    const rows = run.ran.reduce((s, r) => s + r.rows, 0);
    const seconds = (performance.now() - start) / 1000;
    process.stdout.write(`${spec.method}: ${rows} rows in ${run.ran.length} shard${run.ran.length === 1 ? '' : 's'} (${seconds.toFixed(1)} s, ${(rows / Math.max(seconds, 1e-9)).toFixed(1)} rows/s)${run.skipped ? `; ${run.skipped} shards already finished` : ''}\n`);
    if (run.collected) process.stdout.write(`wrote ${run.collected.jsonl} and ${run.collected.parquet} (${run.collected.rows} rows)\n`);
    else process.stdout.write(`shards in ${flags.out}/shards; the job is not finished (other slices remain): lumen queue collect --out ${flags.out} merges them when it is\n`);
  } finally {
    bar.stop();
    ctx.dispose();
  }
}
