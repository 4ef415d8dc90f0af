/**
 * Trains the bundled models, reproducibly (seeded initialisers, seeded shuffling, cpu backend):
 *   node dist/scripts/train.js [mnist|penguins]     (npm run train -- mnist; no argument: both)
 * and writes models/<name>/{model.json, weights.bin, meta.json}. The outputs are logits; the loss
 * is softmax cross-entropy from logits, so attributions explain logits (as Captum does by default).
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '../src/data/io.js';
import { loadMnist, mnistBatch, mnistLabels, mnistSplit, MNIST_CLASSES, MNIST_SIZE, MNIST_SPLIT_SEED } from '../src/data/mnist.js';
import {
  loadPenguins, penguinBatch, penguinLabels, penguinSplit, penguinStandardization,
  PENGUIN_CLASSES, PENGUIN_FEATURES, PENGUIN_SPLIT_SEED,
} from '../src/data/penguins.js';
import { bundledModelDir, type BundledMeta, type BundledName } from '../src/models/bundled.js';
import { saveLayersModel } from '../src/models/model-io.js';
import { fitClassifier } from '../src/training/fit-classifier.js';

const SEED = 1337;

interface Plan {
  readonly model: tf.LayersModel;
  /** The training forward pass (logits); defaults to model.apply. */
  readonly forward?: (x: tf.Tensor) => tf.Tensor;
  readonly xTrain: tf.Tensor;
  readonly yTrain: Int32Array;
  readonly xHeld: tf.Tensor;
  readonly yHeld: Int32Array;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly classes: number;
  readonly target: number;
}

/** Seeded initialisers: layer k gets seed SEED + k. */
function init(k: number) {
  return { kernelInitializer: tf.initializers.glorotUniform({ seed: SEED + k }), biasInitializer: 'zeros' as const };
}

function mnistCnn(): tf.LayersModel {
  const m = tf.sequential({ name: 'mnist_cnn' });
  m.add(tf.layers.conv2d({ name: 'conv1', inputShape: [MNIST_SIZE, MNIST_SIZE, 1], filters: 8, kernelSize: 3, ...init(1) }));
  m.add(tf.layers.activation({ name: 'relu1', activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }));
  m.add(tf.layers.conv2d({ name: 'conv2', filters: 16, kernelSize: 3, ...init(2) }));
  m.add(tf.layers.activation({ name: 'relu2', activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }));
  m.add(tf.layers.flatten({ name: 'flatten' }));
  m.add(tf.layers.dense({ name: 'dense1', units: 64, ...init(3) }));
  m.add(tf.layers.activation({ name: 'relu3', activation: 'relu' }));
  m.add(tf.layers.dense({ name: 'logits', units: 10, ...init(4) }));
  return m;
}

/*
 * The cpu backend's convolution filter gradient (Conv2DBackpropFilter) takes seconds per batch, and
 * wasm has none, so the CNN trains through this forward pass: the same network, with convolution and
 * 2×2 max pooling as plain-JS kernels with their own gradients (tf.customGrad), on the model's own
 * variables. checkCnnForward asserts it matches model.predict before training; the accuracy printed
 * and stored is model.predict's (tfjs' own kernels).
 */

type Shape4 = [number, number, number, number];

/** Valid 3×3 (any k) convolution, stride 1, NHWC, kernel [kh, kw, in, out], plus bias. */
const jsConv2d = tf.customGrad(((x: tf.Tensor4D, k: tf.Tensor4D, b: tf.Tensor1D) => {
  const [n, h, w, ci] = x.shape as Shape4;
  const [kh, kw, , co] = k.shape as Shape4;
  const oh = h - kh + 1;
  const ow = w - kw + 1;
  const X = x.dataSync();
  const K = k.dataSync();
  const B = b.dataSync();
  const out = new Float32Array(n * oh * ow * co);
  for (let i = 0; i < n; i++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const ob = ((i * oh + oy) * ow + ox) * co;
        for (let o = 0; o < co; o++) out[ob + o] = B[o];
        for (let ky = 0; ky < kh; ky++) {
          for (let kx = 0; kx < kw; kx++) {
            const xb = ((i * h + oy + ky) * w + ox + kx) * ci;
            const kb = (ky * kw + kx) * ci * co;
            for (let c = 0; c < ci; c++) {
              const xv = X[xb + c];
              if (xv === 0) continue;
              const kc = kb + c * co;
              for (let o = 0; o < co; o++) out[ob + o] += xv * K[kc + o];
            }
          }
        }
      }
    }
  }
  const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
    const D = dy.dataSync();
    const dX = new Float32Array(X.length);
    const dK = new Float32Array(K.length);
    const dB = new Float32Array(co);
    for (let i = 0; i < n; i++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          const ob = ((i * oh + oy) * ow + ox) * co;
          for (let o = 0; o < co; o++) dB[o] += D[ob + o];
          for (let ky = 0; ky < kh; ky++) {
            for (let kx = 0; kx < kw; kx++) {
              const xb = ((i * h + oy + ky) * w + ox + kx) * ci;
              const kb = (ky * kw + kx) * ci * co;
              for (let c = 0; c < ci; c++) {
                const xv = X[xb + c];
                const kc = kb + c * co;
                let g = 0;
                for (let o = 0; o < co; o++) {
                  const d = D[ob + o];
                  g += K[kc + o] * d;
                  dK[kc + o] += xv * d;
                }
                dX[xb + c] += g;
              }
            }
          }
        }
      }
    }
    return [tf.tensor4d(dX, x.shape as Shape4), tf.tensor4d(dK, k.shape as Shape4), tf.tensor1d(dB)];
  };
  return { value: tf.tensor4d(out, [n, oh, ow, co]), gradFunc };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor, k: tf.Tensor, b: tf.Tensor) => tf.Tensor4D;

/** 2×2 max pooling, stride 2, valid padding (odd edges dropped), NHWC. */
const jsMaxPool2 = tf.customGrad(((x: tf.Tensor4D) => {
  const [n, h, w, c] = x.shape as Shape4;
  const oh = Math.floor(h / 2);
  const ow = Math.floor(w / 2);
  const X = x.dataSync();
  const out = new Float32Array(n * oh * ow * c);
  const arg = new Int32Array(out.length);
  for (let i = 0; i < n; i++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity;
          let at = 0;
          for (let dy = 0; dy < 2; dy++) {
            for (let dx = 0; dx < 2; dx++) {
              const k = ((i * h + 2 * oy + dy) * w + 2 * ox + dx) * c + ch;
              if (X[k] > best) {
                best = X[k];
                at = k;
              }
            }
          }
          const o = ((i * oh + oy) * ow + ox) * c + ch;
          out[o] = best;
          arg[o] = at;
        }
      }
    }
  }
  const gradFunc = (dy: tf.Tensor): tf.Tensor => {
    const D = dy.dataSync();
    const dX = new Float32Array(X.length);
    for (let o = 0; o < D.length; o++) dX[arg[o]] += D[o];
    return tf.tensor4d(dX, x.shape as Shape4);
  };
  return { value: tf.tensor4d(out, [n, oh, ow, c]), gradFunc };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor4D;

/** The CNN's forward pass on its own variables with the JS convolution and pooling kernels. */
function cnnForward(model: tf.LayersModel): (x: tf.Tensor) => tf.Tensor {
  const vars = (name: string): tf.Tensor[] => model.getLayer(name).trainableWeights.map((w) => w.read());
  const [k1, b1] = vars('conv1');
  const [k2, b2] = vars('conv2');
  const [d1, c1] = vars('dense1');
  const [d2, c2] = vars('logits');
  return (x) => {
    let h: tf.Tensor = jsMaxPool2(tf.relu(jsConv2d(x, k1, b1)));
    h = jsMaxPool2(tf.relu(jsConv2d(h, k2, b2)));
    const flat = tf.reshape(h, [x.shape[0], -1]);
    return tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(flat, d1), c1)), d2), c2);
  };
}

/** Asserts that the training forward pass computes what the saved model computes. */
function checkCnnForward(model: tf.LayersModel, x: tf.Tensor): void {
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(cnnForward(model)(x), model.predict(x) as tf.Tensor))).dataSync()[0]);
  if (!(diff < 1e-4)) throw new Error(`train: the JS training forward pass differs from model.predict by ${diff}`);
  x.dispose();
}

function penguinMlp(features: number): tf.LayersModel {
  const m = tf.sequential({ name: 'penguins_mlp' });
  m.add(tf.layers.dense({ name: 'dense1', inputShape: [features], units: 16, ...init(11) }));
  m.add(tf.layers.activation({ name: 'relu1', activation: 'relu' }));
  m.add(tf.layers.dense({ name: 'dense2', units: 16, ...init(12) }));
  m.add(tf.layers.activation({ name: 'relu2', activation: 'relu' }));
  m.add(tf.layers.dense({ name: 'logits', units: 3, ...init(13) }));
  return m;
}

function accuracy(model: tf.LayersModel, x: tf.Tensor, y: Int32Array): number {
  const pred = tf.tidy(() => (model.predict(x, { batchSize: 500 }) as tf.Tensor).argMax(-1).dataSync());
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) ok++;
  return ok / y.length;
}

/** Trains with Lumen's shared loop (src/training/fit-classifier.ts): Adam, seeded shuffles, held-out accuracy logged. */
async function fit(plan: Plan, label: string): Promise<void> {
  const { model, epochs } = plan;
  await fitClassifier(model, plan.xTrain, plan.yTrain, {
    epochs, batchSize: plan.batchSize, learningRate: plan.learningRate, seed: SEED, classes: plan.classes, forward: plan.forward,
    onEpoch: (epoch, loss) => {
      if (epoch === epochs || epochs <= 10 || epoch % 5 === 0) console.log(`${label} epoch ${epoch}/${epochs}: loss ${loss.toFixed(4)}, held-out accuracy ${accuracy(model, plan.xHeld, plan.yHeld).toFixed(4)}`);
    },
  });
}

async function train(name: BundledName): Promise<void> {
  const t0 = performance.now();
  let plan: Plan;
  let extra: Partial<BundledMeta>;
  let description: string;
  let splitSeed: number;
  if (name === 'mnist') {
    const data = loadMnist();
    const split = mnistSplit(data);
    const cnn = mnistCnn();
    checkCnnForward(cnn, mnistBatch(data, split.heldOut.subarray(0, 8)));
    plan = {
      model: cnn, forward: cnnForward(cnn), xTrain: mnistBatch(data, split.train), yTrain: mnistLabels(data, split.train),
      xHeld: mnistBatch(data, split.heldOut), yHeld: mnistLabels(data, split.heldOut),
      epochs: 8, batchSize: 64, learningRate: 0.002, classes: 10, target: 0.97,
    };
    extra = { inputShape: [MNIST_SIZE, MNIST_SIZE, 1], classNames: [...MNIST_CLASSES] };
    description = 'Small CNN on the 10,000 digits of the mnist npm package; input [28,28,1] grey levels in [0,1]';
    splitSeed = MNIST_SPLIT_SEED;
  } else {
    const data = loadPenguins();
    const split = penguinSplit(data);
    const stats = penguinStandardization(data, split.train);
    plan = {
      model: penguinMlp(PENGUIN_FEATURES.length),
      xTrain: penguinBatch(data, stats, split.train), yTrain: penguinLabels(data, split.train),
      xHeld: penguinBatch(data, stats, split.heldOut), yHeld: penguinLabels(data, split.heldOut),
      epochs: 30, batchSize: 16, learningRate: 0.005, classes: 3, target: 0.95,
    };
    extra = { inputShape: [PENGUIN_FEATURES.length], classNames: [...PENGUIN_CLASSES], featureNames: [...PENGUIN_FEATURES], standardization: stats };
    description = 'MLP on Palmer penguins (vega-datasets); input: 4 standardised measurements, one-hot Island and Sex';
    splitSeed = PENGUIN_SPLIT_SEED;
  }
  await fit(plan, name);
  const acc = accuracy(plan.model, plan.xHeld, plan.yHeld);
  const seconds = (performance.now() - t0) / 1000;
  const dir = bundledModelDir(name);
  await saveLayersModel(plan.model, dir);
  const meta: BundledMeta = {
    name, description, outputs: 'logits',
    inputShape: extra.inputShape!, classNames: extra.classNames!,
    ...(extra.featureNames ? { featureNames: extra.featureNames, standardization: extra.standardization } : {}),
    layers: plan.model.layers.map((l) => l.name),
    training: {
      seed: SEED, splitSeed, trainCount: plan.yTrain.length, heldOutCount: plan.yHeld.length, epochs: plan.epochs,
      heldOutAccuracy: Number(acc.toFixed(4)), backend: tf.getBackend(),
    },
  };
  await writeFileAtomic(path.join(dir, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  console.log(`${name}: held-out accuracy ${(acc * 100).toFixed(2)}% (${plan.yHeld.length} examples), ${seconds.toFixed(1)} s → ${dir}`);
  tf.dispose([plan.xTrain, plan.xHeld]);
  if (acc < plan.target) {
    console.error(`${name}: accuracy ${acc.toFixed(4)} is below the target ${plan.target}`);
    process.exitCode = 1;
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const names = (args.length ? args : ['penguins', 'mnist']) as string[];
  for (const n of names) {
    if (n !== 'mnist' && n !== 'penguins') {
      console.error(`train: expected mnist or penguins; found '${n}'`);
      process.exit(2);
    }
  }
  await tf.setBackend('cpu');
  await tf.ready();
  for (const n of names) await train(n as BundledName);
}

await main();
