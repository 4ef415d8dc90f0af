import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { lrp } from '../../../../src/attribution/propagation/lrp/lrp.js';
import { parseMethodOptions } from '../../../../src/cli/method-options.js';
import { localMethodById } from '../../../../src/methods.js';
import { useBackend } from '../../../../src/engine/backend.js';
import { fromLayersModel } from '../../../../src/models/from-layers-model.js';
import { maxAbsDiff } from '../../../toy-models.js';

const W1 = [[0.8, -1.2, 0.3, 1.1], [-0.5, 0.9, -1.4, 0.2], [1.3, 0.4, 0.7, -0.9]];
const B1 = [0.2, -0.3, 0.1, 0.05];
const W2 = [[1.0, -0.6], [-0.8, 1.2], [0.5, 0.9], [-1.1, 0.3]];
const B2 = [0.1, -0.2];
const EPS = 1e-6;

const pos = (v: number): number => Math.max(v, 0);
const neg = (v: number): number => Math.min(v, 0);
const stab = (z: number): number => z + (z >= 0 ? EPS : -EPS);

/** Textbook αβ for one dense layer, neuron by neuron (Bach et al., 2015, eq. 60). */
function alphaBeta(a: number[], W: number[][], b: number[], R: number[], alpha: number, beta: number): number[] {
  return a.map((ai, i) =>
    R.reduce((sum, Rj, j) => {
      const zp = a.reduce((s, ak, k) => s + pos(ak) * pos(W[k][j]) + neg(ak) * neg(W[k][j]), pos(b[j]));
      const zn = a.reduce((s, ak, k) => s + pos(ak) * neg(W[k][j]) + neg(ak) * pos(W[k][j]), neg(b[j]));
      const p = pos(ai) * pos(W[i][j]) + neg(ai) * neg(W[i][j]);
      const n = pos(ai) * neg(W[i][j]) + neg(ai) * pos(W[i][j]);
      return sum + (alpha * p * Rj) / stab(zp) - (beta * n * Rj) / stab(zn);
    }, 0));
}

/** Textbook zᴮ for one dense layer (Montavon et al., 2017). */
function zBox(x: number[], W: number[][], R: number[], low: number, high: number): number[] {
  const term = (i: number, j: number): number => x[i] * W[i][j] - low * pos(W[i][j]) - high * neg(W[i][j]);
  return x.map((_, i) => R.reduce((sum, Rj, j) => sum + (term(i, j) * Rj) / stab(x.reduce((s, __, k) => s + term(k, j), 0)), 0));
}

function mlp(): tf.LayersModel {
  const m = tf.sequential();
  const d1 = tf.layers.dense({ units: 4, inputShape: [3], activation: 'relu', name: 'fc1' });
  const d2 = tf.layers.dense({ units: 2, name: 'fc2' });
  m.add(d1);
  m.add(d2);
  d1.setWeights([tf.tensor2d(W1), tf.tensor1d(B1)]);
  d2.setWeights([tf.tensor2d(W2), tf.tensor1d(B2)]);
  return m;
}

test('lrp with a zᴮ first layer and αβ(1.5, 0.5) elsewhere equals the neuron-by-neuron textbook formulas', async () => {
  await useBackend();
  const layers = mlp();
  const model = fromLayersModel(layers);
  const xs = [[0.5, -1.0, 1.5], [-1.2, 0.3, 0.8]];
  const targets = [0, 1];
  const x = tf.tensor2d(xs);
  const r = await lrp(model, x, { rule: 'alpha-beta', alpha: 1.5, beta: 0.5, firstLayerRule: 'z-box', low: -2, high: 2, target: targets });
  const expected = xs.map((row, e) => {
    const h = [0, 1, 2, 3].map((j) => pos(row.reduce((s, v, i) => s + v * W1[i][j], B1[j])));
    const out = [0, 1].map((c) => h.reduce((s, v, j) => s + v * W2[j][c], B2[c]));
    const R2 = [0, 1].map((c) => (c === targets[e] ? out[c] : 0));
    const Rh = alphaBeta(h, W2, B2, R2, 1.5, 0.5);
    return zBox(row, W1, Rh, -2, 2);
  });
  const scale = Math.max(...expected.flat().map(Math.abs));
  assert.ok(scale > 0.05);
  assert.ok((await maxAbsDiff(r.values, expected.flat())) < 1e-5 * Math.max(1, scale), `${await r.values.array()} vs ${expected}`);
  r.dispose();
  x.dispose();
  layers.dispose();
});

test("lumen explain's --opt values reach lrp typed: parseMethodOptions(lrp, ['rule=gamma', 'gamma=0.5', 'canonize=true']) then the registry's run", async () => {
  await useBackend();
  const layers = mlp();
  const model = fromLayersModel(layers);
  const x = tf.tensor2d([[1.0, 0.7, -0.4]]);
  const entry = localMethodById('lrp');
  const parsed = parseMethodOptions(entry, ['rule=gamma', 'gamma=0.5', 'canonize=true']);
  assert.deepEqual(parsed, { rule: 'gamma', gamma: 0.5, canonize: true });
  const viaRegistry = await entry.run(model, x, { ...parsed, target: 1 });
  const direct = await lrp(model, x, { rule: 'gamma', gamma: 0.5, target: 1 });
  const other = await lrp(model, x, { rule: 'gamma', gamma: 0.25, target: 1 });
  assert.equal(await maxAbsDiff(viaRegistry.values, direct.values), 0);
  assert.ok((await maxAbsDiff(other.values, direct.values)) > 1e-4, 'γ is read from the options');
  [viaRegistry, direct, other].forEach((a) => a.dispose());
  x.dispose();
  layers.dispose();
});
