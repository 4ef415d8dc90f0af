import * as tf from '@tensorflow/tfjs';
const D='/work/wt-honest-tests/dist/';
const { useBackend } = await import(D+'src/engine/backend.js');
const { METRICS } = await import(D+'src/metrics/registry.js');
const { linearModel } = await import(D+'test/toy-models.js');
await useBackend();
const w = [1.5, -2, 0.5, 0, 3, -1, 0, 2.5];
const { model } = linearModel(w.map((v) => [v, -v]));
const x = tf.tensor2d([[0.5, 1, -1, 2, 0.3, 1.5, -0.7, 0.8], [1, -0.5, 0.25, 1, -1, 0.5, 2, -0.2]]);
const a = x.mul(tf.tensor1d(w)); const neg = a.neg();
for (const m of METRICS.filter(m=>m.needs.length===1 && m.needs[0]==='attributions')) {
  const o = { target: 0, seed: 1, baseline: 0, output: 'logit', samples: 20, runs: 20, steps: 8, patchSize: 1, subsetSize: 3 };
  try {
  const p = await m.run(model, x, a, o), q = await m.run(model, x, neg, o);
  const better = m.direction==='higher' ? p.scores.every((v,i)=>v>q.scores[i]) : p.scores.every((v,i)=>v<q.scores[i]);
  console.log(m.id.padEnd(28), m.direction.padEnd(7), better, p.scores.map(v=>v.toPrecision(4)).join(' '), '|', q.scores.map(v=>v.toPrecision(4)).join(' '));
  } catch(e) { console.log(m.id, 'ERR', e.message.slice(0,120)); }
}
