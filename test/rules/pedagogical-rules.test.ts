import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { datasetFromArrays, datasetFromTensors } from '../../src/core/dataset.js';
import { LumenError } from '../../src/core/errors.js';
import { useBackend } from '../../src/engine/backend.js';
import { loadPenguins, penguinBatch, penguinSplit, penguinStandardization, PENGUIN_CLASSES, PENGUIN_FEATURES, PENGUIN_MEASUREMENTS } from '../../src/data/penguins.js';
import { loadBundledModel } from '../../src/models/bundled.js';
import { fromFunction } from '../../src/models/from-function.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { methodById } from '../../src/methods.js';
import { pedagogicalRules } from '../../src/rules/pedagogical-rules.js';
import { surrogateTree } from '../../src/rules/surrogate-tree.js';
import { rulesText } from '../../src/render/rules-text.js';
import { repoPath } from '../helpers.js';

/** A black box: class 1 exactly when x0 > 0.5 and x1 <= 0.2, as two logits. */
const planted = fromFunction((x) => tf.tidy(() => {
  const [a, b] = tf.split(x, [1, 1, 1], 1);
  const yes = a.greater(0.5).logicalAnd(b.lessEqual(0.2)).cast('float32');
  return tf.concat([yes.mul(-5), yes.mul(5)], 1);
}), { inputShape: [3], outputShape: [2] });

/** Rows on a grid: x0, x1 ∈ {0, 0.1, …, 0.9} and a noise column. */
function gridRows(): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < 10; i++) for (let j = 0; j < 10; j++) out.push([i / 10, j / 10, ((i * 7 + j * 3) % 10) / 10]);
  return out;
}

test('pedagogicalRules recovers a planted threshold function exactly from a black box', async () => {
  await useBackend();
  const before = tf.memory().numTensors;
  const data = datasetFromArrays(gridRows(), { featureNames: ['a', 'b', 'noise'], classNames: ['no', 'yes'] });
  const e = await pedagogicalRules(planted, data, { heldOutFraction: 0.25, seed: 1 });
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  assert.equal(e.kind, 'rules');
  assert.equal(e.fidelity, 1);
  const yes = e.rules.filter((r) => r.outcome === 'yes');
  assert.equal(yes.length, 1);
  const conds = Object.fromEntries(yes[0].conditions.map((c) => [`${c.feature} ${c.op}`, c.value as number]));
  assert.deepEqual(Object.keys(conds).sort(), ['a >', 'b <='], 'only a and b are tested');
  // The cuts fall midway between the grid values around the planted ones (0.5|0.6 and 0.2|0.3).
  assert.ok(Math.abs(conds['a >'] - 0.55) < 1e-6, `a > ${conds['a >']}`);
  assert.ok(Math.abs(conds['b <='] - 0.25) < 1e-6, `b <= ${conds['b <=']}`);
  assert.equal(yes[0].precision, 1);
  assert.equal(yes[0].support, 12, 'a ∈ {0.6 … 0.9} × b ∈ {0 … 0.2}');
  assert.ok(Math.abs(yes[0].coverage - 0.12) < 1e-12);
  assert.ok(e.rules.every((r) => r.precision === 1));
  assert.ok(Math.abs(e.rules.reduce((s, r) => s + r.coverage, 0) - 1) < 1e-12, 'the leaves cover every row once');
  assert.match(rulesText(e), /if a > 0\.55 and b <= 0\.25 then yes/);
});

test('surrogateTree: extra samples are seeded (same seed, same tree) and labelled by the model in one batched call', async () => {
  await useBackend();
  const data = datasetFromArrays(gridRows());
  const a = await surrogateTree(planted, data, { samples: 500, seed: 4 });
  const b = await surrogateTree(planted, data, { samples: 500, seed: 4 });
  const c = await surrogateTree(planted, data, { samples: 500, seed: 5 });
  assert.deepEqual(a.tree, b.tree);
  assert.notDeepEqual(a.tree.threshold, c.tree.threshold);
  assert.equal(a.modelCalls, 1);
  assert.equal(a.tree.nodeSamples[0], 80 + 500, 'the training rows and the extra samples');
  assert.equal(a.heldOutRows, 20);
});

test('on the bundled penguins model: a depth ≤ 4 surrogate with held-out fidelity ≥ 0.95', async () => {
  await useBackend();
  const { model: layers } = await loadBundledModel('penguins');
  const model = fromLayersModel(layers);
  const peng = loadPenguins();
  const split = penguinSplit(peng);
  const stats = penguinStandardization(peng, split.train);
  const kinds = PENGUIN_FEATURES.map((_, c) => (c < PENGUIN_MEASUREMENTS.length ? 'numeric' as const : 'categorical' as const));
  const train = penguinBatch(peng, stats, split.train);
  const held = penguinBatch(peng, stats, split.heldOut);
  try {
    const info = { featureNames: PENGUIN_FEATURES, classNames: PENGUIN_CLASSES, kinds };
    const e = await pedagogicalRules(model, datasetFromTensors(train, undefined, info), { heldOutData: datasetFromTensors(held, undefined, info), maxDepth: 4 });
    assert.ok((e.meta?.depth as number) <= 4);
    assert.ok((e.fidelity as number) >= 0.95, `fidelity ${e.fidelity}`);
    assert.equal(e.meta?.heldOutRows, split.heldOut.length);
    assert.ok(e.rules.every((r) => r.coverage > 0 && r.support !== undefined));
  } finally {
    tf.dispose([train, held]);
    layers.dispose();
  }
});

test('the registry entries return rules and tree explanations; an image dataset is a LumenError', async () => {
  await useBackend();
  const data = datasetFromArrays(gridRows(), { featureNames: ['a', 'b', 'noise'] });
  const entry = methodById('surrogate-tree');
  assert.equal(entry.scope, 'global');
  if (entry.scope !== 'global') return;
  const tree = await entry.run(planted, data, { maxDepth: 2 });
  assert.equal(tree.kind, 'tree');
  assert.equal(tree.kind === 'tree' ? tree.fidelity : undefined, 1);
  assert.ok(Array.isArray(tree.meta?.ccpAlphas));
  const images = datasetFromArrays([new Float32Array(4)], { inputShape: [2, 2, 1] });
  await assert.rejects(pedagogicalRules(planted, images), (e) => e instanceof LumenError && /tabular dataset/.test(e.message));
  await assert.rejects(pedagogicalRules(planted, data, { heldOutFraction: 1 }), (e) => e instanceof LumenError && /heldOutFraction must be in \[0, 1\)/.test(e.message));
});

test('lumen rules --model bundled:penguins prints if-then rules in millimetres, and --json the record', () => {
  const cli = repoPath('dist', 'src', 'cli', 'main.js');
  const text = execFileSync('node', [cli, 'rules', '--model', 'bundled:penguins'], { encoding: 'utf8' });
  assert.match(text, /^\d+ rules \(pedagogical-rules; fidelity to the model [\d.]+% on held-out rows\):/);
  assert.match(text, /1\. if .*(Flipper Length|Beak Length|Beak Depth) (<=|>) \d+(\.\d+)? mm.* then (Adelie|Chinstrap|Gentoo)/);
  const json = JSON.parse(execFileSync('node', [cli, 'rules', '--model', 'bundled:penguins', '--method', 'surrogate-tree', '--json', '--opt', 'maxDepth=2'], { encoding: 'utf8' })) as { kind: string; meta: { depth: number } };
  assert.equal(json.kind, 'tree');
  assert.ok(json.meta.depth <= 2);
  assert.throws(() => execFileSync('node', [cli, 'rules', '--model', 'bundled:penguins', '--method', 'saliency'], { stdio: 'pipe' }), /--method must be one of/);
});
