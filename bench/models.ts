/**
 * The benchmark architectures of bench/torch_reference.py, built with tf.layers (NHWC), with
 * random weights from fixed seeds. Same functions as the PyTorch models up to layout (and
 * TF's 'same' padding, which pads a stride-2 3×3 conv on an even input 0/1 instead of 1/1; the
 * output sizes and the work are the same).
 */
import * as tf from '@tensorflow/tfjs';

export type BenchModelName = 'mnist' | 'mobilenet96' | 'mobilenet224';

export interface BenchSpec {
  /** Input shape of one example, NHWC without the batch axis. */
  readonly inputShape: readonly [number, number, number];
  /** Class explained by every workload. */
  readonly target: number;
  /** Side of the square occlusion patch. */
  readonly patch: number;
}

export const SPECS: Readonly<Record<BenchModelName, BenchSpec>> = {
  mnist: { inputShape: [28, 28, 1], target: 3, patch: 4 },
  mobilenet96: { inputShape: [96, 96, 3], target: 281, patch: 12 },
  mobilenet224: { inputShape: [224, 224, 3], target: 281, patch: 32 },
};

/** MobileNet v1 (α = 1) depthwise-separable blocks: (pointwise filters, depthwise stride). */
export const MB_BLOCKS: readonly (readonly [number, number])[] = [
  [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2],
  [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1],
];

/** Builds a benchmark model with deterministic random weights. */
export function buildModel(name: BenchModelName): tf.LayersModel {
  return name === 'mnist' ? buildMnist() : buildMobileNet(SPECS[name].inputShape);
}

function buildMnist(): tf.LayersModel {
  let seed = 1;
  const he = () => tf.initializers.heNormal({ seed: seed++ });
  const glorot = () => tf.initializers.glorotUniform({ seed: seed++ });
  const m = tf.sequential({ name: 'mnist' });
  m.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, kernelInitializer: he(), biasInitializer: 'zeros', name: 'conv1' }));
  m.add(tf.layers.reLU({ name: 'relu1' }));
  m.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, kernelInitializer: he(), name: 'conv2' }));
  m.add(tf.layers.reLU({ name: 'relu2' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }));
  m.add(tf.layers.flatten({ name: 'flatten' }));
  m.add(tf.layers.dense({ units: 128, kernelInitializer: glorot(), name: 'fc1' }));
  m.add(tf.layers.reLU({ name: 'relu3' }));
  m.add(tf.layers.dense({ units: 10, kernelInitializer: glorot(), name: 'logits' }));
  randomizeBiases(m, 100);
  return m;
}

function buildMobileNet(inputShape: readonly [number, number, number]): tf.LayersModel {
  let seed = 1;
  const he = () => tf.initializers.heNormal({ seed: seed++ });
  const m = tf.sequential({ name: `mobilenet${inputShape[0]}` });
  const bnRelu6 = (tag: string) => {
    m.add(tf.layers.batchNormalization({ axis: -1, epsilon: 1e-3, name: `${tag}_bn` }));
    m.add(tf.layers.reLU({ maxValue: 6, name: `${tag}_relu6` }));
  };
  m.add(tf.layers.conv2d({
    inputShape: [...inputShape], filters: 32, kernelSize: 3, strides: 2, padding: 'same', useBias: false,
    kernelInitializer: he(), name: 'conv0',
  }));
  bnRelu6('conv0');
  MB_BLOCKS.forEach(([filters, stride], i) => {
    m.add(tf.layers.depthwiseConv2d({
      kernelSize: 3, strides: stride, padding: 'same', useBias: false, depthwiseInitializer: he(), name: `b${i + 1}_dw`,
    }));
    bnRelu6(`b${i + 1}_dw`);
    m.add(tf.layers.conv2d({ filters, kernelSize: 1, padding: 'same', useBias: false, kernelInitializer: he(), name: `b${i + 1}_pw` }));
    bnRelu6(`b${i + 1}_pw`);
  });
  m.add(tf.layers.globalAveragePooling2d({ name: 'gap' }));
  m.add(tf.layers.dense({ units: 1000, kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }), name: 'logits' }));
  randomizeBatchNorm(m, 200);
  return m;
}

/** Small random biases, so that no layer is a pure linear map through the origin. */
function randomizeBiases(m: tf.LayersModel, seed: number): void {
  for (const layer of m.layers) {
    const ws = layer.getWeights();
    if (ws.length !== 2) continue;
    const bias = tf.randomUniform(ws[1].shape, -0.05, 0.05, 'float32', seed++);
    layer.setWeights([ws[0], bias]);
    bias.dispose();
  }
}

/** Non-trivial BN parameters and moving statistics: γ, var ~ U(0.5, 1.5); β, mean ~ U(−0.1, 0.1). */
function randomizeBatchNorm(m: tf.LayersModel, seed: number): void {
  for (const layer of m.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const shapes = layer.getWeights().map((w) => w.shape); // gamma, beta, moving mean, moving variance
    const values = [
      tf.randomUniform(shapes[0], 0.5, 1.5, 'float32', seed++),
      tf.randomUniform(shapes[1], -0.1, 0.1, 'float32', seed++),
      tf.randomUniform(shapes[2], -0.1, 0.1, 'float32', seed++),
      tf.randomUniform(shapes[3], 0.5, 1.5, 'float32', seed++),
    ];
    layer.setWeights(values);
    tf.dispose(values);
  }
}

/** Floating-point multiply–adds of one forward pass of one example (convolutions and dense layers). */
export function forwardMacs(m: tf.LayersModel): number {
  let macs = 0;
  for (const layer of m.layers) {
    const out = layer.outputShape as (number | null)[];
    const size = out.slice(1).reduce<number>((a, b) => a * (b ?? 1), 1);
    const cls = layer.getClassName();
    const w = layer.getWeights()[0];
    if (!w) continue;
    if (cls === "Conv2D" || cls === "Dense") macs += size * (w.size / (out[out.length - 1] ?? 1));
    else if (cls === 'DepthwiseConv2D') macs += size * (w.shape[0] as number) * (w.shape[1] as number);
  }
  return macs;
}
