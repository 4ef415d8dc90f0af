/**
 * LRP on residual networks (issue 9): every composite has a rule for element-wise sums (Norm:
 * relevance split in proportion to each summand's contribution), so residual models run under
 * every composite; conservation holds on a bias-free residual toy model (αβ aside, by design), and on the real Keras
 * MobileNetV2 from nsfwjs `meta.delta` is exactly Σ R − f_c(x).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { lrp } from '../../../../src/attribution/propagation/lrp/lrp.js';
import { COMPOSITES, type CompositeName } from '../../../../src/attribution/propagation/lrp/composites.js';
import { useBackend } from '../../../../src/engine/backend.js';
import { fromLayersModel } from '../../../../src/models/from-layers-model.js';
import { loadLayersModel } from '../../../../src/models/model-io.js';
import { repoPath } from '../../../helpers.js';

const NAMES = Object.keys(COMPOSITES) as CompositeName[];

/** input → conv(relu) → conv → Add(both) → relu → GAP → dense, no biases: every composite conserves. */
function residualToy(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.randomNormal({ mean: 0, stddev: 0.5, seed });
  const input = tf.input({ shape: [6, 6, 2] });
  const a = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', useBias: false, kernelInitializer: init(1), name: 'conv1' }).apply(input) as tf.SymbolicTensor;
  const b = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(2), name: 'conv2' }).apply(a) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: 'residual' }).apply([a, b]) as tf.SymbolicTensor;
  const act = tf.layers.reLU({ name: 'relu' }).apply(sum) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(act) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, useBias: false, kernelInitializer: init(3), name: 'fc' }).apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

test('LRP on a residual toy model: every composite runs through the Add and conserves relevance', async () => {
  await useBackend();
  const net = residualToy();
  const model = fromLayersModel(net);
  const x = tf.randomUniform([3, 6, 6, 2], 0, 1, 'float32', 9);
  const logits = tf.tidy(() => model.run(x).output.slice([0, 1], [-1, 1]).reshape([-1]).dataSync());
  const before = tf.memory().numTensors;
  for (const composite of NAMES) {
    const r = await lrp(model, x, { target: 1, composite, ...(composite === 'epsilon-gamma-box' ? { low: 0, high: 1 } : {}) });
    const sums = tf.tidy(() => tf.sum(r.values, [1, 2, 3]).dataSync());
    const delta = r.meta.delta as number[];
    for (let i = 0; i < 3; i++) {
      // αβ(2, 1) loses the β share of neurons without negative contributions (z⁻ = 0), as in Zennit: not conservative by design.
      if (!composite.includes('alpha2-beta1')) {
        assert.ok(Math.abs(sums[i] - logits[i]) <= 1e-3 * Math.max(1, Math.abs(logits[i])), `${composite}, example ${i}: Σ R = ${sums[i]}, f_c = ${logits[i]}`);
      }
      assert.ok(Math.abs(delta[i] - (sums[i] - logits[i])) < 1e-5, `${composite}: meta.delta is Σ R − f_c`);
    }
    const gap = delta.some((d, i) => Math.abs(d) > 1e-2 * Math.max(1, Math.abs(logits[i])));
    assert.equal(r.meta.warnings !== undefined, gap, `${composite}: a warning exactly when the gap exceeds the tolerance`);
    r.dispose();
  }
  assert.equal(tf.memory().numTensors, before, 'no tensors leak');
  x.dispose();
  net.dispose();
});

test('LRP on the real Keras MobileNetV2 of nsfwjs (10 residual Adds): every composite runs; meta.delta is Σ R − f_c(x)', async () => {
  await useBackend();
  const net = await loadLayersModel(repoPath('test', 'models', 'npm', 'nsfwjs-mobilenet-v2'));
  const model = fromLayersModel(net);
  assert.equal(model.layers.filter((l) => l.kind === 'Add').length, 10);
  const x = tf.randomUniform([1, 224, 224, 3], 0, 1, 'float32', 4);
  const probability = tf.tidy(() => model.run(x).output.slice([0, 2], [1, 1]).dataSync()[0]);
  for (const composite of NAMES) {
    const r = await lrp(model, x, { target: 2, composite });
    const total = tf.tidy(() => tf.sum(r.values).dataSync()[0]);
    assert.ok(Number.isFinite(total), composite);
    assert.ok(tf.tidy(() => tf.abs(r.values).max().dataSync()[0]) > 0, `${composite}: some relevance reaches the input`);
    const delta = (r.meta.delta as number[])[0];
    assert.ok(Math.abs(delta - (total - probability)) < 1e-4, `${composite}: delta ${delta} vs Σ R − f_c = ${total - probability}`);
    r.dispose();
  }
  x.dispose();
  net.dispose();
});
