import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LumenError, type LumenErrorCode } from '../../src/core/errors.js';
import { useBackend } from '../../src/engine/backend.js';
import { loadLayersModel, saveLayersModel } from '../../src/models/model-io.js';

function lumenError(code: LumenErrorCode, ...patterns: RegExp[]) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof LumenError, `a LumenError, not ${String(e)}`);
    assert.equal(e.code, code, e.message);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  };
}

function smallCnn(): tf.LayersModel {
  const init = (seed: number) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed }), biasInitializer: tf.initializers.randomNormal({ seed: seed + 100 }) });
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ name: 'conv1', inputShape: [6, 6, 2], filters: 3, kernelSize: 3, ...init(1) }));
  m.add(tf.layers.activation({ name: 'relu1', activation: 'relu' }));
  m.add(tf.layers.flatten({ name: 'flatten' }));
  m.add(tf.layers.dense({ name: 'logits', units: 4, ...init(2) }));
  return m;
}

async function saved(): Promise<{ dir: string; model: tf.LayersModel }> {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'lumen-model-')), 'm');
  const model = smallCnn();
  await saveLayersModel(model, dir);
  return { dir, model };
}

test('save → load round trip gives identical predictions and layer names', async () => {
  await useBackend();
  const { dir, model } = await saved();
  const loaded = await loadLayersModel(dir);
  assert.deepEqual(loaded.layers.map((l) => l.name), ['conv1', 'relu1', 'flatten', 'logits']);
  const x = tf.randomUniform([3, 6, 6, 2], 0, 1, 'float32', 7);
  const a = model.predict(x) as tf.Tensor;
  const b = loaded.predict(x) as tf.Tensor;
  assert.deepEqual(b.dataSync(), a.dataSync());
  const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
  assert.deepEqual(json.weightsManifest[0].paths, ['weights.bin']);
  tf.dispose([x, a, b]);
  model.dispose();
  loaded.dispose();
});

test('missing or corrupt model files give LumenError naming the path', async () => {
  await useBackend();
  const { dir } = await saved();
  await assert.rejects(loadLayersModel(path.join(dir, 'nope')), lumenError('file', /nope[\\/]model\.json: expected a tfjs model\.json; found no such file/));

  const json = path.join(dir, 'model.json');
  const good = readFileSync(json, 'utf8');
  writeFileSync(json, good.slice(0, 50));
  await assert.rejects(loadLayersModel(dir), lumenError('file', /model\.json: expected valid JSON \(a tfjs model\.json\); found a syntax error/));

  writeFileSync(json, JSON.stringify({ weightsManifest: [] }));
  await assert.rejects(loadLayersModel(dir), lumenError('model', /model\.json: expected a "modelTopology" object; found none/));

  const parsed = JSON.parse(good);
  writeFileSync(json, JSON.stringify({ ...parsed, modelTopology: { class_name: 'Nonsense', config: {} } }));
  await assert.rejects(loadLayersModel(dir), lumenError('model', /model\.json: expected a tfjs Layers model; tfjs could not build it/));

  writeFileSync(json, good);
  const bin = path.join(dir, 'weights.bin');
  const weights = readFileSync(bin);
  writeFileSync(bin, weights.subarray(0, 20));
  await assert.rejects(loadLayersModel(dir), lumenError('file', /weights\.bin: expected 1012 bytes of weights \(4 tensors in model\.json\); found 20 bytes/));
});
