import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { fixtureArray, loadFixture } from '../../src/models/fixture.js';
import { repoPath } from '../helpers.js';

const names = ['mlp', 'cnn', 'sat', 'bn_cnn', 'zennit_mlp', 'zennit_cnn', 'quantus_cnn'];

for (const name of names) {
  test(`loadFixture('${name}') reproduces the recorded float32 logits and activations`, async () => {
    await useBackend();
    const fx = loadFixture(repoPath('test', 'fixtures', `${name}.json`));
    const out = await fx.model.predict(fx.inputs);
    const got = await out.data();
    const want = fx.json.logits.float32.flat();
    const scale = Math.max(...want.map(Math.abs));
    want.forEach((v, i) => assert.ok(Math.abs(got[i] - v) <= 1e-5 * scale + 1e-6, `logit ${i}: ${got[i]} vs ${v}`));
    const layers = Object.keys(fx.json.activations ?? {}).filter((l) => fx.model.layers.some((m) => m.name === l));
    const run = fx.model.run(fx.inputs, { capture: layers });
    for (const layer of layers) {
      const ref = fixtureArray((fx.json.activations ?? {})[layer]);
      const act = await run.captured[layer].data();
      const s = Math.max(...Array.from(ref.data, Math.abs));
      assert.deepEqual(run.captured[layer].shape, ref.shape, `${layer} shape`);
      ref.data.forEach((v, i) => assert.ok(Math.abs(act[i] - v) <= 1e-5 * s + 1e-6, `${layer}[${i}]: ${act[i]} vs ${v}`));
    }
    tf.dispose([out, run.output, ...Object.values(run.captured)]);
    fx.dispose();
  });
}
