import * as tf from '@tensorflow/tfjs';
import type { InferenceSession, Tensor as OrtTensorValue } from 'onnxruntime-common';
import type { ExecutedGradient, GradientExecutor, TargetSelection } from '../../core/model.js';
import { ruleSetForm, type RuleSet, type RuleSetForm } from '../../core/rules.js';
import { ruleSetBackwardRules } from './rules/relu-masked.js';
import { LumenError } from '../../core/errors.js';
import { backwardGraph, GRAD, opsWithoutRule, SEED } from './backward.js';
import { encodeOnnx } from './encode-onnx.js';
import type { OrtGraph } from './ort-graph.js';
import { onnxRuntime } from './runtime.js';

/** What the engine compiles for one model: its forward graph, and where its layers' values are. */
export interface OrtSource {
  readonly name: string;
  /** Input `inputs[0]` (the Model's input, its layout), output `outputs[0]` (the Model's output). */
  readonly forward: OrtGraph;
  /** The graph value holding a layer's output as the Model captures it, or null when the engine does not feed that layer. */
  layerValue(layer: string): string | null;
}

/** The refusal record of a gradient space under a rule set's form (or none). */
function refusalKey(layer: string | null, form: RuleSetForm | undefined): string {
  return `${layer ?? ''}${form ? `\u0000${form.kind}:${form.rule}` : ''}`;
}

/** Warnings already printed, so each (model, reason) warns once. */
const warned = new Set<string>();

function warnOnce(model: string, message: string): void {
  const key = `${model}\u0000${message}`;
  if (warned.has(key)) return;
  warned.add(key);
  console.warn(`lumen: ${model}: ${message}; its gradients run on tfjs`);
}

/**
 * The onnxruntime executor of one model: sessions are built on first use and cached per
 * (layer, batch size) — rules are not compiled (propagation rules keep tfjs' tape) —, each with
 * one intra-op thread per core. A forward session with a symbolic batch serves `predict`.
 */
export class OrtExecutor implements GradientExecutor {
  readonly name = 'onnxruntime';
  private readonly sessions = new Map<string, Promise<InferenceSession>>();
  private readonly probes = new Map<number, Promise<Map<string, number[]>>>();
  /** Sessions built and runs made (forward and backward), for tests and benchmarks. */
  readonly stats = { sessions: 0, forwardRuns: 0, backwardRuns: 0 };
  /** Layers (or '' for the input) whose gradients fell back to tfjs. */
  private readonly refused = new Set<string>();

  constructor(readonly source: OrtSource) {}

  /** The forward output for a batch, run by onnxruntime; the caller owns it. */
  async predict(x: tf.Tensor): Promise<tf.Tensor> {
    const session = await this.session('forward', async () => ({ ...this.source.forward, inputs: [{ ...this.source.forward.inputs[0], dims: ['N', ...x.shape.slice(1)] }] }), () => undefined);
    const out = await session.run({ [this.inputName]: await toOrt(x) });
    this.stats.forwardRuns++;
    return fromOrt(out[this.outputName]);
  }

  supports(layer: string | null, rules: RuleSet | undefined): boolean {
    const form = rules ? ruleSetForm(rules) : undefined;
    if (rules && !form) return false;
    const wrt = layer === null ? this.inputName : this.source.layerValue(layer);
    const key = refusalKey(layer, form);
    if (wrt === null || this.refused.has(key)) return false;
    const missing = opsWithoutRule(this.spaceGraph(wrt), wrt, this.outputName, form ? ruleSetBackwardRules(form) : undefined);
    if (missing.length > 0) {
      // Under a rule set, an op outside its families keeps the pass on tfjs (whose rule engine decides), without a warning.
      if (form) this.refused.add(key);
      else this.refuse(layer, `op${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ha${missing.length > 1 ? 've' : 's'} no backward rule in the onnxruntime engine`);
      return false;
    }
    return true;
  }

  async gradient(inputs: tf.Tensor, points: tf.Tensor, layer: string | null, target: TargetSelection, examples: Int32Array, rules?: RuleSet): Promise<ExecutedGradient | null> {
    const wrt = layer === null ? this.inputName : this.source.layerValue(layer);
    if (wrt === null) return null;
    const form = rules ? ruleSetForm(rules) : undefined;
    if (rules && !form) return null;
    const batch = points.shape[0];
    let session: InferenceSession;
    try {
      session = await this.session(`grad|${layer ?? ''}|${form ? `${form.kind}:${form.rule}` : ''}|${batch}`, async () => {
        const shapes = await this.probe(batch, inputs);
        const graph = this.spaceGraph(wrt, shapes.get(wrt));
        return backwardGraph({ ...graph, inputs: graph.inputs.map((i) => ({ ...i, dims: shapes.get(i.name) })) }, wrt, shapes, form ? ruleSetBackwardRules(form) : undefined);
      }, () => this.probes.delete(batch));
    } catch (e) {
      if (!(e instanceof LumenError)) throw e;
      if (form) this.refused.add(refusalKey(layer, form));
      else this.refuse(layer, e.message.replace(/^onnxruntime engine: /, ''));
      return null;
    }
    const feeds: Record<string, OrtTensorValue> = { [wrt]: await toOrt(points) };
    if (wrt !== this.inputName && session.inputNames.includes(this.inputName)) feeds[this.inputName] = await toOrt(inputs);
    const ort = await onnxRuntime();
    const shapes = await this.probe(batch, inputs);
    const outShape = shapes.get(this.outputName) as number[];
    const size = outShape.slice(1).reduce((a, b) => a * b, 1);
    let seed: Float32Array;
    if (target.classes) {
      seed = new Float32Array(batch * size);
      for (let r = 0; r < batch; r++) seed[r * size + (size === 1 ? 0 : target.classes[examples[r]])] = 1;
    } else {
      // A function target: its gradient w.r.t. the output comes from tfjs at the output onnxruntime computed.
      const first = await session.run({ ...feeds, [SEED]: new ort.Tensor('float32', new Float32Array(batch * size), outShape) });
      const y = fromOrt(first[this.outputName]);
      const dy = tf.tidy(() => tf.grad((o: tf.Tensor) => target.select(o, examples).sum())(y));
      seed = (await dy.data()) as Float32Array;
      tf.dispose([y, dy]);
    }
    feeds[SEED] = new ort.Tensor('float32', seed, outShape);
    const out = await session.run(feeds);
    this.stats.backwardRuns++;
    const y = fromOrt(out[this.outputName]);
    const value = tf.tidy(() => target.select(y, examples));
    y.dispose();
    return { grad: fromOrt(out[GRAD]), value };
  }

  /** Releases every session. */
  async dispose(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map(async (s) => (await s.catch(() => null))?.release()));
  }

  private get inputName(): string {
    return this.source.forward.inputs[0].name;
  }

  private get outputName(): string {
    return this.source.forward.outputs[0].name;
  }

  private refuse(layer: string | null, why: string): void {
    this.refused.add(layer ?? '');
    warnOnce(this.source.name, why);
  }

  /** The forward graph of a gradient space: the input's, or with `wrt` (a layer's value) fed as an input. */
  private spaceGraph(wrt: string, dims?: readonly number[]): OrtGraph {
    const forward = this.source.forward;
    if (wrt === this.inputName) return forward;
    return {
      ...forward,
      nodes: forward.nodes.filter((n) => !n.outputs.includes(wrt)),
      inputs: [...forward.inputs, { name: wrt, type: 1, ...(dims ? { dims } : {}) }],
    };
  }

  /** Every forward value's shape at this batch size, from one run on zeros (a Shape node per value). */
  private probe(batch: number, like: tf.Tensor): Promise<Map<string, number[]>> {
    let p = this.probes.get(batch);
    if (!p) {
      p = (async () => {
        const ort = await onnxRuntime();
        const forward = this.source.forward;
        const values = [...new Set([this.inputName, ...forward.nodes.flatMap((n) => n.outputs).filter((o) => o !== '')])];
        const graph: OrtGraph = {
          ...forward,
          nodes: [...forward.nodes, ...values.map((v, i) => ({ op: 'Shape', inputs: [v], outputs: [`probe/${i}`] }))],
          inputs: [{ ...forward.inputs[0], dims: [batch, ...like.shape.slice(1)] }],
          outputs: values.map((_, i) => ({ name: `probe/${i}`, type: 7 as const })),
        };
        const session = await ort.InferenceSession.create(encodeOnnx(graph), { graphOptimizationLevel: 'disabled', logSeverityLevel: 3 });
        try {
          const size = like.shape.slice(1).reduce((a, b) => a * b, 1);
          const out = await session.run({ [this.inputName]: new ort.Tensor('float32', new Float32Array(batch * size), [batch, ...like.shape.slice(1)]) });
          return new Map(values.map((v, i) => [v, Array.from(out[`probe/${i}`].data as BigInt64Array, Number)]));
        } finally {
          await session.release();
        }
      })();
      p.catch(() => this.probes.delete(batch));
      this.probes.set(batch, p);
    }
    return p;
  }

  private session(key: string, build: () => Promise<OrtGraph>, onFail: () => void): Promise<InferenceSession> {
    let s = this.sessions.get(key);
    if (!s) {
      s = (async () => {
        const ort = await onnxRuntime();
        const graph = await build();
        try {
          this.stats.sessions++;
          return await ort.InferenceSession.create(encodeOnnx(graph), { intraOpNumThreads: ort.threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential', logSeverityLevel: 3 });
        } catch (e) {
          throw new LumenError('model', `onnxruntime engine: onnxruntime refused the ${key.split('|')[0]} graph: ${(e as Error).message}`);
        }
      })();
      s.catch(() => {
        this.sessions.delete(key);
        onFail();
      });
      this.sessions.set(key, s);
    }
    return s;
  }
}

/** A tfjs tensor as an onnxruntime float32 tensor (one copy: tfjs' data read back). */
async function toOrt(x: tf.Tensor): Promise<OrtTensorValue> {
  const ort = await onnxRuntime();
  const data = x.dtype === 'float32' ? ((await x.data()) as Float32Array) : Float32Array.from(await x.data());
  return new ort.Tensor('float32', data, x.shape);
}

/** An onnxruntime tensor as a tfjs tensor. */
function fromOrt(t: OrtTensorValue): tf.Tensor {
  return tf.tensor(t.data as Float32Array, t.dims as number[], 'float32');
}
