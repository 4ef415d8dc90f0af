import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { fromLayersModel } from './from-layers-model.js';
import { isTokenFixture, loadTokenFixture } from './fixture-tokens.js';

/** A tensor as the reference fixtures store it: nested lists with a shape. */
interface FixtureTensor {
  readonly shape: number[];
  readonly data: unknown;
}

/** A fixture value: image-shaped tensors come in both layouts, others as `value`. */
export type FixtureValue = { readonly nhwc: FixtureTensor; readonly nchw: FixtureTensor } | { readonly value: FixtureTensor } | FixtureTensor;

/** One layer of a fixture's architecture (PyTorch names and types). */
export interface FixtureLayer {
  readonly name: string;
  readonly type: string;
  readonly [key: string]: unknown;
}

/** One recorded method or metric with its arguments and reference result. */
export interface FixtureEntry {
  readonly id: string;
  readonly captum_class?: string;
  readonly attribute_kwargs?: Readonly<Record<string, unknown>>;
  readonly layer?: string;
  readonly attribution?: FixtureValue;
  readonly value?: FixtureValue;
  readonly convergence_delta?: readonly number[];
  readonly recommended_float32_tolerance?: { readonly tol: number; readonly rule?: string } | number;
  readonly [key: string]: unknown;
}

/** The parsed JSON of a reference fixture (see test/fixtures/README.md). */
export interface FixtureJson {
  readonly name: string;
  readonly architecture: { readonly layers: readonly FixtureLayer[]; readonly input_shape_nhwc?: number[]; readonly input_shape?: number[] };
  readonly weights_tfjs: Readonly<Record<string, FixtureValue>>;
  readonly inputs: FixtureValue;
  readonly baselines?: Readonly<Record<string, FixtureValue>>;
  readonly logits: { readonly float32: number[][]; readonly float64: number[][] };
  readonly targets: readonly number[];
  readonly activations?: Readonly<Record<string, FixtureValue>>;
  readonly methods?: readonly FixtureEntry[];
  readonly metrics?: readonly FixtureEntry[];
  /** Wave-2 fixtures (examples, robust, global, semantics) list their entries here. */
  readonly entries?: readonly FixtureEntry[];
  readonly [key: string]: unknown;
}

/** A fixture loaded into tfjs: the model, its inputs and baselines (NHWC), and the raw entries. */
export interface Fixture {
  readonly name: string;
  readonly json: FixtureJson;
  readonly model: Model;
  /** The tfjs model, when the fixture's model is a layers model (a transformer fixture's is a Lumen graph). */
  readonly layersModel?: tf.LayersModel;
  readonly inputs: tf.Tensor;
  readonly baselines: Readonly<Record<string, tf.Tensor>>;
  readonly targets: readonly number[];
  dispose(): void;
}

/** Flattens a fixture value (NHWC where it has layouts) into data and shape. */
export function fixtureArray(v: FixtureValue): { data: Float32Array; shape: number[] } {
  const t = 'value' in v ? v.value : 'nhwc' in v ? v.nhwc : v;
  const flat = (t.data as unknown[]).flat(Infinity as 1) as number[];
  check(flat.length === t.shape.reduce((a, b) => a * b, 1), 'file', () => `fixture: tensor of shape [${t.shape}] has ${flat.length} values`);
  return { data: Float32Array.from(flat), shape: t.shape };
}

/** Reads a fixture value as a tfjs tensor (NHWC for images). */
export function fixtureTensor(v: FixtureValue): tf.Tensor {
  const { data, shape } = fixtureArray(v);
  return tf.tensor(data, shape);
}

/** Reads and parses a fixture JSON file; a missing or malformed file is a LumenError. */
export function readFixtureJson(path: string): FixtureJson {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new LumenError('file', `loadFixture: cannot read '${path}'`);
  }
  let json: FixtureJson;
  try {
    json = JSON.parse(text) as FixtureJson;
  } catch (e) {
    throw new LumenError('file', `loadFixture: '${path}' is not valid JSON (${(e as Error).message})`);
  }
  json = examplesFixtureModel(json);
  check(json && typeof json === 'object' && json.architecture && json.weights_tfjs && (json.inputs || datasetX(json)), 'file', () =>
    `loadFixture: '${path}' is not a Lumen reference fixture (expected keys architecture, weights_tfjs, and inputs or dataset.X)`);
  return json;
}

/**
 * Builds a tfjs model from a reference fixture (architecture + TF.js-layout weights), as a Lumen
 * Model whose layer names are the fixture's PyTorch module names.
 */
export function loadFixture(pathOrJson: string | FixtureJson): Fixture {
  const json = typeof pathOrJson === 'string' ? readFixtureJson(pathOrJson) : examplesFixtureModel(pathOrJson);
  if (isTokenFixture(json)) {
    const built = loadTokenFixture(json, (v) => fixtureTensor(v as FixtureValue));
    return {
      name: json.name,
      json,
      model: built.model,
      layersModel: built.layersModel,
      inputs: built.inputs,
      baselines: {},
      targets: (json.pred as readonly number[] | undefined) ?? [],
      dispose() {
        built.layersModel?.dispose();
        built.model.dispose?.();
        built.inputs.dispose();
      },
    };
  }
  const inputShape = json.architecture.input_shape_nhwc ?? json.architecture.input_shape;
  check(Array.isArray(inputShape), 'file', () => `loadFixture: fixture '${json.name}' has no input shape`);
  const layersModel = buildLayers(json, inputShape);
  const rows = json.inputs ?? datasetX(json);
  check(rows !== undefined, 'file', () => `loadFixture: fixture '${json.name}' has no inputs and no dataset.X`);
  const inputs = fixtureTensor(rows);
  const baselines: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(json.baselines ?? {})) baselines[k] = fixtureTensor(v);
  return {
    name: json.name,
    json,
    model: fromLayersModel(layersModel, { name: json.name }),
    layersModel,
    inputs,
    baselines,
    targets: json.targets ?? [],
    dispose() {
      layersModel.dispose();
      tf.dispose([inputs, ...Object.values(baselines)]);
    },
  };
}

/**
 * A wave-2 examples fixture keeps its architecture under `model` and its weights per checkpoint;
 * its model is the architecture at the last checkpoint and its rows the training set (`X_train`).
 */
function examplesFixtureModel(json: FixtureJson): FixtureJson {
  if (!json || typeof json !== 'object' || json.architecture) return json;
  const model = json.model as { readonly architecture?: FixtureJson['architecture'] } | undefined;
  const checkpoints = json.checkpoints as readonly { readonly weights_tfjs?: FixtureJson['weights_tfjs'] }[] | undefined;
  const dataset = json.dataset as { readonly X_train?: FixtureValue } | undefined;
  const last = checkpoints?.[checkpoints.length - 1]?.weights_tfjs;
  if (!model?.architecture || !last || !dataset?.X_train) return json;
  return { ...json, architecture: model.architecture, weights_tfjs: last, dataset: { ...dataset, X: dataset.X_train } };
}

/** The rows of a wave-2 fixture (`dataset.X`), which has no `inputs`: the data its global entries explain. */
function datasetX(json: FixtureJson): FixtureValue | undefined {
  const dataset = json.dataset as { readonly X?: FixtureValue } | undefined;
  return dataset?.X;
}

function buildLayers(json: FixtureJson, inputShape: number[]): tf.LayersModel {
  const w = (key: string): tf.Tensor => {
    const v = json.weights_tfjs[key];
    check(v !== undefined, 'file', () => `loadFixture: weight '${key}' is missing from fixture '${json.name}'`);
    return fixtureTensor(v);
  };
  const has = (key: string): boolean => key in json.weights_tfjs;
  const model = tf.sequential({ name: json.name });
  let first = true;
  const shapeArg = (): { inputShape?: number[] } => (first ? { inputShape } : {});
  for (const layer of json.architecture.layers) {
    const name = layer.name;
    let built: tf.layers.Layer;
    let weights: tf.Tensor[] = [];
    switch (layer.type) {
      case 'Linear':
        built = tf.layers.dense({ units: layer.out_features as number, useBias: has(`${name}.bias`), name, ...shapeArg() });
        weights = has(`${name}.bias`) ? [w(`${name}.kernel`), w(`${name}.bias`)] : [w(`${name}.kernel`)];
        break;
      case 'Conv2d': {
        check(layer.groups === 1, 'file', () => `loadFixture: grouped convolution '${name}' is not supported`);
        const padding = layer.tfjs_padding_equivalent === 'same' ? 'same' : 'valid';
        built = tf.layers.conv2d({
          filters: layer.out_channels as number,
          kernelSize: layer.kernel_size as number[],
          strides: layer.stride as number[],
          dilationRate: layer.dilation as [number, number],
          padding,
          useBias: has(`${name}.bias`),
          name,
          ...shapeArg(),
        });
        weights = has(`${name}.bias`) ? [w(`${name}.kernel`), w(`${name}.bias`)] : [w(`${name}.kernel`)];
        break;
      }
      case 'ReLU':
        built = tf.layers.reLU({ name, ...shapeArg() });
        break;
      case 'Tanh':
      case 'Sigmoid':
        built = tf.layers.activation({ activation: layer.type === 'Tanh' ? 'tanh' : 'sigmoid', name, ...shapeArg() });
        break;
      case 'MaxPool2d':
      case 'AvgPool2d': {
        const pad = layer.padding as number[];
        if (pad.some((p) => p > 0)) model.add(tf.layers.zeroPadding2d({ padding: [[pad[0], pad[0]], [pad[1], pad[1]]], name: `${name}_pad`, ...shapeArg() }));
        if (pad.some((p) => p > 0)) first = false;
        const args = { poolSize: layer.kernel_size as [number, number], strides: layer.stride as [number, number], padding: 'valid' as const, name, ...shapeArg() };
        built = layer.type === 'MaxPool2d' ? tf.layers.maxPooling2d(args) : tf.layers.averagePooling2d(args);
        break;
      }
      case 'Flatten':
        built = tf.layers.flatten({ name, ...shapeArg() });
        break;
      case 'BatchNorm2d':
        built = tf.layers.batchNormalization({ axis: -1, epsilon: layer.eps as number, name, ...shapeArg() });
        weights = [w(`${name}.gamma`), w(`${name}.beta`), w(`${name}.moving_mean`), w(`${name}.moving_variance`)];
        break;
      default:
        throw new LumenError('file', `loadFixture: layer '${name}' has type '${layer.type}', which the fixture loader does not build`);
    }
    model.add(built);
    if (weights.length) built.setWeights(weights);
    tf.dispose(weights);
    first = false;
  }
  return model;
}
