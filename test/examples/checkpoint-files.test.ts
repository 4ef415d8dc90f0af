import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { disposeCheckpoint } from '../../src/core/checkpoint.js';
import { datasetFromTensors } from '../../src/core/dataset.js';
import { LumenError } from '../../src/core/errors.js';
import { tracInCP } from '../../src/examples/tracin-cp.js';
import { CHECKPOINTS_JSON, listCheckpointFiles, loadCheckpointFiles, saveCheckpointFiles } from '../../src/models/checkpoint-files.js';
import { fixtureTensor, loadFixture, type FixtureValue } from '../../src/models/fixture.js';
import { fixtureCheckpoints } from '../../src/parity/builders/examples.js';
import { repoPath } from '../helpers.js';

const FIXTURE = repoPath('test', 'fixtures', 'wave2', 'examples_tanh_mlp.json');

test('checkpoint files: the fixture’s three checkpoints saved as tfjs folders and read back give Captum’s TracInCP scores; a JSON list sets learning rates; a bare folder weighs each by 1', async () => {
  const fx = loadFixture(FIXTURE);
  const d = fx.json.dataset as unknown as { X_train: FixtureValue; y_train: number[]; X_test: FixtureValue; y_test: number[] };
  const entry = (fx.json.entries ?? []).find((e) => e.id === 'tracincp_all_layers') as unknown as { result: { scores: { data: number[][] } } };
  const reference = entry.result.scores.data;
  const x = fixtureTensor(d.X_train);
  const y = tf.tensor1d(d.y_train, 'int32');
  const test = { x: fixtureTensor(d.X_test), y: tf.tensor1d(d.y_test, 'int32') };
  const train = datasetFromTensors(x, y);
  const made = fixtureCheckpoints(fx);
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-ckpt-'));
  try {
    await saveCheckpointFiles(fx.layersModel as tf.LayersModel, fx.model, made, dir);
    const list = JSON.parse(readFileSync(path.join(dir, CHECKPOINTS_JSON), 'utf8')) as { path: string; learningRate: number }[];
    assert.deepEqual(list.map((c) => c.learningRate), [0.25, 0.125, 0.0625]);
    const loaded = await loadCheckpointFiles(fx.model, dir);
    assert.deepEqual(loaded.map((c) => c.learningRate), [0.25, 0.125, 0.0625]);
    const scores = await tracInCP(fx.model, train, test, { checkpoints: loaded, batchSize: 16 });
    const maxRef = Math.max(...reference.flat().map(Math.abs));
    reference.forEach((row, t) => row.forEach((v, j) => {
      const got = scores.scores[t * scores.shape[1] + j];
      assert.ok(Math.abs(got - v) <= 1e-4 * maxRef + 1e-7, `[${t}, ${j}] ${got} vs ${v}`);
    }));
    loaded.forEach(disposeCheckpoint);

    // A list elsewhere, paths relative to it, learning rates of its own: scores scale with them.
    const other = path.join(dir, 'lists');
    mkdirSync(other);
    writeFileSync(path.join(other, 'ckpts.json'), JSON.stringify({ checkpoints: [{ path: `../${list[2].path}`, learningRate: 2 }, `../${list[2].path}`] }));
    const twice = await loadCheckpointFiles(fx.model, path.join(other, 'ckpts.json'));
    assert.deepEqual(twice.map((c) => c.learningRate), [2, undefined]);
    const three = await tracInCP(fx.model, train, test, { checkpoints: twice, batchSize: 16 });
    const one = await tracInCP(fx.model, train, test, { checkpoints: [made[2]].map((c) => ({ parameters: c.parameters })), batchSize: 16 });
    three.scores.forEach((v, i) => assert.ok(Math.abs(v - 3 * one.scores[i]) <= 1e-5 * (1 + Math.abs(v)), `${v} vs 3 × ${one.scores[i]}`));
    twice.forEach(disposeCheckpoint);

    // Without checkpoints.json: every model folder, natural order, learning rate 1.
    const bare = path.join(dir, 'bare');
    for (const n of ['epoch-10', 'epoch-2']) cpSync(path.join(dir, n === 'epoch-2' ? list[0].path : list[1].path), path.join(bare, n), { recursive: true });
    const listed = await listCheckpointFiles(bare);
    assert.deepEqual(listed.map((e) => e.name), ['epoch-2', 'epoch-10']);
    assert.ok(listed.every((e) => e.learningRate === undefined));
  } finally {
    made.forEach(disposeCheckpoint);
    tf.dispose([x, y, test.x, test.y]);
    fx.dispose();
  }
});

test('checkpoint files: another architecture, a missing file and a bad list are LumenErrors naming what was expected', async () => {
  const fx = loadFixture(FIXTURE);
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-ckpt-bad-'));
  try {
    writeFileSync(path.join(dir, 'list.json'), JSON.stringify([{ path: repoPath('models', 'penguins') }]));
    await assert.rejects(loadCheckpointFiles(fx.model, path.join(dir, 'list.json')), (e: unknown) => e instanceof LumenError && /has no parameter 'fc1\/kernel'|parameter '.*' has shape/.test(e.message));
    await assert.rejects(loadCheckpointFiles(fx.model, path.join(dir, 'nope')), /no such file or folder/);
    writeFileSync(path.join(dir, 'bad.json'), JSON.stringify([{ path: 'a', learningRate: 'fast' }]));
    await assert.rejects(loadCheckpointFiles(fx.model, path.join(dir, 'bad.json')), /entry 0's learningRate must be a finite number; found "fast"/);
    writeFileSync(path.join(dir, 'empty.json'), '[]');
    await assert.rejects(loadCheckpointFiles(fx.model, path.join(dir, 'empty.json')), /expected a non-empty list/);
  } finally {
    fx.dispose();
  }
});

test('lumen examples --checkpoints: two copies of the penguins model with learning rates 0.5 and 0.25 give 0.75 × the scores of the model alone', () => {
  const cli = repoPath('dist', 'src', 'cli', 'main.js');
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-ckpt-cli-'));
  for (const n of ['a', 'b']) cpSync(repoPath('models', 'penguins'), path.join(dir, n), { recursive: true });
  writeFileSync(path.join(dir, 'list.json'), JSON.stringify([{ path: 'a', learningRate: 0.5 }, { path: 'b', learningRate: 0.25 }]));
  const args = ['examples', '--model', 'bundled:penguins', '--data', 'bundled:penguins:40', '--input', repoPath('examples', 'penguins.csv'), '--method', 'tracin', '--k', '3', '--json'];
  type Out = { examples: { index: number; score: number; role: string; query: number }[] };
  const plain = JSON.parse(execFileSync('node', [cli, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as Out;
  const weighted = JSON.parse(execFileSync('node', [cli, ...args, '--checkpoints', path.join(dir, 'list.json')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as Out;
  assert.equal(weighted.examples.length, plain.examples.length);
  weighted.examples.forEach((e, i) => {
    assert.equal(e.index, plain.examples[i].index);
    assert.ok(Math.abs(e.score - 0.75 * plain.examples[i].score) <= 1e-5 * (1 + Math.abs(e.score)), `${e.score} vs 0.75 × ${plain.examples[i].score}`);
  });
  const r = spawnSync('node', [cli, ...args.slice(0, -5), '--method', 'neighbours', '--checkpoints', path.join(dir, 'list.json')], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--checkpoints: only --method tracin or tracin-fast takes checkpoints; found --method neighbours/);
});
