import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LumenError } from '../../src/core/errors.js';
import { parseShardSlice, shardName, shardPlan, shardSeed, sliceShards } from '../../src/jobs/shard-plan.js';
import { checkJobSpec, jobKey, type JobSpec } from '../../src/jobs/job-spec.js';
import { redisAddress } from '../../src/jobs/redis-connection.js';

test('shardPlan cuts every row into exactly one shard, the last one shorter', () => {
  const shards = shardPlan(1000, 256);
  assert.deepEqual(shards.map((s) => [s.start, s.end]), [[0, 256], [256, 512], [512, 768], [768, 1000]]);
  assert.deepEqual(shards.map((s) => s.index), [0, 1, 2, 3]);
  assert.throws(() => shardPlan(10, 0), LumenError);
});

test('--shard k/n slices are disjoint and together take every shard', () => {
  const all = shardPlan(2000, 100);
  const slices = [1, 2, 3].map((k) => sliceShards(all, parseShardSlice(`${k}/3`)).map((s) => s.index));
  assert.deepEqual(slices.flat().sort((a, b) => a - b), all.map((s) => s.index));
  assert.deepEqual(slices[1], [1, 4, 7, 10, 13, 16, 19]);
  for (const bad of ['0/3', '4/3', '1/0', 'a/b', '2']) assert.throws(() => parseShardSlice(bad), /--shard: expected k\/n/);
});

test('shardSeed is fixed per (seed, shard, batch) and differs between batches and shards', () => {
  assert.equal(shardSeed(42, 3, 1), shardSeed(42, 3, 1));
  const seeds = new Set<number>();
  for (let s = 0; s < 20; s++) for (let b = 0; b < 20; b++) seeds.add(shardSeed(42, s, b));
  assert.equal(seeds.size, 400);
  assert.notEqual(shardSeed(1, 0, 0), shardSeed(2, 0, 0));
  assert.equal(shardName(7), 'shard-00007');
});

test('a job spec needs a shard size that is a multiple of its batch size; its key changes with any field', () => {
  const spec: JobSpec = { version: 1, model: 'bundled:mnist', data: 'bundled:mnist', method: 'saliency', options: [], target: 'predicted', seed: 1, batchSize: 32, shardSize: 256, size: 2000 };
  checkJobSpec(spec);
  assert.throws(() => checkJobSpec({ ...spec, shardSize: 100 }), /multiple of the batch size \(32\)/);
  assert.notEqual(jobKey(spec), jobKey({ ...spec, seed: 2 }));
  assert.equal(jobKey(spec), jobKey({ ...spec }));
});

test('redisAddress reads host, port and database; other schemes are refused', () => {
  assert.deepEqual(redisAddress('redis://127.0.0.1:6390/2'), { host: '127.0.0.1', port: 6390, db: 2, maxRetriesPerRequest: null });
  assert.equal(redisAddress('redis://127.0.0.1').port, 6379);
  assert.throws(() => redisAddress('http://127.0.0.1:6379'), /expected a redis:\/\/ URL/);
  assert.throws(() => redisAddress('not a url'), /expected a URL/);
});
