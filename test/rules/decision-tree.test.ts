import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LumenError } from '../../src/core/errors.js';
import { costComplexityPruningPath, pruneTree } from '../../src/rules/cost-complexity-pruning.js';
import { fitDecisionTree, type TreeTrainingData } from '../../src/rules/decision-tree.js';
import { nodeImpurity } from '../../src/rules/impurity.js';
import { treeExplanation, treeDepth, leafCount } from '../../src/rules/tree-explanation.js';
import { applyTree, decisionPath, predictTree } from '../../src/rules/tree-predict.js';

/** Seeded rows in [0, 1) (a small LCG). */
function table(n: number, columns: number, seed = 3): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n * columns }, () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}

function data(values: Float32Array, columns: number, label: (row: Float32Array) => number, classes = 2, extra: Partial<TreeTrainingData> = {}): TreeTrainingData {
  const rows = values.length / columns;
  const labels = Int32Array.from({ length: rows }, (_, r) => label(values.subarray(r * columns, (r + 1) * columns)));
  return { values, rows, columns, labels, classes, ...extra };
}

test('nodeImpurity: gini and entropy (bits) of known class counts', () => {
  assert.equal(nodeImpurity('gini', [5, 5], 0, 2, 10), 0.5);
  assert.equal(nodeImpurity('entropy', [5, 5], 0, 2, 10), 1);
  assert.equal(nodeImpurity('gini', [10, 0], 0, 2, 10), 0);
  assert.ok(Math.abs(nodeImpurity('entropy', [1, 1, 1, 1], 0, 4, 4) - 2) < 1e-15);
});

test('fitDecisionTree recovers a planted threshold at the midpoint of the two values around it', () => {
  // x0 on a grid 0, 0.05, …, 0.95: class 1 exactly when x0 > 0.5, so the cut lies between 0.5 and 0.55.
  const values = Float32Array.from({ length: 20 }, (_, i) => i * 0.05);
  const d = data(values, 1, (r) => Number(r[0] > 0.5));
  const tree = fitDecisionTree(d);
  assert.equal(tree.value.length, 3);
  assert.equal(tree.feature[0], 0);
  assert.equal(tree.threshold[0], Math.fround(0.5) / 2 + Math.fround(0.55) / 2);
  assert.deepEqual(Array.from(predictTree(tree, values)), Array.from(d.labels));
});

test('fitDecisionTree: a two-feature conjunction gives pure leaves; apply, decisionPath and predict agree', () => {
  const values = table(300, 3);
  const d = data(values, 3, (r) => Number(r[0] > 0.6 && r[2] <= 0.3));
  const tree = fitDecisionTree(d, { maxDepth: 2 });
  assert.deepEqual(Array.from(predictTree(tree, values)), Array.from(d.labels));
  assert.deepEqual(new Set([tree.feature[0], tree.feature[tree.childrenRight[0]], tree.feature[tree.childrenLeft[0]]].filter((f) => f >= 0)), new Set([0, 2]));
  const leaves = applyTree(tree, values);
  decisionPath(tree, values).forEach((p, r) => {
    assert.equal(p[0], 0);
    assert.equal(p[p.length - 1], leaves[r]);
  });
  assert.ok(treeDepth(tree) <= 2);
});

test('fitDecisionTree honours maxDepth, minSamplesLeaf, minSamplesSplit and minImpurityDecrease', () => {
  const values = table(200, 4, 11);
  const d = data(values, 4, (r) => Number(r[0] + r[1] > 1) + Number(r[2] > 0.7), 3);
  const deep = fitDecisionTree(d);
  assert.ok(treeDepth(fitDecisionTree(d, { maxDepth: 2 })) <= 2);
  const leafy = fitDecisionTree(d, { minSamplesLeaf: 15 });
  for (let i = 0; i < leafy.value.length; i++) assert.ok(leafy.nodeSamples[i] >= 15);
  const split = fitDecisionTree(d, { minSamplesSplit: 40 });
  for (let i = 0; i < split.value.length; i++) if (split.childrenLeft[i] !== -1) assert.ok(split.nodeSamples[i] >= 40);
  assert.ok(leafCount(fitDecisionTree(d, { minImpurityDecrease: 0.05 })) < leafCount(deep));
  assert.equal(leafCount(fitDecisionTree(d, { minImpurityDecrease: 1 })), 1);
});

test('sample weights of 2 grow the same tree as duplicated rows', () => {
  const values = table(60, 2, 5);
  const label = (r: Float32Array): number => Number(r[0] > r[1]);
  const weights = Float64Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? 2 : 1));
  const dup: number[] = [];
  for (let r = 0; r < 60; r++) for (let k = 0; k < weights[r]; k++) dup.push(values[2 * r], values[2 * r + 1]);
  const a = fitDecisionTree(data(values, 2, label, 2, { weights }), { maxDepth: 3 });
  const b = fitDecisionTree(data(Float32Array.from(dup), 2, label), { maxDepth: 3 });
  assert.deepEqual(a.threshold, b.threshold);
  assert.deepEqual(a.feature, b.feature);
  assert.deepEqual(a.value, b.value);
  assert.deepEqual(a.weightedNodeSamples, b.weightedNodeSamples);
});

test('a categorical column is split by a set of levels', () => {
  // level 0–3; class 1 for levels 1 and 3, which no threshold on the codes separates in one cut.
  const values = Float32Array.from({ length: 80 }, (_, i) => i % 4);
  const d = data(values, 1, (r) => Number(r[0] === 1 || r[0] === 3), 2, { kinds: ['categorical'] });
  const tree = fitDecisionTree(d);
  assert.equal(tree.value.length, 3);
  const left = tree.categories[0];
  assert.ok(left && (JSON.stringify(left) === '[1,3]' || JSON.stringify(left) === '[0,2]'));
  assert.deepEqual(Array.from(predictTree(tree, values)), Array.from(d.labels));
  const e = treeExplanation(tree, { featureNames: ['level'], classNames: ['no', 'yes'] });
  assert.deepEqual(e.root.categories, [...left]);
  assert.equal(e.root.left?.samples, 40);
});

test('the cost-complexity pruning path is monotone and ends at the root; pruning by each α gives its impurity', () => {
  const values = table(250, 3, 17);
  const d = data(values, 3, (r) => (r[0] > 0.5 ? 1 : 0) + (r[1] > 0.3 && r[2] < 0.8 ? 1 : 0), 3);
  const tree = fitDecisionTree(d, { criterion: 'entropy', maxDepth: 5 });
  const path = costComplexityPruningPath(tree);
  assert.equal(path.ccpAlphas[0], 0);
  for (let i = 1; i < path.ccpAlphas.length; i++) {
    assert.ok(path.ccpAlphas[i] >= path.ccpAlphas[i - 1], `alpha ${i} decreases`);
    assert.ok(path.impurities[i] > path.impurities[i - 1] - 1e-12, `impurity ${i} decreases`);
  }
  assert.ok(Math.abs(path.impurities[path.impurities.length - 1] - tree.impurity[0]) < 1e-12);
  let leaves = leafCount(tree);
  path.ccpAlphas.forEach((alpha, i) => {
    const pruned = pruneTree(tree, alpha);
    const r = pruned.childrenLeft.reduce((s, c, k) => (c === -1 ? s + (pruned.impurity[k] * pruned.weightedNodeSamples[k]) / pruned.weightedNodeSamples[0] : s), 0);
    assert.ok(Math.abs(r - path.impurities[i]) < 1e-12, `R(T) at α ${alpha}`);
    assert.ok(leafCount(pruned) <= leaves);
    leaves = leafCount(pruned);
  });
  assert.equal(leafCount(pruneTree(tree, path.ccpAlphas[path.ccpAlphas.length - 1])), 1);
  assert.deepEqual(fitDecisionTree(d, { criterion: 'entropy', maxDepth: 5, ccpAlpha: path.ccpAlphas[2] }), pruneTree(tree, path.ccpAlphas[2]));
});

test('bad rows and options are LumenErrors saying what was expected', () => {
  const good = data(table(10, 2), 2, (r) => Number(r[0] > 0.5));
  const bad = Float32Array.from(good.values);
  bad[3] = Number.NaN;
  assert.throws(() => fitDecisionTree({ ...good, values: bad }), (e) => e instanceof LumenError && /finite; row 1, column 1/.test(e.message));
  assert.throws(() => fitDecisionTree({ ...good, labels: Int32Array.from(good.labels, () => 5) }), (e) => e instanceof LumenError && /class indices in \[0, 1\]/.test(e.message));
  assert.throws(() => fitDecisionTree(good, { maxDepth: 0 }), (e) => e instanceof LumenError && /maxDepth must be a positive integer; found 0/.test(e.message));
  assert.throws(() => fitDecisionTree(good, { criterion: 'log_loss' as 'gini' }), (e) => e instanceof LumenError && /criterion/.test(e.message));
  assert.throws(() => fitDecisionTree(good, { minSamplesSplit: 1 }), LumenError);
  assert.throws(() => pruneTree(fitDecisionTree(good), -1), (e) => e instanceof LumenError && /ccpAlpha/.test(e.message));
});
