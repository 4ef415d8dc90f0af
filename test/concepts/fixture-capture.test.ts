import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { datasetFromTensors } from '../../src/core/dataset.js';
import type { SimilarityExplanation, ConceptsExplanation } from '../../src/core/explanation.js';
import { useBackend } from '../../src/engine/backend.js';
import { layerActivations } from '../../src/concepts/layer-activations.js';
import { activationMatrix } from '../../src/concepts/activation-matrix.js';
import { linearCkaMatrix } from '../../src/concepts/linear-cka.js';
import { methodById } from '../../src/methods.js';
import { loadFixture } from '../../src/models/fixture.js';
import * as tf from '@tensorflow/tfjs';
import { LumenError } from '../../src/core/errors.js';
import { repoPath } from '../helpers.js';

const path = repoPath('test', 'fixtures', 'wave2', 'semantics_mlp.json');
const json = JSON.parse(readFileSync(path, 'utf8')) as { layers: string[]; activations: Record<string, { data: number[][] }>; teacher: { y: number[] } };

test('capturing the semantics fixture’s layers from its model gives the recorded activations (one pass per batch)', async () => {
  await useBackend();
  const fx = loadFixture(path);
  try {
    const acts = await layerActivations(fx.model, datasetFromTensors(fx.inputs), json.layers, { batchSize: 64 });
    for (const layer of json.layers) {
      const want = json.activations[layer].data.flat();
      const got = acts[layer].data;
      assert.equal(got.length, want.length, layer);
      const err = want.reduce((m, v, i) => Math.max(m, Math.abs(v - got[i])), 0);
      assert.ok(err < 1e-5, `${layer}: ${err}`);
    }
    await assert.rejects(layerActivations(fx.model, datasetFromTensors(fx.inputs), ['nope']), (e: unknown) => e instanceof LumenError && /no layer named 'nope'/.test(e.message));
  } finally {
    fx.dispose();
  }
});

test('the registry’s linear-cka and linear-probe run on a model and a Dataset and return their kinds', async () => {
  await useBackend();
  const fx = loadFixture(path);
  const y = tf.tensor1d(json.teacher.y, 'int32');
  try {
    const data = datasetFromTensors(fx.inputs, y);
    const cka = (await methodById('linear-cka').run(fx.model, data as never, { layers: 'input,relu1,fc3' })) as SimilarityExplanation;
    assert.equal(cka.kind, 'similarity');
    assert.deepEqual(cka.rows, ['input', 'relu1', 'fc3']);
    const want = linearCkaMatrix(['input', 'relu1', 'fc3'].map((l) => activationMatrix(json.activations[l].data)));
    cka.values.flat().forEach((v, i) => assert.ok(Math.abs(v - want.flat()[i]) < 1e-5));
    const probe = (await methodById('linear-probe').run(fx.model, data as never, { layers: ['input', 'fc3'], seed: 1 })) as ConceptsExplanation;
    assert.equal(probe.kind, 'concepts');
    assert.deepEqual(probe.scores.map((s) => s.layer), ['input', 'fc3']);
    // The labels are a linear function of the input: the input probe decodes them well.
    assert.ok(probe.scores[0].score > 0.85, String(probe.scores[0].score));
  } finally {
    y.dispose();
    fx.dispose();
  }
});
