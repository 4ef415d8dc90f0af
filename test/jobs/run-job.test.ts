import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { prepareJob } from '../../src/cli/job-context.js';
import { collectShards } from '../../src/jobs/collect-shards.js';
import { runJob } from '../../src/jobs/run-job.js';
import { readParquetTable } from '../../src/jobs/shard-parquet.js';
import { shardFile } from '../../src/jobs/shard-files.js';
import type { JobSpec } from '../../src/jobs/job-spec.js';
import { saliency } from '../../src/attribution/gradient/saliency.js';
import { bundledDataset } from '../../src/data/dataset-files.js';
import { loadModelSpec } from '../../src/cli/load-model.js';

before(async () => {
  await useBackend('wasm');
});

const spec: JobSpec = { version: 1, model: 'bundled:mnist', data: 'bundled:mnist:40', method: 'saliency', options: [], target: 'predicted', seed: 7, batchSize: 8, shardSize: 16, size: 40 };
const tmp = (): string => mkdtempSync(path.join(tmpdir(), 'lumen-jobs-'));

test('runJob writes each row once, by shard, as JSONL and Parquet holding the same numbers as a direct call', async () => {
  const out = tmp();
  const ctx = await prepareJob(spec);
  const tensors = tf.memory().numTensors;
  try {
    const run = await runJob(ctx, spec, out);
    assert.equal(tf.memory().numTensors, tensors, 'no tensor leak');
    assert.deepEqual(run.ran.map((r) => [r.shard, r.rows]), [[0, 16], [1, 16], [2, 8]]);
    assert.ok(run.collected);
    const rows = readFileSync(path.join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: number; label: number; target: number; prediction: number; attribution: number[]; attributionShape: number[]; scores: number[]; delta: number | null });
    assert.deepEqual(rows.map((r) => r.id), Array.from({ length: 40 }, (_, i) => i));
    const table = readParquetTable(readFileSync(path.join(out, 'results.parquet')));
    assert.equal(table.numRows, 40);
    assert.deepEqual(JSON.parse(table.schema.metadata.get('lumen.attributionShape') ?? ''), [28, 28, 1]);
    // The same attributions as saliency called on the rows directly.
    const loaded = await loadModelSpec('bundled:mnist');
    const model = loaded.model;
    const data = bundledDataset('mnist', 40);
    for await (const batch of data.batches(40)) {
      const direct = await saliency(model, batch.x, { target: 'predicted' });
      const values = (await direct.values.data()) as Float32Array;
      const labels = await batch.y?.data();
      for (const i of [0, 17, 39]) {
        assert.deepEqual(Float32Array.from(rows[i].attribution), values.subarray(i * 784, (i + 1) * 784), `row ${i} attribution (JSONL)`);
        assert.deepEqual((table.getChild('attribution')?.get(i) as { toArray(): Float32Array }).toArray(), values.subarray(i * 784, (i + 1) * 784), `row ${i} attribution (Parquet)`);
        assert.equal(rows[i].target, direct.target?.[i]);
        assert.equal(rows[i].prediction, direct.target?.[i], 'target predicted = the prediction');
        assert.equal(rows[i].label, labels?.[i]);
        assert.equal(table.getChild('prediction')?.get(i), rows[i].prediction);
        assert.equal(rows[i].scores.length, 10);
      }
      direct.dispose();
      batch.x.dispose();
      batch.y?.dispose();
    }
    loaded.dispose();
  } finally {
    ctx.dispose();
    rmSync(out, { recursive: true, force: true });
  }
});

test('a rerun needs --resume, skips finished shards and gives the same bytes; another job is refused', async () => {
  const whole = tmp();
  const parts = tmp();
  const ctx = await prepareJob(spec);
  try {
    await runJob(ctx, spec, whole);
    // slice 1/2 (shards 0, 2) then slice 2/2 (shard 1): the second run finishes and merges.
    const first = await runJob(ctx, spec, parts, { slice: { k: 1, n: 2 } });
    assert.deepEqual(first.ran.map((r) => r.shard), [0, 2]);
    assert.equal(first.collected, undefined);
    await assert.rejects(collectShards(parts), /1 of 3 shards are not finished \(1\)/);
    await assert.rejects(runJob(ctx, spec, parts), /2 shards of this job are already finished; pass --resume/);
    const second = await runJob(ctx, spec, parts, { resume: true });
    assert.deepEqual(second.ran.map((r) => r.shard), [1]);
    assert.equal(second.skipped, 2);
    for (const f of ['results.jsonl', 'results.parquet']) assert.deepEqual(readFileSync(path.join(parts, f)), readFileSync(path.join(whole, f)), f);
    const again = await runJob(ctx, spec, parts, { resume: true });
    assert.equal(again.ran.length, 0);
    await assert.rejects(runJob(ctx, { ...spec, seed: 8 }, parts, { resume: true }), /holds another job/);
    // A shard file changed after its receipt is caught by collect.
    writeFileSync(shardFile(parts, 1, 'jsonl'), '{}\n');
    await assert.rejects(collectShards(parts), /sha-256 differs from the shard's receipt/);
    assert.equal(readdirSync(path.join(parts, 'shards')).filter((n) => n.endsWith('.tmp')).length, 0, 'no temporary file left');
  } finally {
    ctx.dispose();
    rmSync(whole, { recursive: true, force: true });
    rmSync(parts, { recursive: true, force: true });
  }
});

test('seeded methods draw the same numbers per shard whatever the slicing', async () => {
  const noisy: JobSpec = { ...spec, method: 'smoothgrad', options: ['samples=3', 'noiseLevel=0.2'], size: 40 };
  const a = tmp();
  const b = tmp();
  const ctx = await prepareJob(noisy);
  try {
    await runJob(ctx, noisy, a);
    await runJob(ctx, noisy, b, { slice: { k: 2, n: 3 } });
    await runJob(ctx, noisy, b, { resume: true });
    assert.deepEqual(readFileSync(path.join(a, 'results.jsonl')), readFileSync(path.join(b, 'results.jsonl')));
  } finally {
    ctx.dispose();
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});
