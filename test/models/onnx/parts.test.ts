import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { saliency } from '../../../src/attribution/gradient/saliency.js';
import { deconvolution } from '../../../src/attribution/propagation/deconvolution.js';
import { guidedBackprop } from '../../../src/attribution/propagation/guided-backprop.js';
import { LumenError } from '../../../src/core/errors.js';
import { Rng } from '../../../src/core/random.js';
import { GRADIENT_RULE, type Rule, type RuleNode } from '../../../src/core/rules.js';
import { useBackend } from '../../../src/engine/backend.js';
import { vjp } from '../../../src/engine/vjp.js';
import { loadFixture } from '../../../src/models/fixture.js';
import type { GraphNode } from '../../../src/models/graph-types.js';
import { loadOnnx, loadOnnxBytes, type OnnxModel } from '../../../src/models/onnx/load-onnx.js';
import { repoPath } from '../../helpers.js';
import { maxAbsDiff } from '../../toy-models.js';
import { onnxBytes, type TestGraph, type TestTensor } from './build.js';

const allGradient = (): Rule => GRADIENT_RULE;

/** Recomputes the plain gradient from the context a rule receives: proves inputs and forward are right. */
const vjpRule: Rule = { name: 'vjp', backward: (dy, { inputs, forward }) => vjp(forward, inputs, dy) };

/**
 * For linear and batch-norm parts, the gradient of `LinearOp.apply` with copies of the weights (as
 * LRP rules re-run ops with modified weights, here unmodified): equals the plain gradient.
 */
const copiedWeightsRule: Rule = {
  name: 'copied-weights',
  backward: (dy, context) => {
    const linear = context.node.op.linear;
    if (!linear) return vjpRule.backward(dy, context);
    const weights = linear.weights.map((w) => tf.mul(w, 1));
    const bias = linear.bias && tf.mul(linear.bias, 1);
    return vjp(([x]) => linear.apply(x, weights, bias), context.inputs, dy);
  },
};

function describe(n: RuleNode): string {
  return `${n.name}:${n.op.family}${n.op.activation ? `:${n.op.activation}` : ''}${n.op.params && Object.keys(n.op.params).length ? JSON.stringify(n.op.params) : ''}/${n.linearIndex}`;
}

/** Every op family the table gives parts: two conv branches (one depthwise) merged, pools, a transposed conv, dense layers. */
function rulesGraph(rng: Rng): TestGraph {
  const w = (name: string, dims: number[], scale = 0.4): TestTensor => ({ name, dims, data: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rng.normal() * scale) });
  const pos = (name: string, n: number): TestTensor => ({ name, dims: [n], data: Array.from({ length: n }, () => 0.5 + rng.uniform()) });
  return {
    inputs: [{ name: 'x', shape: ['N', 2, 8, 8] }],
    outputs: ['y'],
    initializers: [
      w('w1', [4, 2, 3, 3]), w('b1', [4]), pos('g', 4), w('beta', [4]), w('mean', [4]), pos('var', 4),
      { name: 'lo', dims: [], data: [0] }, { name: 'six', dims: [], data: [6] },
      w('wd', [4, 1, 3, 3]), w('bd', [4]), w('wt', [8, 3, 2, 2]), w('bt', [3]),
      { name: 'pads', dims: [8], data: [0, 0, 1, 1, 0, 0, 1, 1], type: 'int64' },
      w('fc', [5, 3]), w('fcb', [5]), w('head', [5, 4]),
    ],
    nodes: [
      { name: 'conv', op: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c1'], attrs: { pads: [1, 1, 1, 1] } },
      { name: 'bn', op: 'BatchNormalization', inputs: ['c1', 'g', 'beta', 'mean', 'var'], outputs: ['b'], attrs: { epsilon: 1e-3 } },
      { name: 'relu6', op: 'Clip', inputs: ['b', 'lo', 'six'], outputs: ['r'] },
      { name: 'dw', op: 'Conv', inputs: ['r', 'wd', 'bd'], outputs: ['d'], attrs: { group: 4, pads: [1, 1, 1, 1] } },
      { name: 'leaky', op: 'LeakyRelu', inputs: ['d'], outputs: ['l'], attrs: { alpha: 0.2 } },
      { name: 'res', op: 'Add', inputs: ['l', 'r'], outputs: ['s'] },
      { name: 'mp', op: 'MaxPool', inputs: ['s'], outputs: ['m'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
      { name: 'ap', op: 'AveragePool', inputs: ['s'], outputs: ['a'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
      { name: 'cat', op: 'Concat', inputs: ['m', 'a'], outputs: ['c'], attrs: { axis: 1 } },
      { name: 'up', op: 'ConvTranspose', inputs: ['c', 'wt', 'bt'], outputs: ['u'], attrs: { strides: [2, 2] } },
      { name: 'elu', op: 'Elu', inputs: ['u'], outputs: ['e'], attrs: { alpha: 0.5 } },
      { name: 'pad', op: 'Pad', inputs: ['e', 'pads'], outputs: ['p'], attrs: { mode: 'constant' } },
      { name: 'gmp', op: 'GlobalMaxPool', inputs: ['p'], outputs: ['gm'] },
      { name: 'flat', op: 'Flatten', inputs: ['gm'], outputs: ['f'] },
      { name: 'drop', op: 'Dropout', inputs: ['f'], outputs: ['f2'] },
      { name: 'fc', op: 'Gemm', inputs: ['f2', 'fc', 'fcb'], outputs: ['h'], attrs: { transB: 1, alpha: 0.5 } },
      { name: 'tanh', op: 'Tanh', inputs: ['h'], outputs: ['t'] },
      { name: 'head', op: 'MatMul', inputs: ['t', 'head'], outputs: ['z'] },
      { name: 'sm', op: 'Softmax', inputs: ['z'], outputs: ['y'], attrs: { axis: -1 } },
    ],
  };
}

/** Runs `model` under `rules` and without, returning the largest forward and input-gradient differences. */
async function ruledVsPlain(model: OnnxModel, x: tf.Tensor, rule: Rule): Promise<{ forward: number; gradient: number }> {
  const plain = tf.tidy(() => model.run(x).output);
  const ruled = tf.tidy(() => model.run(x, { rules: () => rule }).output);
  const g0 = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(model.run(v).output, tf.range(1, 1 + plain.shape[1]!))))(x);
  const g1 = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(model.run(v, { rules: () => rule }).output, tf.range(1, 1 + plain.shape[1]!))))(x);
  const result = { forward: await maxAbsDiff(ruled, plain), gradient: await maxAbsDiff(g1, g0) };
  tf.dispose([plain, ruled, g0, g1]);
  return result;
}

test('rules see every ONNX op of the table as one part of its family, with linear parts counted', async () => {
  await useBackend();
  const model = loadOnnxBytes(onnxBytes(rulesGraph(new Rng(3))));
  const seen: RuleNode[] = [];
  const x = tf.randomNormal([2, 2, 8, 8], 0, 1, 'float32', 4);
  tf.tidy(() => model.run(x, { rules: (n) => (seen.push(n), GRADIENT_RULE) }).output);
  assert.deepEqual(seen.map(describe), [
    'conv:linear/0',
    'bn:batchnorm/-1',
    'relu6:activation:relu6{"max":6}/-1',
    'dw:linear/1',
    `leaky:activation:leaky-relu{"alpha":${Math.fround(0.2)}}/-1`, // ONNX float attributes are float32
    'res:add/-1',
    'mp:max-pool/-1',
    'ap:avg-pool/-1',
    'cat:concat/-1',
    'up:linear/2',
    'elu:activation:elu{"alpha":0.5}/-1',
    'pad:pad/-1',
    'gmp:global-max-pool/-1',
    'flat:reshape/-1',
    'drop:identity/-1',
    'fc:linear/3',
    'tanh:activation:tanh/-1',
    'head:linear/4',
    'sm:activation:softmax{"axis":1}/-1',
  ]);
  assert.ok(seen.every((n) => n.part === 'whole'));
  x.dispose();
  model.dispose();
});

for (const layout of ['nchw', 'nhwc'] as const) {
  test(`ONNX parts (${layout} input): forward values under GRADIENT_RULE equal the plain run; rules recomputing the gradient give the plain gradient`, async () => {
    await useBackend();
    const model = loadOnnxBytes(onnxBytes(rulesGraph(new Rng(3))), { inputLayout: layout });
    const x = tf.randomNormal([3, ...model.inputShape], 0, 1, 'float32', 5);
    const before = tf.memory().numTensors;
    const exact = await ruledVsPlain(model, x, GRADIENT_RULE);
    assert.equal(exact.forward, 0, 'GRADIENT_RULE parts run the nodes themselves');
    assert.equal(exact.gradient, 0);
    const viaVjp = await ruledVsPlain(model, x, vjpRule);
    assert.equal(viaVjp.forward, 0, 'forward values are unchanged under any rule');
    assert.ok(viaVjp.gradient < 1e-5, `vector-Jacobian rules on every part give the plain gradient (${viaVjp.gradient})`);
    assert.equal(tf.memory().numTensors, before, 'ruled runs leak no tensors');
    const viaWeights = await ruledVsPlain(model, x, copiedWeightsRule);
    assert.ok(viaWeights.gradient < 1e-5, `re-running linear parts with copied weights gives the plain gradient (${viaWeights.gradient})`);
    assert.equal(tf.memory().numTensors, before + 2, 'only the batch-norm scale and shift are kept, in the node (freed with the model)');
    x.dispose();
    model.dispose();
  });
}

/** Checks every linear and batch-norm part of `nodes`: its LinearOp reproduces the node and is linear in its parameters. */
async function checkLinearParts(nodes: readonly GraphNode[], values: ReadonlyMap<string, tf.Tensor>): Promise<number> {
  let checked = 0;
  for (const node of nodes) {
    const linear = node.parts?.[0].op.linear;
    if (!linear) continue;
    checked++;
    const x = values.get(node.inputs[0]) as tf.Tensor;
    const want = tf.tidy(() => node.apply([x]));
    const weights = linear.weights;
    const bias = linear.bias;
    const [own, copies, doubled, noBias, noBiasDoubled] = tf.tidy(() => [
      linear.apply(x, weights, bias),
      // equal weights in other tensors take the path that re-runs the handler without its cache
      linear.apply(x, weights.map((w) => w.clone()), bias && bias.clone()),
      linear.apply(x, weights.map((w) => tf.mul(w, 2)), bias && tf.mul(bias, 2)),
      linear.apply(x, weights, null),
      linear.apply(x, weights.map((w) => tf.mul(w, 2)), null),
    ]);
    assert.equal(await maxAbsDiff(own, want), 0, `${node.name}: apply with its own weights is the node`);
    assert.ok((await maxAbsDiff(copies, want)) < 1e-6, `${node.name}: apply with copied weights is the node`);
    const twice = tf.mul(want, 2);
    const noBiasTwice = tf.mul(noBias, 2);
    const scale = Math.max(1, ...Array.from(await twice.data(), Math.abs));
    assert.ok((await maxAbsDiff(doubled, twice)) < 1e-5 * scale, `${node.name}: doubling weights and bias doubles the output`);
    assert.ok((await maxAbsDiff(noBiasDoubled, noBiasTwice)) < 1e-5 * scale, `${node.name}: without bias the op is linear in its weights`);
    if (bias) assert.ok((await maxAbsDiff(noBias, want)) > 1e-3, `${node.name}: the bias is the op's`);
    tf.dispose([want, own, copies, doubled, noBias, noBiasDoubled, twice, noBiasTwice]);
  }
  return checked;
}

/** Every node's value on `x` (the graph's own execution, for feeding nodes one by one). */
function nodeValues(model: OnnxModel, x: tf.Tensor): Map<string, tf.Tensor> {
  const names = model.layers.map((l) => l.name);
  const values = tf.tidy(() => {
    const { captured } = model.run(x, { capture: names });
    return names.map((n) => captured[n]);
  });
  return new Map<string, tf.Tensor>([['input', x], ...names.map((n, i): [string, tf.Tensor] => [n, values[i]])]);
}

for (const source of ['cnn.onnx', 'bn_cnn.onnx', 'mlp.onnx', 'built']) {
  test(`LinearOp.apply of each linear and batch-norm part (${source}) with the node's own weights equals the node, and is linear in them`, async () => {
    await useBackend();
    const model = source === 'built' ? loadOnnxBytes(onnxBytes(rulesGraph(new Rng(3)))) : await loadOnnx(repoPath('test', 'fixtures', source), { inputLayout: 'nhwc' });
    const before = tf.memory().numTensors;
    const x = tf.randomNormal([2, ...model.inputShape], 0, 1, 'float32', 6);
    const values = nodeValues(model, x);
    const checked = await checkLinearParts(model.program.nodes, values);
    assert.equal(checked, model.program.nodes.filter((n) => ['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'BatchNormalization'].includes(n.kind)).length);
    tf.dispose([...values.values()]);
    const kept = tf.memory().numTensors - before;
    // only batch norm's scale and shift are kept (in the node's cache), two per node, freed with the model
    assert.equal(kept, 2 * model.program.nodes.filter((n) => n.kind === 'BatchNormalization').length);
    const beforeDispose = tf.memory().numTensors;
    model.dispose();
    assert.ok(tf.memory().numTensors < beforeDispose - kept, 'dispose frees the weights and the kept batch-norm factors');
  });
}

for (const name of ['cnn', 'mlp', 'bn_cnn']) {
  test(`guided backprop and deconvnet on ${name}.onnx equal the same methods on the JSON fixture's model (both input layouts)`, async () => {
    await useBackend();
    const fx = loadFixture(repoPath('test', 'fixtures', `${name}.json`));
    const target = [...fx.targets];
    for (const method of [guidedBackprop, deconvolution]) {
      const want = await method(fx.model, fx.inputs, { target });
      const scale = Math.max(...Array.from(await want.values.data(), Math.abs));
      assert.ok(scale > 0);
      for (const layout of ['nhwc', 'nchw'] as const) {
        const model = await loadOnnx(repoPath('test', 'fixtures', `${name}.onnx`), { inputLayout: layout });
        const nchw = layout === 'nchw' && fx.inputs.rank === 4;
        const x = nchw ? tf.transpose(fx.inputs, [0, 3, 1, 2]) : fx.inputs;
        const got = await method(model, x, { target });
        const back = nchw ? tf.transpose(got.values, [0, 2, 3, 1]) : got.values;
        const err = await maxAbsDiff(back, want.values);
        assert.ok(err <= 1e-5 * scale, `${method.name} ${layout}: error ${err} (scale ${scale})`);
        if (nchw) tf.dispose([x, back]);
        got.dispose();
        model.dispose();
      }
      // the ReLU rule matters: the result is not the plain gradient
      const plain = await saliency(fx.model, fx.inputs, { target, mode: 'signed' });
      assert.ok((await maxAbsDiff(plain.values, want.values)) > 1e-3 * scale);
      plain.dispose();
      want.dispose();
    }
    fx.dispose();
  });
}

test('an ONNX op without parts under rules is a LumenError naming the node and its op, before any gradient', async () => {
  await useBackend();
  const graph: TestGraph = {
    inputs: [{ name: 'x', shape: ['N', 3] }],
    outputs: ['y'],
    initializers: [{ name: 'w', dims: [3, 2], data: [1, -1, 0.5, 2, -0.5, 1] }, { name: 'b', dims: [2], data: [0.1, -0.2] }],
    nodes: [
      { name: 'mm', op: 'MatMul', inputs: ['x', 'w'], outputs: ['h'] },
      { name: 'bias', op: 'Add', inputs: ['h', 'b'], outputs: ['hb'] },
      { name: 'square', op: 'Mul', inputs: ['hb', 'hb'], outputs: ['y'] },
    ],
  };
  const model = loadOnnxBytes(onnxBytes(graph));
  assert.equal(model.program.nodes.find((n) => n.name === 'mm')?.parts?.[0].op.family, 'linear');
  const x = tf.ones([2, 3]);
  const before = tf.memory().numTensors;
  assert.throws(
    () => model.run(x, { rules: allGradient }),
    (e: unknown) => e instanceof LumenError && /'bias' \(Add: Lumen cannot apply gradient rules/.test(e.message) && /'square' \(Mul:/.test(e.message) && !/'mm'/.test(e.message),
  );
  await assert.rejects(guidedBackprop(model, x, { target: 0 }), (e: unknown) => e instanceof LumenError && /'square' \(Mul/.test(e.message));
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
  model.dispose();
});

test('Clip parts name the activation their bounds make; other bounds are \'other\', and a Gemm with a negative alpha has no parts', async () => {
  await useBackend();
  const clip = (lo: number, hi: number | null): TestGraph => ({
    inputs: [{ name: 'x', shape: ['N', 3] }],
    outputs: ['y'],
    initializers: [{ name: 'w', dims: [2, 3], data: [1, 2, 3, 4, 5, 6] }, { name: 'lo', dims: [], data: [lo] }, ...(hi === null ? [] : [{ name: 'hi', dims: [], data: [hi] }])],
    nodes: [
      { name: 'fc', op: 'Gemm', inputs: ['x', 'w'], outputs: ['h'], attrs: { transB: 1, alpha: lo === 0 ? 1 : -1 } },
      { name: 'act', op: 'Clip', inputs: ['h', 'lo', hi === null ? '' : 'hi'], outputs: ['y'] },
    ],
  });
  const kinds = [[0, null], [0, 6], [0, 2.5], [-1, 1]].map(([lo, hi]) => {
    const model = loadOnnxBytes(onnxBytes(clip(lo as number, hi)));
    const [fc, act] = model.program.nodes;
    const r = `${fc.parts ? 'linear' : 'none'} ${act.parts?.[0].op.activation}${JSON.stringify(act.parts?.[0].op.params)}`;
    model.dispose();
    return r;
  });
  assert.deepEqual(kinds, ['linear relu{}', 'linear relu6{"max":6}', 'linear clipped-relu{"max":2.5}', 'none other{}']);
});

test('an Add gets parts only when its inputs share the output layout and shape (as a rule for sums expects)', async () => {
  await useBackend();
  const graph: TestGraph = {
    inputs: [{ name: 'x', shape: ['N', 2, 4, 4] }],
    outputs: ['y'],
    initializers: [{ name: 'w', dims: [2, 2, 1, 1], data: [1, -1, 0.5, 2] }],
    nodes: [
      { name: 'conv', op: 'Conv', inputs: ['x', 'w'], outputs: ['c'] },
      { name: 'res', op: 'Add', inputs: ['x', 'c'], outputs: ['r'] },
      { name: 'gap', op: 'GlobalAveragePool', inputs: ['r'], outputs: ['g'] },
      { name: 'broadcast', op: 'Add', inputs: ['r', 'g'], outputs: ['y'] },
    ],
  };
  const families = (layout: 'nchw' | 'nhwc'): string[] => {
    const model = loadOnnxBytes(onnxBytes(graph), { inputLayout: layout });
    const r = model.program.nodes.map((n) => `${n.name}:${n.parts?.[0].op.family ?? 'none'}`);
    model.dispose();
    return r;
  };
  // with an NHWC input the residual's operands are both channels-last; with NCHW the input is not
  assert.deepEqual(families('nhwc'), ['conv:linear', 'res:add', 'gap:global-avg-pool', 'broadcast:none']);
  assert.deepEqual(families('nchw'), ['conv:linear', 'res:none', 'gap:global-avg-pool', 'broadcast:none']);
});
