import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { LumenError } from '../../src/core/errors.js';
import { GRADIENT_RULE, type Rule, type RuleNode } from '../../src/core/rules.js';
import { useBackend } from '../../src/engine/backend.js';
import { vjp } from '../../src/engine/vjp.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { maxAbsDiff } from '../toy-models.js';

function seeded(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

/** Conv (fused ReLU) → BN → ReLU6 → separable conv → max pool → flatten → dense (fused tanh) → dense. */
function mixedModel(): tf.LayersModel {
  const m = tf.sequential({ name: 'mixed' });
  m.add(tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [6, 6, 2], name: 'conv', kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }), biasInitializer: tf.initializers.randomNormal({ seed: 2 }) }));
  m.add(tf.layers.batchNormalization({ name: 'bn', gammaInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: 3 }), betaInitializer: tf.initializers.randomNormal({ seed: 4 }), movingMeanInitializer: tf.initializers.randomNormal({ seed: 5 }), movingVarianceInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 2, seed: 6 }) }));
  m.add(tf.layers.reLU({ maxValue: 6, name: 'relu6' }));
  m.add(tf.layers.separableConv2d({ filters: 3, kernelSize: 3, name: 'sep', depthwiseInitializer: tf.initializers.glorotNormal({ seed: 7 }), pointwiseInitializer: tf.initializers.glorotNormal({ seed: 8 }), biasInitializer: tf.initializers.randomNormal({ seed: 9 }) }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }));
  m.add(tf.layers.flatten({ name: 'flat' }));
  m.add(tf.layers.dense({ units: 5, activation: 'tanh', name: 'fc1', kernelInitializer: tf.initializers.glorotNormal({ seed: 10 }) }));
  m.add(tf.layers.dense({ units: 3, name: 'fc2', kernelInitializer: tf.initializers.glorotNormal({ seed: 11 }) }));
  return m;
}

const allGradient = (): Rule => GRADIENT_RULE;

/** A rule that recomputes the plain gradient as a vector-Jacobian product: proves the context is right. */
const vjpRule: Rule = {
  name: 'vjp',
  backward: (dy, { inputs, forward }) => vjp(forward, inputs, dy),
};

test('under rules, forward values are unchanged, and rules that recompute the gradient give the plain gradient', async () => {
  await useBackend();
  const layers = mixedModel();
  const model = fromLayersModel(layers);
  const x = seeded([2, 6, 6, 2], 12);
  const plain = layers.predict(x) as tf.Tensor;
  const ruled = tf.tidy(() => model.run(x, { rules: allGradient }).output);
  assert.ok((await maxAbsDiff(ruled, plain)) < 1e-5);
  const g0 = tf.grad((v: tf.Tensor) => tf.sum(model.run(v).output.slice([0, 1], [-1, 1])))(x);
  const g1 = tf.grad((v: tf.Tensor) => tf.sum(model.run(v, { rules: allGradient }).output.slice([0, 1], [-1, 1])))(x);
  assert.ok((await maxAbsDiff(g1, g0)) < 1e-5, 'GRADIENT_RULE everywhere is the plain gradient');
  tf.dispose([ruled, plain, g0, g1, x]);
  layers.dispose();
});

test('rules see every part: fused activations and separable convolutions are split, linear parts are counted', async () => {
  await useBackend();
  const layers = mixedModel();
  const model = fromLayersModel(layers);
  const seen: RuleNode[] = [];
  const x = seeded([1, 6, 6, 2], 13);
  tf.tidy(() => model.run(x, { rules: (n) => (seen.push(n), GRADIENT_RULE) }).output);
  const described = seen.map((n) => `${n.name}/${n.part}/${n.op.family}${n.op.activation ? `:${n.op.activation}` : ''}/${n.linearIndex}`);
  assert.deepEqual(described, [
    'conv/linear/linear/0',
    'conv/activation/activation:relu/-1',
    'bn/whole/batchnorm/-1',
    'relu6/whole/activation:relu6/-1',
    'sep/linear/linear/1',
    'sep/linear/linear/2',
    'pool/whole/max-pool/-1',
    'flat/whole/reshape/-1',
    'fc1/linear/linear/3',
    'fc1/activation/activation:tanh/-1',
    'fc2/whole/linear/4',
  ]);
  // the parts' own forward functions, run as vector-Jacobian rules, give the plain gradient back
  const g0 = tf.grad((v: tf.Tensor) => tf.sum(model.run(v).output))(x);
  const g1 = tf.grad((v: tf.Tensor) => tf.sum(model.run(v, { rules: () => vjpRule }).output))(x);
  assert.ok((await maxAbsDiff(g1, g0)) < 1e-5);
  tf.dispose([x, g0, g1]);
  layers.dispose();
});

test('a part without a rule is a LumenError naming the layer and its kind, before any gradient', async () => {
  await useBackend();
  const layers = mixedModel();
  const model = fromLayersModel(layers);
  const x = seeded([1, 6, 6, 2], 14);
  const before = tf.memory().numTensors;
  assert.throws(
    () => model.run(x, { rules: (n) => (n.op.family === 'max-pool' ? null : GRADIENT_RULE) }),
    (e: unknown) => e instanceof LumenError && /'pool' \(MaxPooling2D/.test(e.message),
  );
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
  layers.dispose();
});

test('a layer kind the engine cannot split fails by name (never a silent plain gradient)', async () => {
  await useBackend();
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 4, inputShape: [3], name: 'fc' }));
  m.add(tf.layers.layerNormalization({ name: 'norm' }));
  const model = fromLayersModel(m);
  const x = tf.ones([1, 3]);
  assert.throws(() => model.run(x, { rules: allGradient }), (e: unknown) => e instanceof LumenError && /'norm' \(LayerNormalization/.test(e.message));
  x.dispose();
  m.dispose();
});

test('a functional model calling one activation layer twice is one node per call, and rules apply to both', async () => {
  await useBackend();
  const input = tf.input({ shape: [4] });
  const act = tf.layers.reLU({ name: 'act' });
  const h1 = act.apply(tf.layers.dense({ units: 4, name: 'd1', kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }) }).apply(input)) as tf.SymbolicTensor;
  const h2 = act.apply(tf.layers.dense({ units: 4, name: 'd2', kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }) }).apply(h1)) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: 'res' }).apply([h2, h1]) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, name: 'out', kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }) }).apply(sum) as tf.SymbolicTensor;
  const layers = tf.model({ inputs: input, outputs: out });
  const model = fromLayersModel(layers);
  assert.deepEqual(model.layers.map((l) => l.name), ['d1', 'act', 'd2', 'act:1', 'res', 'out']);
  const x = seeded([3, 4], 15);
  const y = await model.predict(x);
  const ref = layers.predict(x) as tf.Tensor;
  assert.ok((await maxAbsDiff(y, ref)) < 1e-6);
  const calls: string[] = [];
  tf.tidy(() => tf.grad((v: tf.Tensor) => tf.sum(model.run(v, { rules: (n) => (n.op.family === 'activation' ? { name: 'spy', backward: (dy, c) => (calls.push(c.node.name), [tf.mul(dy, tf.step(c.inputs[0]))]) } : GRADIENT_RULE) }).output))(x));
  assert.deepEqual(calls.sort(), ['act', 'act:1']);
  tf.dispose([x, y, ref]);
  layers.dispose();
});

/** A functional model with every layer kind the rule engine supports, activations both as layers and as options. */
function everyKindModel(): tf.LayersModel {
  let seed = 20;
  const init = () => ({
    kernelInitializer: tf.initializers.glorotNormal({ seed: seed++ }),
    biasInitializer: tf.initializers.randomNormal({ seed: seed++, stddev: 0.1 }),
  });
  const input = tf.input({ shape: [8, 8, 2] });
  const padded = tf.layers.zeroPadding2d({ padding: 1, name: 'pad' }).apply(input) as tf.SymbolicTensor;
  const c1 = tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'elu', name: 'conv', ...init() }).apply(padded) as tf.SymbolicTensor;
  const bn = tf.layers.batchNormalization({ name: 'bn', movingMeanInitializer: tf.initializers.randomNormal({ seed: seed++ }), movingVarianceInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 2, seed: seed++ }) }).apply(c1) as tf.SymbolicTensor;
  const r6 = tf.layers.reLU({ maxValue: 6, name: 'relu6' }).apply(bn) as tf.SymbolicTensor;
  const dw = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', activation: 'relu6', name: 'dw', depthwiseInitializer: tf.initializers.glorotNormal({ seed: seed++ }) }).apply(r6) as tf.SymbolicTensor;
  const sep = tf.layers.separableConv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'sigmoid', name: 'sep', depthwiseInitializer: tf.initializers.glorotNormal({ seed: seed++ }), pointwiseInitializer: tf.initializers.glorotNormal({ seed: seed++ }) }).apply(dw) as tf.SymbolicTensor;
  const added = tf.layers.add({ name: 'add' }).apply([sep, r6]) as tf.SymbolicTensor;
  const leaky = tf.layers.leakyReLU({ alpha: 0.2, name: 'leaky' }).apply(added) as tf.SymbolicTensor;
  const maxed = tf.layers.maxPooling2d({ poolSize: 2, name: 'maxpool' }).apply(leaky) as tf.SymbolicTensor;
  const avged = tf.layers.averagePooling2d({ poolSize: 2, name: 'avgpool' }).apply(leaky) as tf.SymbolicTensor;
  const gap = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(maxed) as tf.SymbolicTensor;
  const gmp = tf.layers.globalMaxPooling2d({ name: 'gmp' }).apply(avged) as tf.SymbolicTensor;
  const flat = tf.layers.flatten({ name: 'flat' }).apply(avged) as tf.SymbolicTensor;
  const merged = tf.layers.concatenate({ name: 'concat' }).apply([gap, gmp, flat]) as tf.SymbolicTensor;
  const dropped = tf.layers.dropout({ rate: 0.5, name: 'dropout' }).apply(merged) as tf.SymbolicTensor;
  const d1 = tf.layers.dense({ units: 6, activation: 'tanh', name: 'fc1', ...init() }).apply(dropped) as tf.SymbolicTensor;
  const reshaped = tf.layers.reshape({ targetShape: [2, 3], name: 'reshape' }).apply(d1) as tf.SymbolicTensor;
  const flat2 = tf.layers.flatten({ name: 'flat2' }).apply(reshaped) as tf.SymbolicTensor;
  const relu = tf.layers.reLU({ name: 'relu' }).apply(flat2) as tf.SymbolicTensor;
  const d2 = tf.layers.dense({ units: 5, name: 'fc2', ...init() }).apply(relu) as tf.SymbolicTensor;
  const out = tf.layers.softmax({ name: 'softmax' }).apply(d2) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

test('every supported layer kind runs part by part: same outputs, and vjp rules everywhere give the plain gradient', async () => {
  await useBackend();
  const layers = everyKindModel();
  const model = fromLayersModel(layers);
  const x = seeded([2, 8, 8, 2], 40);
  const kinds = new Set<string>();
  const ruled = tf.tidy(() => model.run(x, { rules: (n) => (kinds.add(n.kind), vjpRule) }).output);
  const plain = layers.predict(x) as tf.Tensor;
  assert.ok((await maxAbsDiff(ruled, plain)) < 1e-5);
  for (const k of ['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'MaxPooling2D', 'AveragePooling2D', 'GlobalAveragePooling2D', 'GlobalMaxPooling2D', 'BatchNormalization', 'Add', 'Concatenate', 'Flatten', 'Reshape', 'ZeroPadding2D', 'Dropout', 'ReLU', 'LeakyReLU', 'Softmax', 'Dense']) {
    assert.ok(kinds.has(k), `rules saw ${k}`);
  }
  const select = (y: tf.Tensor): tf.Tensor => tf.sum(y.slice([0, 2], [-1, 1]));
  const g0 = tf.grad((v: tf.Tensor) => select(model.run(v).output))(x);
  const g1 = tf.grad((v: tf.Tensor) => select(model.run(v, { rules: () => vjpRule }).output))(x);
  assert.ok((await maxAbsDiff(g1, g0)) < 1e-5);
  tf.dispose([x, ruled, plain, g0, g1]);
  layers.dispose();
});

test('a rule on a part that returns its own input (dropout at inference) still receives and passes its signal', async () => {
  await useBackend();
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 3, inputShape: [2], name: 'fc1', kernelInitializer: tf.initializers.glorotNormal({ seed: 50 }) }));
  m.add(tf.layers.dropout({ rate: 0.5, name: 'drop' }));
  m.add(tf.layers.dense({ units: 2, name: 'fc2', kernelInitializer: tf.initializers.glorotNormal({ seed: 51 }) }));
  const model = fromLayersModel(m);
  const x = seeded([2, 2], 52);
  const pass: Rule = { name: 'pass', backward: (dy) => [dy.clone()] };
  const g0 = tf.grad((v: tf.Tensor) => tf.sum(model.run(v).output))(x);
  const g1 = tf.grad((v: tf.Tensor) => tf.sum(model.run(v, { rules: (n) => (n.op.family === 'identity' ? pass : GRADIENT_RULE) }).output))(x);
  assert.ok((await maxAbsDiff(g1, g0)) < 1e-6);
  tf.dispose([x, g0, g1]);
  m.dispose();
});
