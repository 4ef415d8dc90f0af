import * as tf from '@tensorflow/tfjs';
import { modelParameters } from '../core/checkpoint.js';
import { check } from '../core/errors.js';
import type { Dataset } from '../core/dataset.js';
import type { Model, ModelParameter } from '../core/model.js';
import { forEachLabelledBatch, type StreamOptions } from './labelled-batch.js';
import { minimizeLbfgs } from './lbfgs.js';

/** Options of `representerPoints`. */
export interface RepresenterOptions extends StreamOptions {
  /** The final dense layer (default: the last layer with parameters). */
  readonly finalLayer?: string;
  /** λ of the fitted objective (1/n)·Σ L + λ‖W‖² (default 0.003, the paper's code). */
  readonly lambda?: number;
  /** What the last layer is fitted to: 'model' (its own softmax outputs, as the paper; default) or 'labels' (the dataset's). */
  readonly targets?: 'model' | 'labels';
  /** L-BFGS iterations (default 1000) and the gradient norm, relative to the start's, at which it stops (default 1e-8). */
  readonly iterations?: number;
  readonly tolerance?: number;
}

/** Representer values of every training row for each test row, with the quantities of the decomposition. */
export interface RepresenterResult {
  /** `[T, N]`: α_{j,c_t} · k(x_j, x_t), c_t the explained class of test row t. */
  readonly scores: Float32Array;
  readonly shape: readonly [number, number];
  /** The class explained for each test row. */
  readonly classes: number[];
  /** α `[N, C]` (row-major): −(1/2λn) ∂L(Φ_j, y_j)/∂Φ_j at the fitted weights. */
  readonly alpha: Float64Array;
  /** k(x_j, x_t) = f_jᵀ f_t + 1 `[T, N]` (f: the final layer's input; the 1 carries the bias). */
  readonly similarity: Float64Array;
  /** The fitted last layer's pre-activation output Φ(x_t) `[T, C]`, which Σ_j α_j k(x_j, x_t) decomposes. */
  readonly preActivation: Float64Array;
  readonly classCount: number;
  /** ‖∇J(W)‖ / ‖∇J(W₀)‖ at the fitted weights (how stationary the fit is; the decomposition is exact at 0). */
  readonly relativeGradient: number;
}

interface FinalLayer {
  readonly layer: string;
  readonly kernel: ModelParameter;
  readonly bias?: ModelParameter;
  readonly inputs: number;
  readonly units: number;
}

function finalLayerOf(model: Model, name?: string): FinalLayer {
  const params = modelParameters(model, 'representerPoints');
  const layer = name ?? params[params.length - 1].layer;
  const own = params.filter((p) => p.layer === layer);
  check(own.length > 0, 'layer', () => `representerPoints: layer '${layer}' has no parameters; layers with parameters are ${[...new Set(params.map((p) => p.layer))].join(', ')}`);
  const kernel = own.find((p) => p.role === 'kernel' || p.role === 'kernel-out-in');
  check(kernel !== undefined && own.every((p) => p.role !== 'other') && kernel.shape.length === 2, 'layer', () => `representerPoints: the final layer '${layer}' must be dense (Dense, Gemm, MatMul); representer points need a last dense layer`);
  const [inputs, units] = kernel.role === 'kernel' ? kernel.shape : [kernel.shape[1], kernel.shape[0]];
  return { layer, kernel, bias: own.find((p) => p.role === 'bias'), inputs, units };
}

/** The final layer's weights with the bias as an extra last row, `[(in + 1) · out]` float64. */
async function augmentedWeights(f: FinalLayer): Promise<Float64Array> {
  const k = await f.kernel.value.data();
  const b = f.bias ? await f.bias.value.data() : new Float32Array(f.units);
  const w = new Float64Array((f.inputs + 1) * f.units);
  for (let i = 0; i < f.inputs; i++) for (let c = 0; c < f.units; c++) w[i * f.units + c] = f.kernel.role === 'kernel' ? k[i * f.units + c] : k[c * f.inputs + i];
  for (let c = 0; c < f.units; c++) w[f.inputs * f.units + c] = b[c];
  return w;
}

/** The final layer's inputs `[N, in]` (one forward pass; a zero perturbation exposes the layer's input). */
function finalInputs(model: Model, x: tf.Tensor, f: FinalLayer): tf.Tensor2D {
  return tf.tidy(() => {
    const r = model.run(x, { perturb: { [f.layer]: tf.zeros([x.shape[0], f.units]) } });
    const a = r.layerInputs?.[f.layer];
    check(a !== undefined && a.rank === 2, 'layer', () => `representerPoints: the input of '${f.layer}' must be flat [N, features]`);
    return a.clone() as tf.Tensor2D;
  });
}

/** Rows of features with a constant 1 appended, float64 `[N, in + 1]`. */
function augment(values: ArrayLike<number>, n: number, d: number): Float64Array {
  const out = new Float64Array(n * (d + 1));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) out[i * (d + 1) + j] = values[i * d + j];
    out[i * (d + 1) + d] = 1;
  }
  return out;
}

/** Softmax of each row of `F W` (`F` [n, p], `W` [p, c]). */
function softmaxRows(fm: Float64Array, w: Float64Array, n: number, p: number, c: number): Float64Array {
  const s = new Float64Array(n * c);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let k = 0; k < c; k++) {
      let z = 0;
      for (let j = 0; j < p; j++) z += fm[i * p + j] * w[j * c + k];
      s[i * c + k] = z;
      max = Math.max(max, z);
    }
    let sum = 0;
    for (let k = 0; k < c; k++) sum += (s[i * c + k] = Math.exp(s[i * c + k] - max));
    for (let k = 0; k < c; k++) s[i * c + k] /= sum;
  }
  return s;
}

/**
 * Representer points (Yeh, Kim, Yen & Ravikumar 2018, "Representer point selection for explaining
 * deep neural networks"), for models whose last layer is dense with a softmax cross-entropy: the
 * last layer W (its bias as a weight on a constant feature) is fitted, from the model's own weights,
 * to a stationary point of (1/n)·Σ_j CE(softmax(f_j W), y_j) + λ‖W‖² (y: the model's probabilities,
 * as the paper, or the labels) by L-BFGS; there W = Σ_j f_j α_jᵀ with α_j = −(1/2λn) ∂CE/∂Φ_j, so
 * the pre-activation output decomposes over the training rows: Φ(x_t) = Σ_j α_j k(x_j, x_t),
 * k = f_jᵀ f_t + 1 (f: the layer's input; the 1 carries the bias). The representer value of row j for test row t is α_{j,c}·k(x_j, x_t), c the test
 * row's class (given, or the model's prediction); positive values are excitatory, negative
 * inhibitory. The training features (n × features) are held in memory.
 */
export async function representerPoints(model: Model, train: Dataset, test: { readonly x: tf.Tensor; readonly y?: tf.Tensor }, options: RepresenterOptions = {}): Promise<RepresenterResult> {
  const f = finalLayerOf(model, options.finalLayer);
  const lambda = options.lambda ?? 0.003;
  check(Number.isFinite(lambda) && lambda > 0, 'option', () => `representerPoints: lambda must be a positive number; found ${lambda}`);
  const targets = options.targets ?? 'model';
  check(targets === 'model' || targets === 'labels', 'option', () => `representerPoints: targets must be 'model' or 'labels'; found '${String(targets)}'`);
  const n = train.size;
  const p = f.inputs + 1;
  const c = f.units;
  const w0 = await augmentedWeights(f);
  const feats = new Float64Array(n * p);
  const y = new Float64Array(n * c);
  const collect = async ({ x, y: labels, index }: { x: tf.Tensor; y?: tf.Tensor; index: readonly number[] }): Promise<void> => {
    const a = finalInputs(model, x, f);
    const rows = augment(await a.data(), index.length, f.inputs);
    a.dispose();
    index.forEach((row, k) => feats.set(rows.subarray(k * p, (k + 1) * p), row * p));
    if (targets === 'labels') {
      const l = await (labels as tf.Tensor).data();
      check(l.length === index.length, 'input', () => `representerPoints: targets 'labels' needs one class index per row; found labels of shape [${labels?.shape}]`);
      index.forEach((row, k) => {
        check(Number.isInteger(l[k]) && l[k] >= 0 && l[k] < c, 'input', () => `representerPoints: label ${l[k]} of row ${row} is not a class of the ${c} outputs`);
        y[row * c + l[k]] = 1;
      });
    } else {
      const s = softmaxRows(rows, w0, index.length, p, c);
      index.forEach((row, k) => y.set(s.subarray(k * c, (k + 1) * c), row * c));
    }
  };
  if (targets === 'labels') await forEachLabelledBatch(train, options, 'representerPoints', collect);
  else {
    let done = 0;
    for await (const batch of train.batches(options.batchSize ?? 64)) {
      try {
        check(!options.signal?.aborted, 'aborted', () => `representerPoints: aborted after ${done} of ${n} rows`);
        await collect(batch);
        done += batch.index.length;
        options.onProgress?.({ done, total: n });
      } finally {
        batch.x.dispose();
        batch.y?.dispose();
      }
    }
  }
  const objective = (w: Float64Array): { value: number; gradient: Float64Array } => {
    const s = softmaxRows(feats, w, n, p, c);
    let value = 0;
    for (let i = 0; i < n * c; i++) if (y[i] > 0) value -= y[i] * Math.log(Math.max(s[i], 1e-300));
    value /= n;
    const g = new Float64Array(p * c);
    for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) {
      const d = (s[i * c + k] - y[i * c + k]) / n;
      if (d !== 0) for (let j = 0; j < p; j++) g[j * c + k] += feats[i * p + j] * d;
    }
    for (let j = 0; j < p * c; j++) {
      value += lambda * w[j] * w[j];
      g[j] += 2 * lambda * w[j];
    }
    return { value, gradient: g };
  };
  check(!options.signal?.aborted, 'aborted', () => 'representerPoints: aborted');
  const fit = minimizeLbfgs(objective, w0, { iterations: options.iterations ?? 1000, tolerance: options.tolerance ?? 1e-8 });
  const s = softmaxRows(feats, fit.x, n, p, c);
  const alpha = new Float64Array(n * c);
  for (let i = 0; i < n * c; i++) alpha[i] = (s[i] - y[i]) / (-2 * lambda * n);

  const t = test.x.shape[0];
  const ta = finalInputs(model, test.x, f);
  const tf64 = augment(await ta.data(), t, f.inputs);
  ta.dispose();
  const pre = new Float64Array(t * c);
  for (let i = 0; i < t; i++) for (let k = 0; k < c; k++) {
    let z = 0;
    for (let j = 0; j < p; j++) z += tf64[i * p + j] * fit.x[j * c + k];
    pre[i * c + k] = z;
  }
  let classes: number[];
  if (test.y) {
    classes = Array.from(await test.y.data());
    check(classes.length === t && classes.every((v) => Number.isInteger(v) && v >= 0 && v < c), 'input', () => `representerPoints: test labels must be ${t} class indices below ${c}`);
  } else classes = Array.from({ length: t }, (_, i) => {
    let best = 0;
    for (let k = 1; k < c; k++) if (pre[i * c + k] > pre[i * c + best]) best = k;
    return best;
  });
  const similarity = new Float64Array(t * n);
  const scores = new Float32Array(t * n);
  for (let i = 0; i < t; i++) for (let j = 0; j < n; j++) {
    let kv = 0;
    for (let q = 0; q < p; q++) kv += tf64[i * p + q] * feats[j * p + q];
    similarity[i * n + j] = kv;
    scores[i * n + j] = alpha[j * c + classes[i]] * kv;
  }
  return { scores, shape: [t, n], classes, alpha, similarity, preActivation: pre, classCount: c, relativeGradient: fit.relativeGradient };
}
