/**
 * The compute worker: tfjs on the wasm backend (the .wasm files are bundled as local assets),
 * the registry's local methods, the report card. Long runs report progress per batch and stop
 * between batches on cancel (an AbortSignal per job).
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { attributionExplanation, fromLayersModel, loadOnnx, localMethodById, mapTopKIntersection, METHODS, reportCard, spearmanRankCorrelation, useBackend, type Model } from '../../src/index.js';
import type { CatalogueEntry, FromWorker, ModelInfo, ModelSource, ToWorker } from './protocol.js';

const post = (m: FromWorker): void => (self as unknown as Worker).postMessage(m);

let ready: Promise<string> | undefined;
function backend(): Promise<string> {
  ready ??= (async () => {
    setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded });
    return useBackend('wasm');
  })();
  return ready;
}

let current: { model: Model; info: ModelInfo; dispose: () => void } | undefined;
const jobs = new Map<number, AbortController>();

function catalogue(): CatalogueEntry[] {
  return METHODS.map((m) => ({
    id: m.id, title: m.title, family: m.family, scope: m.scope, inputKinds: m.inputKinds, layer: m.layer,
    needsGradients: m.needsGradients, paper: m.paper, summary: m.summary, options: m.options,
  }));
}

interface Meta { name?: string; inputShape?: number[]; classNames?: string[]; featureNames?: string[]; layers?: string[] }

function kindOf(shape: readonly number[], name: string): ModelInfo['kind'] {
  if (name === 'spam') return 'text';
  return shape.length >= 2 ? 'image' : 'tabular';
}

async function load(source: ModelSource): Promise<ModelInfo> {
  await backend();
  current?.dispose();
  current = undefined;
  if (source.type === 'bundled' && source.name !== 'mnist-onnx') {
    const dir = new URL(`models/${source.name}/`, source.base);
    const meta = (await (await fetch(new URL('meta.json', dir))).json()) as Meta;
    const layers = await tf.loadLayersModel(new URL('model.json', dir).href);
    const info: ModelInfo = { name: source.name, inputShape: meta.inputShape ?? layers.inputs[0].shape.slice(1).map(Number), classNames: meta.classNames, featureNames: meta.featureNames, layers: meta.layers, kind: kindOf(meta.inputShape ?? [], source.name) };
    current = { model: fromLayersModel(layers), info, dispose: () => layers.dispose() };
    return info;
  }
  if (source.type === 'bundled' || source.type === 'onnx') {
    const bytes = source.type === 'onnx' ? new Uint8Array(source.bytes) : new Uint8Array(await (await fetch(new URL('models/mnist-onnx/mnist.onnx', source.base))).arrayBuffer());
    const name = source.type === 'onnx' ? source.name : 'mnist.onnx';
    const onnx = await loadOnnx(bytes, { inputLayout: source.type === 'onnx' ? source.layout : 'nhwc', name });
    const zeros = tf.zeros([1, ...onnx.inputShape]);
    const classes = await onnx.predict(zeros);
    const count = classes.shape[classes.shape.length - 1] ?? 0;
    tf.dispose([zeros, classes]);
    const info: ModelInfo = { name, inputShape: onnx.inputShape, classNames: Array.from({ length: count }, (_, i) => String(i)), kind: kindOf(onnx.inputShape, name) };
    current = { model: onnx, info, dispose: () => onnx.dispose() };
    return info;
  }
  const json = source.files.find((f) => f.name.endsWith('.json') && f.name !== 'meta.json');
  if (!json) throw new Error('a tfjs model folder holds model.json and its weight files; no model.json was chosen');
  // Weight shards by any name (`weights.bin`, `group1-shard1of1`): tf.io.browserFiles matches them to the manifest.
  const weights = source.files.filter((f) => !f.name.endsWith('.json'));
  const layers = await tf.loadLayersModel(tf.io.browserFiles([json, ...weights]));
  const metaFile = source.files.find((f) => f.name === 'meta.json');
  const meta = metaFile ? (JSON.parse(await metaFile.text()) as Meta) : {};
  const inputShape = layers.inputs[0].shape.slice(1).map(Number);
  const info: ModelInfo = { name: meta.name ?? json.name, inputShape, classNames: meta.classNames, featureNames: meta.featureNames, layers: layers.layers.map((l) => l.name), kind: kindOf(inputShape, meta.name ?? '') };
  current = { model: fromLayersModel(layers), info, dispose: () => layers.dispose() };
  return info;
}

async function explain(m: Extract<ToWorker, { type: 'explain' }>): Promise<void> {
  if (!current) throw new Error('load a model first');
  const { model } = current;
  const controller = new AbortController();
  jobs.set(m.job, controller);
  const x = tf.tensor(m.input.data as number[], m.input.shape as number[]);
  try {
    const logits = await model.predict(x);
    const best = tf.argMax(logits, -1);
    const predictions = Array.from(await best.data());
    tf.dispose([logits, best]);
    for (const run of m.runs) {
      const method = localMethodById(run.id);
      const started = performance.now();
      const options = {
        ...run.options, target: m.target, seed: m.seed, signal: controller.signal,
        onProgress: (p: { done: number; total: number }) => post({ type: 'progress', job: m.job, method: run.id, done: p.done, total: p.total }),
      };
      const attribution = await method.run(model, x, options);
      const explanation = await attributionExplanation(attribution);
      const ms = performance.now() - started;
      let card;
      if (m.card) {
        const { onProgress: _p, signal: _s, ...explainOptions } = options;
        const c = await reportCard(model, x, attribution, method, { explainOptions, seed: m.seed, signal: controller.signal });
        card = { deletion: c.deletion.scores, infidelity: c.infidelity.scores, maxSensitivity: c.maxSensitivity.scores };
      }
      attribution.values.dispose();
      post({ type: 'result', job: m.job, explanation, predictions, card, ms });
    }
  } finally {
    x.dispose();
    jobs.delete(m.job);
  }
  post({ type: 'done', job: m.job });
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  const fail = (err: unknown, job?: number): void => post({ type: 'error', job, message: (err as Error)?.message ?? String(err), code: (err as { code?: string })?.code });
  if (m.type === 'catalogue') void backend().then((b) => post({ type: 'catalogue', methods: catalogue(), backend: b }), fail);
  else if (m.type === 'load') void load(m.source).then((info) => post({ type: 'loaded', info }), fail);
  else if (m.type === 'explain') void explain(m).catch((err) => fail(err, m.job));
  else if (m.type === 'cancel') jobs.get(m.job)?.abort();
  else if (m.type === 'compare') {
    try {
      const k = Math.max(1, Math.round(m.a.length / 10));
      post({ type: 'compared', spearman: spearmanRankCorrelation(m.a, m.b), topK: mapTopKIntersection(m.a.map(Math.abs), m.b.map(Math.abs), k) });
    } catch (err) {
      fail(err);
    }
  }
};
