import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { classGradients } from '../../src/concepts/class-gradients.js';
import { layerActivations } from '../../src/concepts/layer-activations.js';
import { selectRows } from '../../src/concepts/linear-probe.js';
import { tcav, tcavScore } from '../../src/concepts/tcav.js';
import { datasetFromTensors } from '../../src/core/dataset.js';
import { conceptShapes, conceptShapesTensor, type ShapesConcept } from '../../src/data/concept-shapes.js';
import { useBackend } from '../../src/engine/backend.js';
import { loadBundledModel } from '../../src/models/bundled.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';

// Ground truth on bundled:concepts (label 1 = 'striped'; dots an independent distractor).
// What the model does with dots was measured, not assumed: adding dots to an object that was plain,
// with every other draw of the image fixed, RAISES the 'striped' logit (seed 21, 400 images: mean
// +0.9 on ~200 changed images, positive on ~85 %; adding stripes: +12.8, positive on all). So the
// model does use dots, weakly and positively, and TCAV must say so where its CAV captures dots.
test('TCAV on bundled:concepts: stripes significant for "striped", a random concept not; dots as the model really uses them', async () => {
  await useBackend('wasm');
  const { model: lm } = await loadBundledModel('concepts');
  const model = fromLayersModel(lm);
  const made: tf.Tensor[] = [];
  const images = (n: number, seed: number, containing?: ShapesConcept) => {
    const d = conceptShapes(n, { seed, ...(containing ? { containing } : {}) });
    const x = conceptShapesTensor(d);
    const y = tf.tensor1d(d.labels, 'int32');
    made.push(x, y);
    return { d, data: datasetFromTensors(x, y) };
  };
  try {
    // The intervention: same seed with and without forced dots.
    const a = images(200, 21);
    const b = images(200, 21, 'dots');
    const la = (await (await model.predict(made[made.length - 4])).array()) as number[][];
    const lb = (await (await model.predict(made[made.length - 2])).array()) as number[][];
    const changed = [...Array(200).keys()].filter((i) => a.d.images.subarray(i * 3072, (i + 1) * 3072).some((v, k) => v !== b.d.images[i * 3072 + k]));
    const delta = changed.map((i) => lb[i][1] - la[i][1]);
    assert.ok(changed.length > 60, `${changed.length} images changed`);
    const meanDelta = delta.reduce((s, v) => s + v, 0) / delta.length;
    assert.ok(meanDelta > 0.3 && delta.filter((v) => v > 0).length > 0.7 * delta.length, `adding dots changes the striped logit by ${meanDelta} on average`);

    const data = images(200, 10).data;
    const concepts = [
      { name: 'stripes', data: images(50, 11, 'stripes').data },
      { name: 'dots', data: images(50, 12, 'dots').data },
      { name: 'random', data: images(50, 15).data },
    ];
    const random = images(200, 13).data;
    const r = await tcav(model, data, { layer: 'gap', class: 1, concepts, random, runs: 20, seed: 0, correction: 'holm' });
    const [stripes, dots, rand] = r.concepts;
    assert.ok(r.classExamples > 80 && r.classExamples < 120, `${r.classExamples} striped examples`);
    assert.ok(stripes.mean > 0.95 && stripes.significant, `stripes ${stripes.mean}, p ${stripes.pValueCorrected}`);
    assert.ok(!rand.significant, `random concept p ${rand.pValueCorrected}`);
    // At 'gap' (the logits are linear in it) the dots CAV points the way dots move the activations:
    // TCAV agrees with the intervention — dots raise the striped logit — and says so.
    assert.ok(dots.mean > 0.95 && dots.significant, `dots ${dots.mean}, p ${dots.pValueCorrected}`);

    // At relu2 the mean activation change caused by adding dots (paired images) is a direction along
    // which every striped example's logit rises (TCAV score 1), as the intervention says. A CAV
    // learnt from 'containing dots' vs random images there is a poor estimate of it (held-out accuracy
    // ≈ 0.6, cosine to it < 0.5) and comes out with a LOW score: a limitation of CAVs on flattened
    // spatial maps with few examples, documented in src/concepts/README.md, not evidence against dots.
    const acts = await layerActivations(model, a.data, ['relu2']);
    const actsB = await layerActivations(model, b.data, ['relu2']);
    const d = acts.relu2.cols;
    const dir = new Float64Array(d);
    for (let i = 0; i < acts.relu2.data.length; i++) dir[i % d] += actsB.relu2.data[i] - acts.relu2.data[i];
    const g = await classGradients(model, data, 'relu2', 1);
    const labels = conceptShapes(200, { seed: 10 }).labels;
    const striped = selectRows(g, [...labels.keys()].filter((i) => labels[i] === 1));
    assert.ok(tcavScore(striped, dir).score > 0.95);
  } finally {
    tf.dispose(made);
    model.dispose?.();
  }
});
