import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { check, LumenError } from '../core/errors.js';
import { writeFileDurable } from './write-file-durable.js';

/**
 * A dataset-scale explain job, as plain JSON: what every process that runs a shard of it (the
 * single-machine runner, any `lumen worker`) needs to rebuild the same model, dataset and method
 * options, so that a shard comes out bit for bit the same wherever it runs.
 */
export interface JobSpec {
  readonly version: 1;
  /** The model as the CLI names it (bundled:mnist, a file, onnxruntime:…). */
  readonly model: string;
  readonly outputKind?: string;
  readonly outputNode?: string;
  /** The dataset as the CLI names it (bundled:mnist[:N], a folder of images, a CSV, a .npy file). */
  readonly data: string;
  /** Tables: the column holding each row's class. */
  readonly labelColumn?: string;
  readonly method: string;
  /** `name=value` method options, as `--opt` gives them. */
  readonly options: readonly string[];
  /** 'predicted', 'label' (the dataset's labels) or a class index. */
  readonly target: string;
  readonly layer?: string;
  readonly seed: number;
  /** Rows per model call. */
  readonly batchSize: number;
  /** Rows per shard: a multiple of batchSize, so every shard's batches are the same in every run. */
  readonly shardSize: number;
  /** Rows in the dataset when the job was made (a worker refuses a dataset of another size). */
  readonly size: number;
}

/** The file in a job's output folder that holds its spec. */
export const JOB_FILE = 'job.json';

/** Checks a spec's numbers: positive sizes, a shard size that is a multiple of the batch size. */
export function checkJobSpec(spec: JobSpec): void {
  check(spec.version === 1, 'input', () => `job spec: expected version 1; found ${String(spec.version)}`);
  for (const key of ['batchSize', 'shardSize', 'size'] as const) {
    check(Number.isInteger(spec[key]) && spec[key] >= 1, 'option', () => `job spec: ${key} must be a positive integer; found ${spec[key]}`);
  }
  check(spec.shardSize % spec.batchSize === 0, 'option', () => `--shard-size: must be a multiple of the batch size (${spec.batchSize}) so every shard is cut into the same batches; found ${spec.shardSize}`);
  check(Number.isInteger(spec.seed) && spec.seed >= 0, 'option', () => `job spec: seed must be a non-negative integer; found ${spec.seed}`);
}

/** A short fingerprint of a spec (sha-256 of its canonical JSON): a rerun resumes only the same job. */
export function jobKey(spec: object): string {
  const canonical = JSON.stringify(spec, Object.keys(spec).sort());
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** Reads `<out>/job.json`, or undefined when the folder holds no job. */
export async function readJobSpec<S extends object = JobSpec>(out: string): Promise<S | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(out, JOB_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as S;
  } catch (e) {
    throw new LumenError('file', `${path.join(out, JOB_FILE)}: expected a job spec in JSON; ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Makes `out` the folder of job `spec`: writes job.json, or checks the one there is the same job.
 * Another job's folder is a LumenError (results of two jobs never mix). `checkSpec` checks the
 * spec's numbers first (checkJobSpec for explain jobs).
 */
export async function claimJobFolder<S extends object = JobSpec>(out: string, spec: S, checkSpec: (spec: S) => void = checkJobSpec as unknown as (spec: S) => void): Promise<void> {
  checkSpec(spec);
  const existing = await readJobSpec<S>(out);
  if (existing === undefined) {
    await writeFileDurable(path.join(out, JOB_FILE), `${JSON.stringify(spec, null, 2)}\n`);
    return;
  }
  if (jobKey(existing) !== jobKey(spec)) {
    throw new LumenError('option', `${out}: holds another job (${describeJob(existing)}, key ${jobKey(existing)}); expected this one (key ${jobKey(spec)}) — use another --out folder`);
  }
}

/** A job spec in a few words: its method(s), dataset and model. */
function describeJob(spec: object): string {
  const s = spec as { method?: string; methods?: readonly string[]; data?: string; model?: string };
  return `${s.method ?? (s.methods ?? []).join(', ')} on ${s.data ?? '?'} with ${s.model ?? '?'}`;
}
