import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { datasetFromArrays, datasetFromTensors } from '../../src/core/dataset.js';
import { LumenError } from '../../src/core/errors.js';
import { useBackend } from '../../src/engine/backend.js';
import { loadPenguins, penguinBatch, penguinSplit, penguinStandardization, PENGUIN_CLASSES, PENGUIN_FEATURES } from '../../src/data/penguins.js';
import { loadBundledModel } from '../../src/models/bundled.js';
import { fromFunction } from '../../src/models/from-function.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { methodById } from '../../src/methods.js';
import { decompositionalRules, decompositionalRulesExplanation, decideRules } from '../../src/rules/decompositional-rules.js';
import { rulesText } from '../../src/render/rules-text.js';
import { repoPath } from '../helpers.js';

/** Rows on a grid: x0, x1 ∈ {0, 0.1, …, 0.9} and a noise column. */
function gridRows(): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < 10; i++) for (let j = 0; j < 10; j++) out.push([i / 10, j / 10, ((i * 7 + j * 3) % 10) / 10]);
  return out;
}

/**
 * A dense net with a planted rule: hidden layer 1 has steep sigmoid units h0 = σ(60(a − 0.55)),
 * h1 = σ(−60(b − 0.25)) (thresholds a > 0.55, b ≤ 0.25; the noise column has weight 0); hidden
 * layer 2 copies them through a ReLU; the output says 'yes' exactly when both are on.
 */
function plantedNet(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 2, inputShape: [3], activation: 'sigmoid', name: 'thresholds' }));
  m.add(tf.layers.dense({ units: 2, name: 'copy' }));
  m.add(tf.layers.activation({ activation: 'relu', name: 'copy_relu' }));
  m.add(tf.layers.dropout({ rate: 0.5, name: 'drop' }));
  m.add(tf.layers.dense({ units: 2, name: 'logits' }));
  const set = (name: string, kernel: number[][], bias: number[]): void => m.getLayer(name).setWeights([tf.tensor2d(kernel), tf.tensor1d(bias)]);
  set('thresholds', [[60, 0], [0, -60], [0, 0]], [-60 * 0.55, 60 * 0.25]);
  set('copy', [[1, 0], [0, 1]], [0, 0]);
  set('logits', [[0, 10], [0, 10]], [0, -15]);
  return m;
}

test('DeepRED recovers the rule planted in a two-hidden-layer dense net, through every layer, with fidelity 1', async () => {
  await useBackend();
  const net = plantedNet();
  try {
    const model = fromLayersModel(net);
    const data = datasetFromArrays(gridRows(), { featureNames: ['a', 'b', 'noise'], classNames: ['no', 'yes'] });
    const before = tf.memory().numTensors;
    const r = await decompositionalRules(model, data, { heldOutFraction: 0.25, seed: 2 });
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    assert.deepEqual(r.layers, ['thresholds', 'drop'], 'the inputs of the second and third linear layers');
    assert.equal(r.outputTreeFidelity, 1);
    assert.equal(r.fidelity, 1);
    assert.equal(r.trainFidelity, 1);
    assert.equal(r.modelCalls, 2, 'one batched predict and one batched capture pass');
    const e = decompositionalRulesExplanation(r, data);
    const yes = e.rules.filter((x) => x.outcome === 'yes');
    assert.equal(yes.length, 1, rulesText(e));
    const conds = Object.fromEntries(yes[0].conditions.map((c) => [`${c.feature} ${c.op}`, c.value as number]));
    assert.deepEqual(Object.keys(conds).sort(), ['a >', 'b <='], 'only a and b are tested');
    // The input-level cuts fall midway between the grid values around the planted thresholds.
    assert.ok(Math.abs(conds['a >'] - 0.55) < 1e-6, `a > ${conds['a >']}`);
    assert.ok(Math.abs(conds['b <='] - 0.25) < 1e-6, `b <= ${conds['b <=']}`);
    assert.equal(yes[0].precision, 1);
    assert.equal(yes[0].support, 12, 'a ∈ {0.6 … 0.9} × b ∈ {0 … 0.2}');
    assert.ok(e.rules.every((x) => x.precision === 1 || x.support === 0), rulesText(e));
    assert.ok(Math.abs(e.rules.reduce((sum, x) => sum + x.coverage, 0) - 1) < 1e-12, 'each row is decided by one rule');
    const last = e.rules[e.rules.length - 1];
    assert.equal(last.conditions.length, 0, 'the list ends in a default rule');
    assert.match(rulesText(e), /if a > 0\.55 and b <= 0\.25 then yes/);
    // The list decides every row as the planted rule does.
    const rows = gridRows();
    for (let i = 0; i < rows.length; i++) {
      const want = rows[i][0] > 0.55 && rows[i][1] <= 0.25 ? 1 : 0;
      assert.equal(decideRules(r.rules, Float32Array.from(rows[i]), 0, 3), want, `row ${rows[i]}`);
    }
  } finally {
    net.dispose();
  }
});

test('DeepRED refuses black boxes, convolutions and nets without a hidden layer with a LumenError naming what it found', async () => {
  await useBackend();
  const data = datasetFromArrays(gridRows());
  const box = fromFunction((x) => tf.tidy(() => tf.concat([x.sum(1, true), x.sum(1, true).neg()], 1)), { inputShape: [3], outputShape: [2] });
  await assert.rejects(decompositionalRules(box, data), (e) => e instanceof LumenError && /black box.*pedagogical-rules/.test(e.message));
  const conv = tf.sequential({ layers: [tf.layers.conv1d({ filters: 2, kernelSize: 2, inputShape: [3, 1], name: 'c' }), tf.layers.flatten(), tf.layers.dense({ units: 2 })] });
  const flat = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], name: 'only' })] });
  try {
    const images = datasetFromArrays(gridRows().map((r) => Float32Array.from(r)), { inputShape: [3, 1] });
    await assert.rejects(decompositionalRules(fromLayersModel(conv), images), (e) => e instanceof LumenError && /dense network on feature vectors/.test(e.message));
    const convVec = tf.sequential({ layers: [tf.layers.reshape({ targetShape: [3, 1], inputShape: [3] }), tf.layers.conv1d({ filters: 2, kernelSize: 2, name: 'c1' }), tf.layers.flatten(), tf.layers.dense({ units: 2 })] });
    await assert.rejects(decompositionalRules(fromLayersModel(convVec), data), (e) => e instanceof LumenError && /cannot decompose layer '[^']+' of kind 'Reshape'/.test(e.message));
    convVec.dispose();
    await assert.rejects(decompositionalRules(fromLayersModel(flat), data), (e) => e instanceof LumenError && /no hidden layer/.test(e.message));
    const net = plantedNet();
    await assert.rejects(decompositionalRules(fromLayersModel(net), data, { maxConjunctions: 0 }), (e) => e instanceof LumenError && /maxConjunctions must be a positive integer/.test(e.message));
    net.dispose();
  } finally {
    conv.dispose();
    flat.dispose();
  }
});

test('DeepRED on the bundled penguins model (two ReLU layers of 16): fidelity through both layers, via the registry', async () => {
  await useBackend();
  const { model: layers } = await loadBundledModel('penguins');
  const peng = loadPenguins();
  const split = penguinSplit(peng);
  const stats = penguinStandardization(peng, split.train);
  const rows = penguinBatch(peng, stats, [...split.train, ...split.heldOut]);
  try {
    const model = fromLayersModel(layers);
    const data = datasetFromTensors(rows, undefined, { featureNames: PENGUIN_FEATURES, classNames: PENGUIN_CLASSES });
    const entry = methodById('deepred');
    assert.equal(entry.scope, 'global');
    if (entry.scope !== 'global') return;
    const started = Date.now();
    const e = await entry.run(model, data, { seed: 3 });
    assert.equal(e.kind, 'rules');
    if (e.kind !== 'rules') return;
    const meta = e.meta as { layers: string[]; outputTreeFidelity: number; trainFidelity: number; hiddenTrees: number };
    console.log(`deepred penguins: fidelity ${e.fidelity}, train ${meta.trainFidelity}, output tree ${meta.outputTreeFidelity}, ${e.rules.length} rules, ${meta.hiddenTrees} hidden trees, ${Date.now() - started} ms`);
    assert.deepEqual(meta.layers, ['relu1', 'relu2']);
    assert.ok(meta.hiddenTrees > 0);
    assert.ok((e.fidelity as number) >= 0.9, `held-out fidelity ${e.fidelity}`);
    assert.ok(e.rules.every((r) => r.conditions.every((c) => PENGUIN_FEATURES.includes(c.feature))), 'the rules test input features only');
    assert.ok(e.rules.slice(0, -1).every((r) => r.conditions.length > 0));
    assert.ok(Math.abs(e.rules.reduce((sum, r) => sum + r.coverage, 0) - 1) < 1e-12);
    console.log(rulesText(e));
  } finally {
    rows.dispose();
    layers.dispose();
  }
});

test('lumen rules --method deepred --model bundled:penguins prints if-then rules through the hidden layers', () => {
  const cli = repoPath('dist', 'src', 'cli', 'main.js');
  const text = execFileSync('node', [cli, 'rules', '--model', 'bundled:penguins', '--method', 'deepred'], { encoding: 'utf8' });
  assert.match(text, /^\d+ rules \(deepred; fidelity to the model [\d.]+% on held-out rows\):/);
  assert.match(text, /1\. if .* (<=|>) .* then (Adelie|Chinstrap|Gentoo)/);
  assert.match(text, /if always then (Adelie|Chinstrap|Gentoo)/);
});
