import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { lrp } from '../../../../src/attribution/propagation/lrp/lrp.js';
import { canonize, MERGE_BATCH_NORM, mergedLinear } from '../../../../src/attribution/propagation/lrp/merge-batch-norm.js';
import { compositeRuleSet, COMPOSITES } from '../../../../src/attribution/propagation/lrp/composites.js';
import type { LinearOp, Rule } from '../../../../src/core/rules.js';
import { useBackend } from '../../../../src/engine/backend.js';
import { layerParts } from '../../../../src/models/layer-parts.js';
import { fromLayersModel } from '../../../../src/models/from-layers-model.js';
import { fixtureArray, loadFixture, type FixtureValue } from '../../../../src/models/fixture.js';
import { maxAbsDiff } from '../../../toy-models.js';

const bnInit = (seed: number) => ({
  gammaInitializer: tf.initializers.randomUniform({ minval: -1.5, maxval: 1.5, seed }),
  betaInitializer: tf.initializers.randomNormal({ seed: seed + 1 }),
  movingMeanInitializer: tf.initializers.randomNormal({ seed: seed + 2 }),
  movingVarianceInitializer: tf.initializers.randomUniform({ minval: 0.3, maxval: 2, seed: seed + 3 }),
});

/** conv (no bias) → BN → ReLU → flatten → dense → BN: the batch norms follow linear layers, one without a bias. */
function bnModel(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', useBias: false, inputShape: [5, 5, 2], kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }), name: 'conv' }));
  m.add(tf.layers.batchNormalization({ name: 'bn1', ...bnInit(2) }));
  m.add(tf.layers.reLU({ name: 'relu' }));
  m.add(tf.layers.flatten({ name: 'flatten' }));
  m.add(tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.glorotNormal({ seed: 6 }), biasInitializer: tf.initializers.randomNormal({ seed: 7 }), name: 'fc' }));
  m.add(tf.layers.batchNormalization({ name: 'bn2', ...bnInit(8) }));
  return m;
}

function linearOf(layer: tf.layers.Layer): LinearOp {
  const parts = layerParts(layer);
  assert.ok(parts && parts[0].op.linear);
  return parts[0].op.linear;
}

test('mergedLinear(conv, bn) computes bn(conv(x)): the canonized layers give the model\'s outputs (with and without a conv bias)', async () => {
  await useBackend();
  const fixture = loadFixture('test/fixtures/bn_cnn.json');
  const fixtureLayers = fixture.layersModel;
  assert.ok(fixtureLayers, 'bn_cnn is a layers-model fixture');
  const layers = bnModel();
  const x = tf.randomNormal([2, 5, 5, 2], 0, 1, 'float32', 11);
  const cases: [tf.LayersModel, string, string, tf.Tensor][] = [[layers, 'conv', 'bn1', x], [fixtureLayers, 'conv1', 'bn1', fixture.inputs]];
  for (const [model, conv, bn, input] of cases) {
    const err = tf.tidy(() => {
      const c = linearOf(model.getLayer(conv));
      const b = linearOf(model.getLayer(bn));
      const merged = mergedLinear(c, b);
      const direct = b.apply(c.apply(input, c.weights, c.bias), b.weights, b.bias);
      const viaMerge = merged.apply(input, merged.weights, merged.bias);
      const layerwise = model.getLayer(bn).apply(model.getLayer(conv).apply(input)) as tf.Tensor;
      return [tf.max(tf.abs(tf.sub(viaMerge, direct))), tf.max(tf.abs(tf.sub(viaMerge, layerwise))), tf.max(tf.abs(direct))];
    });
    const [a, b, scale] = await Promise.all(err.map(async (t) => (await t.data())[0]));
    tf.dispose(err);
    assert.ok(scale > 0.1 && a < 1e-5 * scale && b < 1e-5 * scale, `${conv}+${bn}: ${a}, ${b} (scale ${scale})`);
  }
  // Lumen's fold of bn_cnn's conv2 (no bias) and conv1 equals the folded weights the fixture records (Zennit's merge).
  for (const [conv, bn] of [['conv1', 'bn1'], ['conv2', 'bn2']]) {
    const folded = tf.tidy(() => {
      const merged = mergedLinear(linearOf(fixtureLayers.getLayer(conv)), linearOf(fixtureLayers.getLayer(bn)));
      return [merged.weights[0], merged.bias as tf.Tensor];
    });
    const ref = (fixture.json as unknown as { weights_merged_bn_tfjs: Record<string, FixtureValue> }).weights_merged_bn_tfjs;
    const kernel = fixtureArray(ref[`${conv}.kernel`]).data;
    const bias = fixtureArray(ref[`${conv}.bias`]).data;
    assert.ok((await maxAbsDiff(folded[0], kernel)) < 1e-5 * Math.max(...kernel.map(Math.abs)), `${conv} kernel`);
    assert.ok((await maxAbsDiff(folded[1], bias)) < 1e-5 * Math.max(...bias.map(Math.abs)), `${conv} bias`);
    tf.dispose(folded);
  }
  x.dispose();
  layers.dispose();
  fixture.dispose();
});

test('canonize(model, [MERGE_BATCH_NORM]) computes the same outputs; ε-LRP on it equals ε-LRP on the explicitly folded model', async () => {
  await useBackend();
  const layers = bnModel();
  const model = fromLayersModel(layers);
  const canon = canonize(model, [MERGE_BATCH_NORM]);
  const x = tf.randomNormal([3, 5, 5, 2], 0, 1, 'float32', 12);
  const [a, b] = [await model.predict(x), await canon.predict(x)];
  assert.equal(await maxAbsDiff(a, b), 0);
  const ruled = tf.tidy(() => canon.run(x, { rules: compositeRuleSet(COMPOSITES['epsilon-plus']({})) }).output);
  assert.ok((await maxAbsDiff(ruled, a)) < 1e-5);
  // The folded model: conv and fc with merged weights and biases, no batch norms.
  const folded = tf.sequential();
  folded.add(tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', inputShape: [5, 5, 2], name: 'conv' }));
  folded.add(tf.layers.reLU({ name: 'relu' }));
  folded.add(tf.layers.flatten({ name: 'flatten' }));
  folded.add(tf.layers.dense({ units: 4, name: 'fc' }));
  for (const [name, bn] of [['conv', 'bn1'], ['fc', 'bn2']]) {
    const w = tf.tidy(() => {
      const m = mergedLinear(linearOf(layers.getLayer(name)), linearOf(layers.getLayer(bn)));
      return [m.weights[0], m.bias as tf.Tensor];
    });
    folded.getLayer(name).setWeights(w);
    tf.dispose(w);
  }
  const foldedOut = folded.predict(x) as tf.Tensor;
  assert.ok((await maxAbsDiff(foldedOut, a)) < 1e-5, 'the folded model computes the same function');
  const viaCanonizer = await lrp(model, x, { rule: 'epsilon', canonize: true, target: 2 });
  const viaFolded = await lrp(fromLayersModel(folded), x, { rule: 'epsilon', target: 2 });
  const without = await lrp(model, x, { rule: 'epsilon', target: 2 });
  const scale = (await viaFolded.values.abs().max().data())[0];
  assert.ok((await maxAbsDiff(viaCanonizer.values, viaFolded.values)) < 1e-4 * scale);
  assert.ok((await maxAbsDiff(without.values, viaFolded.values)) > 1e-2 * scale, 'without the canonizer the batch norm gets Pass and the result differs');
  tf.dispose([a, b, ruled, foldedOut, x]);
  [viaCanonizer, viaFolded, without].forEach((r) => r.dispose());
  layers.dispose();
  folded.dispose();
});

test('after a throw inside a canonized LRP run, the model and its weights are as before and nothing leaks', async () => {
  await useBackend();
  const layers = bnModel();
  const model = fromLayersModel(layers);
  const x = tf.randomNormal([2, 5, 5, 2], 0, 1, 'float32', 13);
  const reference = await lrp(model, x, { composite: 'epsilon-plus', canonize: true, target: 1 });
  const weightsBefore = layers.getWeights().map((w) => w.dataSync().slice());
  const outBefore = await model.predict(x);
  const before = tf.memory().numTensors;
  const boom: Rule = { name: 'boom', backward: () => { throw new Error('boom'); } };
  await assert.rejects(lrp(model, x, { composite: 'epsilon-plus', canonize: true, layerRules: { fc: boom }, target: 1 }), /boom/);
  assert.equal(tf.memory().numTensors, before, 'no tensors left behind by the failed call');
  const outAfter = await model.predict(x);
  assert.equal(await maxAbsDiff(outAfter, outBefore), 0);
  layers.getWeights().forEach((w, i) => assert.deepEqual(w.dataSync(), weightsBefore[i], `weight ${i} unchanged`));
  const again = await lrp(model, x, { composite: 'epsilon-plus', canonize: true, target: 1 });
  assert.equal(await maxAbsDiff(again.values, reference.values), 0, 'the next canonized call gives the same relevance');
  const plain = await lrp(model, x, { composite: 'epsilon-plus', target: 1 });
  assert.ok((await maxAbsDiff(plain.values, reference.values)) > 1e-4, 'the canonizer is not left applied to the model');
  [reference, again, plain].forEach((r) => r.dispose());
  tf.dispose([outBefore, outAfter, x]);
  layers.dispose();
});
