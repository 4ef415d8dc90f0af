import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { integratedGradients } from '../../src/attribution/gradient/integrated-gradients.js';
import { LumenError } from '../../src/core/errors.js';
import { useBackend } from '../../src/engine/backend.js';
import { loadFixture } from '../../src/models/fixture.js';
import { tokenAttribution } from '../../src/text/token-attribution.js';
import { repoPath } from '../helpers.js';

test('tokenAttribution sums, or takes the L1/L2 norm of, each token’s embedding attribution', async () => {
  await useBackend();
  const a = tf.tensor3d([[[1, -2], [3, 4]]]);
  assert.deepEqual(await tokenAttribution(a).array(), [[-1, 7]]);
  assert.deepEqual(await tokenAttribution(a, 'l1').array(), [[3, 7]]);
  const l2 = (await tokenAttribution(a, 'l2').array()) as number[][];
  assert.ok(Math.abs(l2[0][0] - Math.sqrt(5)) < 1e-6 && Math.abs(l2[0][1] - 5) < 1e-6);
  assert.throws(() => tokenAttribution(tf.ones([2, 3])), LumenError);
  assert.throws(() => tokenAttribution(a, 'max' as 'sum'), LumenError);
});

test('layer IG on a text CNN’s embedding: token sums add up to f(x) − f(all PAD), zero at PAD positions', async () => {
  await useBackend();
  const fixture = loadFixture(repoPath('test', 'fixtures', 'wave2', 'text_embed.json'));
  try {
    const a = await integratedGradients(fixture.model, fixture.inputs, { layer: 'embedding', baseline: 0, steps: 64 });
    const tokens = tokenAttribution(a.values);
    const ids = (await fixture.inputs.array()) as number[][];
    const sums = (await tokens.sum(1).array()) as number[];
    const out = (await (await fixture.model.predict(fixture.inputs)).array()) as number[][];
    const pad = (await (await fixture.model.predict(tf.zerosLike(fixture.inputs))).array()) as number[][];
    const target = a.target as number[];
    const perToken = (await tokens.array()) as number[][];
    for (let n = 0; n < ids.length; n++) {
      // ReLU and max-over-time kinks keep IG's completeness gap small but not zero (the fixture: ≤ 4.2e-3).
      assert.ok(Math.abs(sums[n] - (out[n][target[n]] - pad[n][target[n]])) < 1e-2, `row ${n}`);
      ids[n].forEach((id, t) => { if (id === 0) assert.equal(perToken[n][t], 0, `row ${n} token ${t} is PAD`); });
    }
    a.dispose();
    tokens.dispose();
  } finally {
    fixture.dispose();
  }
});
