import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { integratedGradients } from '../../src/attribution/gradient/integrated-gradients.js';
import { saliency } from '../../src/attribution/gradient/saliency.js';
import { LumenError } from '../../src/core/errors.js';
import { useBackend } from '../../src/engine/backend.js';
import { methodById } from '../../src/methods.js';
import { fromFunction } from '../../src/models/from-function.js';
import { loadFixture } from '../../src/models/fixture.js';
import { tanhMlp } from '../toy-models.js';

/** Asserts a LumenError whose message matches every pattern (what was expected and what was found). */
function lumenError(...patterns: RegExp[]) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof LumenError, `a LumenError, not ${String(e)}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  };
}

test('a wrong input shape names the expected and the found shape', async () => {
  await useBackend();
  const { model } = tanhMlp();
  const x = tf.zeros([2, 5]);
  await assert.rejects(saliency(model, x), lumenError(/saliency: input shape must be \[N, 4\]; found \[2, 5\]/));
  x.dispose();
});

test('a target out of range names the model’s output count', async () => {
  await useBackend();
  const { model } = tanhMlp();
  const x = tf.zeros([1, 4]);
  await assert.rejects(integratedGradients(model, x, { target: 7 }), lumenError(/target 7 is out of range; the model has 3 outputs \(0…2\)/));
  await assert.rejects(integratedGradients(model, x, { target: [0, 1] }), lumenError(/target has 2 entries; expected one per example \(1\)/));
  x.dispose();
});

test('an unknown layer lists the model’s layers', async () => {
  await useBackend();
  const { model } = tanhMlp();
  const x = tf.zeros([1, 4]);
  await assert.rejects(integratedGradients(model, x, { layer: 'conv9' }), lumenError(/unknown layer 'conv9'; the model's layers are fc1, tanh, fc2/));
  x.dispose();
});

test('an unknown method lists the known ones', () => {
  assert.throws(() => methodById('deep-taylor'), lumenError(/unknown method 'deep-taylor'; Lumen implements saliency, /));
});

test('NaN in the input is refused', async () => {
  await useBackend();
  const { model } = tanhMlp();
  const x = tf.tensor2d([[1, NaN, 0, 0]]);
  await assert.rejects(saliency(model, x), lumenError(/input contains NaN or infinite values/));
  x.dispose();
});

test('a gradient method on a black-box model says so', async () => {
  await useBackend();
  const model = fromFunction((x) => x.sum(1, true), { inputShape: [4], outputShape: [1], name: 'sum' });
  const x = tf.zeros([1, 4]);
  await assert.rejects(saliency(model, x), lumenError(/model 'sum' is a black box/, /perturbation method/));
  x.dispose();
});

test('a missing or corrupt fixture model file is a LumenError naming the file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-'));
  const missing = path.join(dir, 'nope.json');
  assert.throws(() => loadFixture(missing), lumenError(/cannot read '.*nope\.json'/));
  const corrupt = path.join(dir, 'corrupt.json');
  writeFileSync(corrupt, '{"architecture": [1, 2');
  assert.throws(() => loadFixture(corrupt), lumenError(/corrupt\.json' is not valid JSON/));
  const other = path.join(dir, 'other.json');
  writeFileSync(other, '{"hello": 1}');
  assert.throws(() => loadFixture(other), lumenError(/is not a Lumen reference fixture/));
});
