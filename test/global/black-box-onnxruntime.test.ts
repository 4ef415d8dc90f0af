import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { datasetFromArrays } from '../../src/core/dataset.js';
import { useBackend } from '../../src/engine/backend.js';
import { accumulatedLocalEffects } from '../../src/global/accumulated-local-effects.js';
import { partialDependence } from '../../src/global/partial-dependence.js';
import { anchorTabular } from '../../src/local-rules/anchor-tabular.js';
import { loadFixture } from '../../src/models/fixture.js';
import { loadOnnxRuntime } from '../../src/models/onnx/load-onnx-runtime.js';
import { repoPath } from '../helpers.js';

// test/fixtures/mlp.onnx is the PyTorch export of test/fixtures/mlp.json's MLP (see test/fixtures/README.md):
// the same curves and anchors must come out of the onnxruntime black box and of the tfjs model.

/** Seeded rows in [-2, 2] (a small LCG). */
function rows(n: number, columns: number, seed = 11): number[][] {
  let s = seed;
  const next = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 4 - 2;
  return Array.from({ length: n }, () => Array.from({ length: columns }, next));
}

function maxGap(a: readonly number[], b: readonly number[]): number {
  assert.equal(a.length, b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

test('PD/ICE, ALE and Anchors run on an onnxruntime: black box and agree with the same MLP in tfjs', async () => {
  await useBackend();
  const fixture = loadFixture(repoPath('test', 'fixtures', 'mlp.json'));
  const ort = await loadOnnxRuntime(repoPath('test', 'fixtures', 'mlp.onnx'));
  try {
    assert.deepEqual([...ort.inputShape], [6]);
    const box = { ...ort, outputKind: fixture.model.outputKind };
    const data = datasetFromArrays(rows(60, 6));
    const pdOrt = await partialDependence(box, data, { features: [2], kind: 'both', gridResolution: 7 });
    const pdTf = await partialDependence(fixture.model, data, { features: [2], kind: 'both', gridResolution: 7 });
    assert.deepEqual(pdOrt.grid, pdTf.grid);
    assert.ok(maxGap(pdOrt.average ?? [], pdTf.average ?? []) < 1e-4, 'PD');
    assert.ok(maxGap(pdOrt.individual ?? [], pdTf.individual ?? []) < 1e-4, 'ICE');
    const spread = Math.max(...(pdTf.average ?? [])) - Math.min(...(pdTf.average ?? []));
    assert.ok(spread > 1e-3, `the curve is not flat (${spread})`);

    const aleOrt = await accumulatedLocalEffects(box, data, { features: [0, 4] });
    const aleTf = await accumulatedLocalEffects(fixture.model, data, { features: [0, 4] });
    assert.equal(aleOrt.curves.length, 2);
    aleOrt.curves.forEach((c, i) => {
      assert.deepEqual(c.grid, aleTf.curves[i].grid);
      assert.ok(maxGap(c.ale, aleTf.curves[i].ale) < 1e-4, `ALE feature ${i}`);
    });

    const x = tf.tensor2d(rows(3, 6, 5));
    const aOrt = await anchorTabular(box, data, x, { seed: 2 });
    const aTf = await anchorTabular(fixture.model, data, x, { seed: 2 });
    x.dispose();
    assert.deepEqual(aOrt.rules, aTf.rules, 'the same labels give the same searches');
  } finally {
    ort.dispose?.();
    fixture.dispose();
  }
});
