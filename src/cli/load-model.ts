import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { LumenError } from '../core/errors.js';
import type { Model } from '../core/model.js';
import type { Standardization } from '../data/penguins.js';
import { loadBundledMeta, loadBundledModel, loadBundledOnnx, loadBundledVocabulary } from '../models/bundled.js';
import type { Vocabulary } from '../text/vocabulary.js';
import { loadFixture } from '../models/fixture.js';
import { fromLayersModel } from '../models/from-layers-model.js';
import { loadModelFile } from '../models/load-model-file.js';
import { MODEL_JSON } from '../models/model-io.js';
import { loadOnnxRuntime } from '../models/onnx/load-onnx-runtime.js';
import { chooseOutput } from '../models/from-layers-model.js';
import type { ModelSpecOptions } from './model-flags.js';
import { withEngine } from '../engine/ort/with-engine.js';

/** What the CLI knows about a model beside the Model itself. */
export interface LoadedModel {
  readonly model: Model;
  /** How the model was named on the command line. */
  readonly spec: string;
  /** 'image' for [H, W, C] inputs, 'tabular' for [F] inputs, 'text' for token models with a vocabulary, 'tensor' otherwise. */
  readonly kind: 'image' | 'tabular' | 'text' | 'tensor';
  /** Token models: the layer gradient methods explain by default (meta.json's `embeddingLayer`; else the first Embedding layer). */
  readonly embeddingLayer?: string;
  /** Token models: the words of the ids (bundled text models' vocab.json). */
  readonly vocabulary?: Vocabulary;
  readonly classNames?: readonly string[];
  readonly featureNames?: readonly string[];
  /** Penguins: the CSV columns are standardised with these statistics before the model. */
  readonly standardization?: Standardization;
  /** Which bundled model this is, if any (the input readers treat penguin CSVs specially). */
  readonly bundled?: string;
  /** The tf.LayersModel behind a bundled model (what parameter randomisation and retraining metrics need). */
  readonly layersModel?: tf.LayersModel;
  /** Releases the model's weights. */
  dispose(): void;
}

/** Input kind of a model from its per-example input shape. */
export function inputKind(shape: readonly number[]): LoadedModel['kind'] {
  if (shape.length === 3 && (shape[2] === 1 || shape[2] === 3)) return 'image';
  if (shape.length === 1) return 'tabular';
  return 'tensor';
}

/** `--model onnxruntime:<file.onnx>`: the file as a black box run by onnxruntime-node (forward only). */
export const ONNXRUNTIME_PREFIX = 'onnxruntime:';

/**
 * Loads the model a `--model` option names: `bundled:mnist`, `bundled:penguins`, an ONNX file
 * (imported with NHWC input, so images and heatmaps share the tfjs layout), a tfjs Layers or graph
 * model (its JSON file of any name, or a folder holding one), or a reference fixture JSON
 * (test/fixtures/*.json), or `onnxruntime:<file.onnx>` (a black box: forward-only methods). Anything
 * else is a LumenError saying what is accepted. `options` (the `--output-kind` and `--output-node`
 * flags) override the detected output kind and choose one output of a multi-output model.
 */
export async function loadModelSpec(spec: string, options: ModelSpecOptions = {}): Promise<LoadedModel> {
  if (spec.startsWith('bundled:')) {
    const meta0 = await loadBundledMeta(spec.slice('bundled:'.length));
    if (meta0.format === 'onnx') {
      const { model: onnx, meta } = await loadBundledOnnx(meta0.name);
      const vocabulary = await loadBundledVocabulary(meta.name);
      const engined = withEngine(onnx, options.engine);
      const model = options.outputKind ? { ...engined, outputKind: options.outputKind } : engined;
      return {
        model,
        spec,
        kind: vocabulary ? 'text' : inputKind(meta.inputShape),
        ...(vocabulary ? { vocabulary } : {}),
        ...(meta.embeddingLayer ? { embeddingLayer: meta.embeddingLayer } : {}),
        classNames: meta.classNames,
        bundled: meta.name,
        dispose: () => {
          if (engined !== onnx) engined.dispose?.();
          onnx.dispose();
        },
      };
    }
    const { model, meta } = await loadBundledModel(spec.slice('bundled:'.length));
    const vocabulary = await loadBundledVocabulary(meta.name);
    return {
      model: fromLayersModel(model, { name: meta.name, ...options }),
      spec,
      kind: vocabulary ? 'text' : inputKind(meta.inputShape),
      ...(vocabulary ? { vocabulary } : {}),
      classNames: meta.classNames,
      featureNames: meta.featureNames,
      standardization: meta.standardization,
      bundled: meta.name,
      layersModel: model,
      dispose: () => model.dispose(),
    };
  }
  if (spec.startsWith(ONNXRUNTIME_PREFIX)) {
    const file = spec.slice(ONNXRUNTIME_PREFIX.length);
    if (!existsSync(file)) throw new LumenError('file', `--model ${spec}: expected an .onnx file after '${ONNXRUNTIME_PREFIX}'; found no such file`);
    const { engine: _engine, ...runtimeOptions } = options;
    const model = await loadOnnxRuntime(file, { inputLayout: 'nhwc', ...runtimeOptions });
    return { model, spec, kind: inputKind(model.inputShape), dispose: () => model.dispose?.() };
  }
  if (!existsSync(spec)) {
    throw new LumenError('file', `--model ${spec}: expected bundled:mnist, bundled:penguins, an .onnx file, a tfjs model directory or its model JSON, or a fixture .json; found no such file`);
  }
  const ext = path.extname(spec).toLowerCase();
  if (ext === '.json' && path.basename(spec) !== MODEL_JSON && !statSync(spec).isDirectory() && isFixtureJson(spec)) {
    const fixture = loadFixture(spec);
    try {
      chooseOutput(fixture.model.outputs ?? [], options.output ?? (fixture.model.outputs ?? [])[0], `--model ${spec}`);
    } catch (e) {
      fixture.dispose();
      throw e;
    }
    const engined = withEngine(fixture.model, options.engine);
    const model = options.outputKind ? { ...engined, outputKind: options.outputKind } : engined;
    return { model, spec, kind: inputKind(model.inputShape), dispose: () => {
      if (engined !== fixture.model) engined.dispose?.();
      fixture.dispose();
    } };
  }
  const model = await loadModelFile(spec, options);
  return { model, spec, kind: inputKind(model.inputShape), dispose: () => model.dispose() };
}

function isFixtureJson(file: string): boolean {
  try {
    const head = readFileSync(file, 'utf8');
    const json = JSON.parse(head) as Record<string, unknown>;
    return typeof json === 'object' && json !== null && 'weights_tfjs' in json && 'architecture' in json;
  } catch {
    return false;
  }
}
