import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { findModelJson } from '../../src/models/find-model-json.js';
import { loadModelFile } from '../../src/models/load-model-file.js';
import { saveLayersModel } from '../../src/models/model-io.js';

async function savedAs(name: string): Promise<{ dir: string; model: tf.LayersModel }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-fmj-'));
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], name: 'emotion_head' })] });
  await saveLayersModel(model, dir);
  if (name !== 'model.json') renameSync(path.join(dir, 'model.json'), path.join(dir, name));
  return { dir, model };
}

test('loadModelFile takes a tfjs model JSON of any name (emotion.json) and a folder holding one', async () => {
  await useBackend();
  const { dir, model } = await savedAs('emotion.json');
  try {
    writeFileSync(path.join(dir, 'labels.json'), '["happy", "sad"]');
    const x = tf.tensor2d([[1, 2, 3]]);
    const want = (model.predict(x) as tf.Tensor).arraySync();
    for (const spec of [path.join(dir, 'emotion.json'), dir]) {
      const loaded = await loadModelFile(spec);
      assert.deepEqual(loaded.layers.map((l) => l.name), ['emotion_head'], spec);
      const y = await loaded.predict(x);
      assert.deepEqual(y.arraySync(), want);
      y.dispose();
      loaded.dispose();
    }
    x.dispose();
    assert.deepEqual(findModelJson(dir, true), { dir, jsonName: 'emotion.json' });
  } finally {
    model.dispose();
  }
});

test('findModelJson: a folder with no tfjs model JSON, or with two, is a LumenError listing what it holds', async () => {
  const empty = mkdtempSync(path.join(tmpdir(), 'lumen-fmj-'));
  writeFileSync(path.join(empty, 'notes.json'), '{"a": 1}');
  assert.throws(() => findModelJson(empty, true), /expected a folder holding a tfjs model JSON .*; found only notes\.json/);
  const { dir, model } = await savedAs('a.json');
  model.dispose();
  writeFileSync(path.join(dir, 'b.json'), '{"modelTopology": {}, "weightsManifest": []}');
  assert.throws(() => findModelJson(dir, true), /expected a folder holding one tfjs model JSON; found 2: a\.json, b\.json/);
});
