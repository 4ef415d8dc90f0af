import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { LumenError } from '../../src/core/errors.js';
import { useBackend } from '../../src/engine/backend.js';
import { fromGraph } from '../../src/models/from-graph.js';
import { GRAPH_INPUT } from '../../src/models/graph.js';
import { fixtureArray, loadFixture } from '../../src/models/fixture.js';
import { repoPath } from '../helpers.js';

const nodes = [
  { name: 'double', kind: 'Mul', inputs: [GRAPH_INPUT], outputShape: [2], apply: ([x]: tf.Tensor[]) => tf.mul(x, 2) },
  { name: 'sum', kind: 'Sum', inputs: ['double', GRAPH_INPUT], outputShape: [1], apply: ([d, x]: tf.Tensor[]) => tf.sum(tf.add(d, x), 1, true) },
];

test('fromGraph: every node is a layer that can be captured and replaced; gradients flow', async () => {
  await useBackend();
  const model = fromGraph({ nodes, output: 'sum' }, { name: 'g', inputShape: [2], outputShape: [1] });
  assert.deepEqual(model.layers.map((l) => l.name), ['double', 'sum']);
  const x = tf.tensor2d([[1, 2]]);
  const { output, captured } = model.run(x, { capture: ['double'] });
  assert.deepEqual(await output.array(), [[9]]);
  assert.deepEqual(await captured.double.array(), [[2, 4]]);
  const replaced = model.run(x, { replace: { double: tf.tensor2d([[0, 0]]) } }).output;
  assert.deepEqual(await replaced.array(), [[3]]);
  const grad = tf.grad((v: tf.Tensor) => model.run(v).output.sum())(x);
  assert.deepEqual(await grad.array(), [[3, 3]]);
  assert.equal(model.outputKind, 'logits');
  tf.dispose([x, output, captured.double, replaced, grad]);
});

test('fromGraph refuses an unknown output node and duplicate node names', () => {
  assert.throws(() => fromGraph({ nodes, output: 'nope' }, { inputShape: [2], outputShape: [1] }), (e: unknown) => e instanceof LumenError && /output node 'nope'/.test(e.message));
  assert.throws(() => fromGraph({ nodes: [...nodes, nodes[0]], output: 'sum' }, { inputShape: [2], outputShape: [1] }), (e: unknown) => e instanceof LumenError && /unique/.test(e.message));
});

test('token fixtures: the text CNN (tf.layers) and the transformer (a Lumen graph) reproduce the recorded logits', async () => {
  await useBackend();
  for (const name of ['text_embed', 'attention_tiny']) {
    const fixture = loadFixture(repoPath('test', 'fixtures', 'wave2', `${name}.json`));
    try {
      const before = tf.memory().numTensors;
      const y = await fixture.model.predict(fixture.inputs);
      const got = await y.data();
      y.dispose();
      assert.equal(tf.memory().numTensors, before);
      const want = fixtureArray(fixture.json.logits as unknown as Parameters<typeof fixtureArray>[0]).data;
      let err = 0;
      for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got[i] - want[i]));
      assert.ok(err < 1e-5, `${name}: logits differ by ${err}`);
      assert.deepEqual(fixture.targets, fixture.json.pred);
    } finally {
      fixture.dispose();
    }
  }
});
