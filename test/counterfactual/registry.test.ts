import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { LumenError } from '../../src/core/errors.js';
import type { AttackExplanation } from '../../src/core/explanation.js';
import { parseMethodOptions } from '../../src/cli/method-options.js';
import { counterfactualTarget, immutableColumns } from '../../src/counterfactual/registry.js';
import { predictProbabilities, argMax } from '../../src/counterfactual/output-gradient.js';
import { useBackend } from '../../src/engine/backend.js';
import { methodById } from '../../src/methods.js';
import { explanationSection } from '../../src/render/explanation-section.js';
import { penguinFixture } from '../local-rules/penguin-fixture.js';

test('counterfactualTarget and immutableColumns read command-line text; a one-hot prefix names its group', () => {
  assert.equal(counterfactualTarget(undefined, 'f'), undefined);
  assert.equal(counterfactualTarget('other', 'f'), 'other');
  assert.equal(counterfactualTarget('2', 'f'), 2);
  assert.equal(counterfactualTarget(1, 'f'), 1);
  assert.throws(() => counterfactualTarget('predicted', 'f'), (e: unknown) => e instanceof LumenError && /class index or 'other'; found "predicted"/.test(e.message));
  assert.throws(() => counterfactualTarget(-1, 'f'), LumenError);
  const names = ['a', 'Island=Biscoe', 'Island=Dream', 'b'];
  assert.deepEqual(immutableColumns('Island, 3', 'f', names), ['Island=Biscoe', 'Island=Dream', 3]);
  assert.deepEqual(immutableColumns(['a', 1], 'f', names), ['a', 1]);
  assert.equal(immutableColumns(undefined, 'f'), undefined);
  assert.throws(() => immutableColumns('a,,b', 'f'), (e: unknown) => e instanceof LumenError && /immutable must be column indices or feature names/.test(e.message));
});

test("the registry's wachter-counterfactual and dice run on dataset rows from command-line options: the class reaches the target, immutable columns hold", async () => {
  await useBackend();
  const { model, train, trainRows, dispose } = await penguinFixture();
  try {
    const d = train.inputShape[0];
    const names = train.featureNames as readonly string[];
    const held = names.map((f, j) => (f.startsWith('Island=') || f === 'Body Mass (g)' ? j : -1)).filter((j) => j >= 0);
    for (const id of ['wachter-counterfactual', 'dice']) {
      const entry = methodById(id);
      assert.equal(entry.scope, 'global');
      if (entry.scope !== 'global') return;
      const extra = id === 'dice' ? ['count=2', 'maxIterations=600', 'minIterations=100'] : [];
      const opts = parseMethodOptions(entry, ['rows=0,5', 'target=other', 'immutable=Island,Body Mass (g)', ...extra]);
      const before = tf.memory().numTensors;
      const e = (await entry.run(model, train, opts)) as AttackExplanation;
      assert.equal(tf.memory().numTensors, before, `${id} leaks no tensors`);
      assert.equal(e.kind, 'attack');
      const n = e.predictions.length;
      assert.equal(n, id === 'dice' ? 4 : 2);
      const query = (e.meta?.query as number[] | undefined) ?? [0, 1];
      const rows = [0, 5];
      const repredicted = (await predictProbabilities(model, Float32Array.from(e.inputs), n, [d])).map(argMax);
      assert.deepEqual(repredicted, e.predictions, 'the predictions are the model\'s on the counterfactuals');
      const target = e.meta?.target as number[];
      for (let i = 0; i < n; i++) {
        assert.equal(e.predictions[i], target[i], `${id} counterfactual ${i} reaches its target`);
        assert.notEqual(e.predictions[i], e.originalPredictions[i]);
        for (const j of held) assert.equal(e.inputs[i * d + j], trainRows[rows[query[i]] * d + j], `${id}: column ${names[j]} is immutable`);
      }
      assert.deepEqual(JSON.parse(JSON.stringify(e)), e);
      const section = explanationSection(e, { title: id, featureScales: { 'Beak Depth (mm)': { scale: 2, offset: 10 } } });
      assert.deepEqual(section.table?.columns, ['counterfactual', 'class', 'counterfactual class', 'distance (MAD-L1)', 'changes']);
      assert.equal(section.table?.rows.length, n);
      const changes = e.meta?.changes as unknown as { feature: string; before: number; after: number }[][];
      section.table?.rows.forEach((r, i) => {
        assert.deepEqual(r.slice(1, 4), [e.originalPredictions[i], e.predictions[i], e.norms?.[i]]);
        const depth = changes[i].find((c) => c.feature === 'Beak Depth (mm)');
        if (depth) assert.ok(String(r[4]).includes(`Beak Depth (mm) ${Number((depth.before * 2 + 10).toPrecision(4))} → `), 'a scaled column is shown on its own scale');
        assert.equal(String(r[4]).split('; ').length, changes[i].length);
      });
    }
    const dice = methodById('dice');
    if (dice.scope !== 'global') throw new Error('dice is a global entry');
    await assert.rejects(dice.run(model, train, { rows: '0', target: 'predicted' }),
      (e: unknown) => e instanceof LumenError && /target is a class index or 'other'/.test(e.message));
  } finally {
    dispose();
  }
});
