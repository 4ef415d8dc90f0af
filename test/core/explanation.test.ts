import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { makeAttribution } from '../../src/core/attribution.js';
import { attributionExplanation, EXPLANATION_KINDS, type Explanation } from '../../src/core/explanation.js';
import { useBackend } from '../../src/engine/backend.js';

test('attributionExplanation makes an Attribution plain: flat values, shape, target, JSON-safe meta; the Attribution stays the caller’s', async () => {
  await useBackend();
  const values = tf.tensor2d([[0.5, -1], [2, 0]]);
  const mask = tf.ones([2]);
  const a = makeAttribution('saliency', values, [1, 0], { delta: [1e-7, Number.NaN], warnings: ['w'], layer: 'fc', mask, fit: { r2: new Float32Array([0.5]) } });
  const e = await attributionExplanation(a, ['x0', 'x1']);
  assert.deepEqual(e, {
    kind: 'attribution',
    method: 'saliency',
    shape: [2, 2],
    values: [0.5, -1, 2, 0],
    target: [1, 0],
    featureNames: ['x0', 'x1'],
    meta: { delta: [1e-7, null], warnings: ['w'], layer: 'fc', fit: { r2: [0.5] } },
  });
  assert.deepEqual(JSON.parse(JSON.stringify(e)), e, 'survives JSON unchanged');
  assert.equal(values.isDisposed, false);
  a.dispose();
  mask.dispose();
});

test('every explanation kind is a plain record that JSON keeps as it is', () => {
  const examples: Explanation[] = [
    { kind: 'attribution', method: 'm', shape: [1, 2], values: [1, 2], target: null },
    { kind: 'rules', method: 'm', rules: [{ conditions: [{ feature: 'age', op: '<=', value: 30 }, { feature: 'colour', op: 'in', value: ['red', 'blue'] }], outcome: 'yes', coverage: 0.4, precision: 0.9 }], fidelity: 0.95 },
    { kind: 'tree', method: 'm', root: { feature: 'age', threshold: 30, samples: 10, value: [0.5, 0.5], left: { samples: 4, value: [1, 0] }, right: { samples: 6, value: [0.2, 0.8] } } },
    { kind: 'curve', method: 'm', xLabel: 'age', yLabel: 'P(yes)', curves: [{ label: 'PD', feature: 'age', x: [20, 40], y: [0.3, 0.6] }, { label: 'ICE 3', example: 3, x: [20, 40], y: [0.1, 0.7] }] },
    { kind: 'examples', method: 'm', examples: [{ index: 12, score: 0.8, query: 0, role: 'proponent' }] },
    { kind: 'concepts', method: 'm', scores: [{ concept: 'stripes', class: 'zebra', layer: 'mixed4c', score: 0.9, pValue: 0.01 }] },
    { kind: 'images', method: 'm', images: [{ label: 'channel 3', shape: [1, 2, 1], data: [0, 1] }] },
    { kind: 'similarity', method: 'm', rows: ['conv1', 'conv2'], columns: ['conv1'], values: [[1], [0.4]] },
    { kind: 'attack', method: 'm', shape: [2], inputs: [0.1, 0.9], originalPredictions: [1], predictions: [0], norms: [0.1] },
    { kind: 'fairness', method: 'm', metrics: ['selection rate'], groups: ['a', 'b'], values: [[0.3, 0.5]] },
  ];
  assert.deepEqual(examples.map((e) => e.kind), [...EXPLANATION_KINDS]);
  for (const e of examples) assert.deepEqual(JSON.parse(JSON.stringify(e)), e, e.kind);
});
