import * as tf from '@tensorflow/tfjs';
const D='/work/wt-honest-tests/dist/';
const { useBackend } = await import(D+'src/engine/backend.js');
const { METRICS } = await import(D+'src/metrics/registry.js');
const { layersModelRandomizer } = await import(D+'src/metrics/model-parameter-randomisation.js');
const { tanhMlp } = await import(D+'test/toy-models.js');
await useBackend();
  const { model, layers } = tanhMlp(11);
  const x = tf.tensor2d([[0.3, -0.2, 1, 0.5], [1, 1, -1, 0], [-0.4, 0.2, 0.1, 0.9]]);
  const masks = tf.tensor2d([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]]);
  for (const m of METRICS) {
    const options = {
      seed: 1, samples: 4, runs: 6, steps: 4, patchSize: 1,
      ...(m.needs.includes('masks') ? { masks } : {}),
      ...(m.needs.includes('randomizer') ? { randomizer: layersModelRandomizer(layers) } : {}),
      ...(m.needs.includes('quadrants') ? { quadrants: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 1]] } : {}),
      ...(m.needs.includes('training') ? { layersModel: layers, train: { x, labels: [0, 1, 2] }, labels: [0, 1, 2], epochs: 1, fractions: [0.5] } : {}),
    };
    const r = await m.run(model, x, 'saliency', options);
    console.log(m.id.padEnd(36), r.scores.map(v=>typeof v==='number'?v.toPrecision(5):v).join('  '));
  }
