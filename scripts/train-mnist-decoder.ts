/**
 * Trains the MNIST decoder used for feature visualisation in a generator's code space
 * (src/featureviz/generator-param.ts): a small variational autoencoder (Kingma & Welling 2014) on
 * the 8,000 training digits of the fixed split, reproducibly on the wasm backend, and keeps only
 * its decoder (code 8 → dense 128, ReLU → dense 784, sigmoid → [28, 28, 1]):
 *   npm run build && node dist/scripts/train-mnist-decoder.js      (npm run train-mnist-decoder)
 * writes models/mnist-decoder/{model.json, weights.bin, meta.json}.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../src/core/random.js';
import { writeFileAtomic } from '../src/data/io.js';
import { loadMnist, mnistBatch, mnistSplit, MNIST_PIXELS, MNIST_SIZE } from '../src/data/mnist.js';
import { useBackend } from '../src/engine/backend.js';
import { packageRoot } from '../src/models/bundled.js';
import { saveLayersModel } from '../src/models/model-io.js';

const SEED = 1337;
const CODE = 8;
const HIDDEN = 128;
const EPOCHS = 40;
const BATCH = 100;
const LR = 1e-3;

function dense(name: string, units: number, activation: 'relu' | 'linear' | 'sigmoid', seed: number, inputShape?: number[]): tf.layers.Layer {
  return tf.layers.dense({ name, units, activation, kernelInitializer: tf.initializers.glorotUniform({ seed }), biasInitializer: 'zeros', ...(inputShape ? { inputShape } : {}) });
}

/** Mean over the batch of the negative ELBO: Σ pixel BCE + KL(q(z|x) ‖ N(0, I)). */
function negativeElbo(encoder: tf.Sequential, decoder: tf.Sequential, x: tf.Tensor2D, seed: number): tf.Scalar {
  return tf.tidy(() => {
    const h = encoder.apply(x) as tf.Tensor2D;
    const mu = h.slice([0, 0], [-1, CODE]);
    const logVar = h.slice([0, CODE], [-1, CODE]);
    const z = tf.add(mu, tf.mul(tf.exp(tf.mul(0.5, logVar)), tf.randomNormal(mu.shape, 0, 1, 'float32', seed)));
    const p = tf.clipByValue((decoder.apply(z) as tf.Tensor).reshape([-1, MNIST_PIXELS]), 1e-6, 1 - 1e-6);
    const bce = tf.neg(tf.sum(tf.add(tf.mul(x, tf.log(p)), tf.mul(tf.sub(1, x), tf.log(tf.sub(1, p)))), 1));
    const kl = tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logVar), tf.square(mu)), tf.exp(logVar)), 1));
    return tf.mean(tf.add(bce, kl)) as tf.Scalar;
  });
}

async function main(): Promise<void> {
  const backend = await useBackend('wasm');
  const t0 = performance.now();
  const data = loadMnist();
  const split = mnistSplit(data);
  const train = Array.from(split.train);
  const xAll = mnistBatch(data, train).reshape([train.length, MNIST_PIXELS]) as tf.Tensor2D;
  const xHeld = mnistBatch(data, Array.from(split.heldOut)).reshape([-1, MNIST_PIXELS]) as tf.Tensor2D;
  const encoder = tf.sequential({ name: 'mnist_encoder', layers: [dense('enc1', HIDDEN, 'relu', SEED, [MNIST_PIXELS]), dense('enc2', 2 * CODE, 'linear', SEED + 1)] });
  const decoder = tf.sequential({
    name: 'mnist_decoder',
    layers: [dense('fc1', HIDDEN, 'relu', SEED + 2, [CODE]), dense('fc2', MNIST_PIXELS, 'sigmoid', SEED + 3), tf.layers.reshape({ name: 'image', targetShape: [MNIST_SIZE, MNIST_SIZE, 1] })],
  });
  const optimizer = tf.train.adam(LR);
  const rng = new Rng(SEED);
  const vars = [...encoder.trainableWeights, ...decoder.trainableWeights].map((w) => w.read() as tf.Variable);
  let step = 0;
  let heldLoss = 0;
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    const order = rng.permutation(train.length);
    let total = 0;
    for (let start = 0; start + BATCH <= order.length; start += BATCH) {
      const idx = tf.tensor1d(Int32Array.from(order.subarray(start, start + BATCH)), 'int32');
      const xb = tf.gather(xAll, idx) as tf.Tensor2D;
      const s = SEED + ++step;
      const loss = optimizer.minimize(() => negativeElbo(encoder, decoder, xb, s), true, vars) as tf.Scalar;
      total += loss.dataSync()[0];
      tf.dispose([idx, xb, loss]);
    }
    const held = negativeElbo(encoder, decoder, xHeld, SEED);
    heldLoss = held.dataSync()[0];
    held.dispose();
    console.log(`mnist-decoder epoch ${epoch}/${EPOCHS}: train −ELBO ${(total / Math.floor(order.length / BATCH)).toFixed(2)}, held-out ${heldLoss.toFixed(2)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const dir = path.join(packageRoot(), 'models', 'mnist-decoder');
  await saveLayersModel(decoder, dir);
  const meta = {
    name: 'mnist-decoder',
    description: `Decoder of a variational autoencoder (Kingma & Welling 2014) trained on the 8,000 training digits of the fixed MNIST split: code [${CODE}] ~ N(0, I) → dense ${HIDDEN} ReLU → dense 784 sigmoid → [28, 28, 1] grey levels in [0, 1]`,
    codeSize: CODE,
    outputShape: [MNIST_SIZE, MNIST_SIZE, 1],
    training: { seed: SEED, epochs: EPOCHS, batchSize: BATCH, learningRate: LR, trainCount: train.length, heldOutCount: xHeld.shape[0], heldOutNegativeElbo: Number(heldLoss.toFixed(2)), backend },
  };
  await writeFileAtomic(path.join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  console.log(`mnist-decoder: held-out −ELBO ${heldLoss.toFixed(2)} nats, ${((performance.now() - t0) / 1000).toFixed(1)} s → ${dir}`);
  tf.dispose([xAll, xHeld]);
  encoder.dispose();
  decoder.dispose();
  optimizer.dispose();
}

await main();
