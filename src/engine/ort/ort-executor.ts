import * as tf from '@tensorflow/tfjs';
import type { InferenceSession, Tensor as OrtTensorValue } from 'onnxruntime-common';
import type { ExecutedGradient, GradientExecutor, TargetSelection } from '../../core/model.js';
import { GRADIENT_RULE, ruleForm, ruleSetForm, type Rule, type RuleSet, type RuleSetForm } from '../../core/rules.js';
import { ruleSetBackwardRules } from './rules/relu-masked.js';
import { needsReference, segmentRule } from './rules/part-rules.js';
import { LumenError } from '../../core/errors.js';
import { backwardGraph, GRAD, opsWithoutRule, REF, SEED, type PartRules, type SegmentRule } from './backward.js';
import type { PartTag } from './layers-to-onnx.js';
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
  /** The layer part each forward node computes, by its first output (needed to compile 'per-rule' rule sets). */
  readonly parts?: ReadonlyMap<string, PartTag>;
  /** The rule `rules` chooses for every layer part, by `layer\u0000part` (the tfjs rule engine's plan); a LumenError when a part has none. */
  planRules?(rules: RuleSet): ReadonlyMap<string, Rule>;
}

/** A 'per-rule' rule set compiled for this model: a key of its rules' forms, and the part rules. */
interface CompiledRules {
  readonly key: string;
  readonly parts: PartRules;
}

/** A short name of a rule set's form, for session and refusal keys. */
function formKey(form: RuleSetForm | undefined, compiled: CompiledRules | null): string {
  if (!form) return '';
  return form.kind === 'relu-masked' ? `${form.kind}:${form.rule}` : `${form.kind}:${compiled?.key ?? ''}`;
}

/** The refusal record of a gradient space under a rule set's form (or none). */
function refusalKey(layer: string | null, key: string): string {
  return `${layer ?? ''}${key ? `\u0000${key}` : ''}`;
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
 * (layer, rule forms, batch size) — rule sets with a declared form (guided backprop, deconvnet,
 * LRP, DeepLIFT rescale) are compiled into the backward graph, others keep tfjs' tape —, each with
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
  /** 'per-rule' rule sets compiled (or refused, with the reason). */
  private readonly compiled = new WeakMap<RuleSet, CompiledRules | LumenError>();

  constructor(readonly source: OrtSource) {}

  /** The forward output for a batch, run by onnxruntime; the caller owns it. */
  async predict(x: tf.Tensor): Promise<tf.Tensor> {
    const session = await this.session('forward', async () => ({ ...this.source.forward, inputs: [{ ...this.source.forward.inputs[0], dims: ['N', ...x.shape.slice(1)] }] }), () => undefined);
    const out = await session.run({ [this.inputName]: await toOrt(x) });
    this.stats.forwardRuns++;
    return fromOrt(out[this.outputName]);
  }

  /**
   * The forward output for rows given as a float32 array of shape `dims` (no tfjs tensors on either
   * side: for forward-only methods that build their batches in JS); returns the output's values and
   * dims. `softmax`: the output's softmax along its last axis instead (a Softmax node appended,
   * for a model that returns logits of `[N, k]`).
   */
  async predictArray(data: Float32Array, dims: readonly number[], options: { readonly softmax?: boolean } = {}): Promise<{ readonly data: Float32Array; readonly dims: readonly number[] }> {
    const softmax = options.softmax === true;
    const session = await this.session(softmax ? 'forward-softmax' : 'forward', async () => {
      const forward = this.source.forward;
      const graph: OrtGraph = { ...forward, inputs: [{ ...forward.inputs[0], dims: ['N', ...dims.slice(1)] }] };
      if (!softmax) return graph;
      const output = forward.outputs[0];
      const name = `${output.name}/lumen_softmax`;
      return { ...graph, nodes: [...forward.nodes, { op: 'Softmax', inputs: [output.name], outputs: [name], attrs: { axis: { i: -1 } } }], outputs: [{ ...output, name }] };
    }, () => undefined);
    const ort = await onnxRuntime();
    const out = await session.run({ [this.inputName]: new ort.Tensor('float32', data, [...dims]) });
    this.stats.forwardRuns++;
    const value = out[softmax ? `${this.outputName}/lumen_softmax` : this.outputName];
    return { data: value.data as Float32Array, dims: value.dims };
  }

  supports(layer: string | null, rules: RuleSet | undefined): boolean {
    const form = rules ? ruleSetForm(rules) : undefined;
    if (rules && !form) return false;
    const wrt = layer === null ? this.inputName : this.source.layerValue(layer);
    let compiled: CompiledRules | null = null;
    if (rules && form?.kind === 'per-rule') {
      const c = this.compile(rules, form);
      if (c instanceof LumenError) {
        warnOnce(this.source.name, c.message.replace(/^onnxruntime engine: /, ''));
        return false;
      }
      compiled = c;
    }
    const key = refusalKey(layer, formKey(form, compiled));
    if (wrt === null || this.refused.has(key)) return false;
    const missing = opsWithoutRule(this.spaceGraph(wrt), wrt, this.outputName, form?.kind === 'relu-masked' ? ruleSetBackwardRules(form) : undefined);
    if (missing.length > 0) {
      // Under guided backprop or deconvnet, an op outside their families keeps the pass on tfjs (whose rule engine decides), without a warning.
      if (form?.kind === 'relu-masked') this.refused.add(key);
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
    let compiled: CompiledRules | null = null;
    if (rules && form?.kind === 'per-rule') {
      const c = this.compile(rules, form);
      if (c instanceof LumenError) return null;
      compiled = c;
    }
    const batch = points.shape[0];
    const fkey = formKey(form, compiled);
    let session: InferenceSession;
    try {
      session = await this.session(`grad|${layer ?? ''}|${fkey}|${batch}`, async () => {
        const shapes = await this.probe(batch, inputs);
        const graph = this.spaceGraph(wrt, shapes.get(wrt));
        const spaced = { ...graph, inputs: graph.inputs.map((i) => ({ ...i, dims: shapes.get(i.name) })) };
        return backwardGraph(spaced, wrt, shapes, form?.kind === 'relu-masked' ? ruleSetBackwardRules(form) : undefined, compiled?.parts);
      }, () => this.probes.delete(batch));
    } catch (e) {
      if (!(e instanceof LumenError)) throw e;
      if (form?.kind === 'relu-masked') this.refused.add(refusalKey(layer, fkey));
      else this.refuse(layer, e.message.replace(/^onnxruntime engine: /, ''), fkey);
      return null;
    }
    const feeds: Record<string, OrtTensorValue> = { [wrt]: await toOrt(points) };
    if (wrt !== this.inputName && session.inputNames.includes(this.inputName)) feeds[this.inputName] = await toOrt(inputs);
    if (compiled?.parts.reference) {
      // DeepLIFT: the reference rows of this batch (one shared row repeated) feed the graph's reference pass.
      const rows = form?.kind === 'per-rule' ? form.references?.() : null;
      if (!rows) return null;
      for (const [name, t] of [[wrt, rows.points], [this.inputName, rows.inputs]] as const) {
        if (!session.inputNames.includes(REF + name) || feeds[REF + name]) continue;
        const expanded = t.shape[0] === batch ? t : tf.tidy(() => tf.concat(new Array<tf.Tensor>(batch).fill(t)));
        feeds[REF + name] = await toOrt(expanded);
        if (expanded !== t) expanded.dispose();
      }
    }
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

  private refuse(layer: string | null, why: string, key = ''): void {
    this.refused.add(refusalKey(layer, key));
    warnOnce(this.source.name, why);
  }

  /**
   * A 'per-rule' rule set as part rules: the tfjs rule engine's plan for every layer part, and the
   * compiled backward pass of each part whose rule is not the gradient (rules/part-rules.ts); a
   * LumenError saying why when the model's graph has no part tags or a rule has no declared form.
   */
  private compile(rules: RuleSet, form: Extract<RuleSetForm, { kind: 'per-rule' }>): CompiledRules | LumenError {
    const known = this.compiled.get(rules);
    if (known) return known;
    let result: CompiledRules | LumenError;
    try {
      result = this.compileParts(rules, form);
    } catch (e) {
      if (!(e instanceof LumenError)) throw e;
      result = e;
    }
    this.compiled.set(rules, result);
    return result;
  }

  private compileParts(rules: RuleSet, form: Extract<RuleSetForm, { kind: 'per-rule' }>): CompiledRules {
    const { parts, planRules } = this.source;
    if (!parts || !planRules) throw new LumenError('model', 'onnxruntime engine: its graph does not map nodes to layer parts, so propagation rules are not compiled');
    const plan = planRules(rules);
    const segments = new Map<string, { key: string; rule: SegmentRule }>();
    const byPart = new Map<string, SegmentRule>();
    const keys: string[] = [];
    let reference = false;
    for (const [value, tag] of parts) {
      const key = `${tag.layer}\u0000${tag.part}`;
      const rule = plan.get(key);
      if (!rule || rule === GRADIENT_RULE) continue;
      let compiled = byPart.get(key);
      if (!compiled) {
        const f = ruleForm(rule);
        if (!f) throw new LumenError('model', `onnxruntime engine: rule '${rule.name}' of layer '${tag.layer}' has no onnxruntime form`);
        if (needsReference(f) && !form.references) throw new LumenError('model', `onnxruntime engine: rule '${rule.name}' needs reference rows, which the rule set does not give`);
        compiled = segmentRule(f);
        byPart.set(key, compiled);
        keys.push(`${tag.layer}/${tag.part}=${JSON.stringify(f)}`);
        reference ||= needsReference(f);
      }
      segments.set(value, { key, rule: compiled });
    }
    return { key: keys.join(';'), parts: { segments, reference } };
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
