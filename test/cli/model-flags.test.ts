/** `--output-kind` and `--output-node` (issue 9): predict shows a softmax model's probabilities as they are. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { encodeNpy } from '../../src/data/npy.js';
import { useBackend } from '../../src/engine/backend.js';
import { saveLayersModel } from '../../src/models/model-io.js';
import { repoPath } from '../helpers.js';

const cli = repoPath('dist', 'src', 'cli', 'main.js');

function lumen(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', [cli, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The table row of example 0: [example, predicted, probability, outputs…]. */
function firstRow(stdout: string): string[] {
  const line = stdout.split('\n').find((l) => /^0\s/.test(l));
  assert.ok(line, stdout);
  return line.trim().split(/\s+/);
}

test('lumen predict on a model ending in softmax (nsfwjs MobileNetV2) shows its own probability; --output-kind logits softmaxes again', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-flags-'));
  const file = path.join(dir, 'image.npy');
  const data = Float32Array.from({ length: 224 * 224 * 3 }, (_, i) => ((i * 7919) % 1000) / 1000);
  writeFileSync(file, encodeNpy(data, [1, 224, 224, 3]));
  const model = repoPath('test', 'models', 'npm', 'nsfwjs-mobilenet-v2');
  const detected = lumen('predict', '--model', model, '--input', file);
  assert.equal(detected.status, 0, detected.stderr);
  assert.match(detected.stdout, /probability/);
  const [, best, p, ...outputs] = firstRow(detected.stdout);
  const values = outputs.map(Number);
  assert.ok(Math.abs(values.reduce((a, b) => a + b, 0) - 1) < 1e-3, 'the outputs are probabilities');
  assert.equal(Number(p).toFixed(3), Math.max(...values).toFixed(3), 'the probability shown is the output itself');
  assert.equal(Number(best), values.indexOf(Math.max(...values)));
  const asLogits = lumen('predict', '--model', model, '--input', file, '--output-kind', 'logits');
  assert.equal(asLogits.status, 0, asLogits.stderr);
  const [, , q] = firstRow(asLogits.stdout);
  const e = values.map((v) => Math.exp(v - Math.max(...values)));
  assert.equal(Number(q).toFixed(3), (1 / e.reduce((a, b) => a + b, 0)).toFixed(3), 'softmax of the outputs');
  assert.ok(Number(q) < Number(p));
  const bad = lumen('predict', '--model', model, '--input', file, '--output-kind', 'probs');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--output-kind: expected logits or probabilities; found 'probs'/);
});

test('--output-node picks one output of a two-output model; without it the CLI names the outputs (exit 2)', async () => {
  await useBackend();
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-flags-'));
  const input = tf.input({ shape: [3] });
  const a = tf.layers.dense({ units: 2, name: 'scores', kernelInitializer: 'ones' }).apply(input) as tf.SymbolicTensor;
  const b = tf.layers.dense({ units: 4, activation: 'softmax', name: 'probs', kernelInitializer: 'ones' }).apply(input) as tf.SymbolicTensor;
  const net = tf.model({ inputs: input, outputs: [a, b] });
  await saveLayersModel(net, path.join(dir, 'two'));
  net.dispose();
  const x = path.join(dir, 'x.npy');
  writeFileSync(x, encodeNpy(Float32Array.from([1, 2, 3]), [1, 3]));
  const none = lumen('predict', '--model', path.join(dir, 'two'), '--input', x, '--json');
  assert.equal(none.status, 2, none.stderr);
  assert.match(none.stderr, /2 outputs \(scores, probs\)/);
  for (const [node, shape, first] of [['scores', [1, 2], 6], ['probs', [1, 4], 0.25]] as const) {
    const r = lumen('predict', '--model', path.join(dir, 'two'), '--input', x, '--json', '--output-node', node);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { shape: number[]; data: number[] };
    assert.deepEqual(out.shape, shape);
    assert.ok(Math.abs(out.data[0] - first) < 1e-5, `${node}: ${out.data[0]}`);
  }
});
