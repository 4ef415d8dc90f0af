import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../core/dataset.js';
import { check } from '../core/errors.js';
import type { AttackExplanation, JsonValue } from '../core/explanation.js';
import type { Model } from '../core/model.js';
import { classPrototypes, encodeRows, modelClasses, nearestPrototypeClass, type PrototypeOptions } from './class-prototypes.js';
import { elasticNetFista, elasticNetSettings, type ElasticNetOptions } from './elastic-net-fista.js';
import { argMax, outputGradient, predictProbabilities } from './output-gradient.js';
import { marginLoss, meetsMargin, networkTermsGradient } from './reconstruction-terms.js';
import { featureChanges, projectRow, tabularConstraints, type TabularConstraintOptions } from './tabular-constraints.js';

/** Options of `prototypeCounterfactual` (alibi's CounterfactualProto defaults unless said). */
export interface PrototypeCounterfactualOptions extends TabularConstraintOptions, ElasticNetOptions, PrototypeOptions {
  /** Classes the counterfactual may reach: an index, a list, or 'other' / undefined (any class but the prediction). */
  readonly target?: number | readonly number[] | 'other';
  /** Weight θ of the prototype term (default 100; alibi's default 0 turns it off, its examples use 10–100). */
  readonly theta?: number;
  /** Confidence margin κ on class probabilities (default 0). */
  readonly kappa?: number;
  /** Weight γ of ‖x′ − AE(x′)‖²₂ (default 0; needs `autoencoder`). */
  readonly gamma?: number;
  readonly autoencoder?: Model;
  /** Encoder of the rows (e.g. an autoencoder's): prototypes and L_proto in its space; default the (scaled) rows. */
  readonly encoder?: Model;
  /** Coordinates of the optimisation: 'mad' (default: each column in units of its MAD, as Wachter's distance) or 'none' (raw units, as alibi). */
  readonly scale?: 'mad' | 'none';
  /** Changes below this many MADs are not listed as changed (default 1e-4). */
  readonly tolerance?: number;
  /** Per-iteration progress: c step, iteration. */
  readonly onIteration?: (cStep: number, iteration: number) => void;
}

function allowedTargets(target: PrototypeCounterfactualOptions['target'], k: number, fn: string): number[] | undefined {
  if (target === undefined || target === 'other') return undefined;
  const list = typeof target === 'number' ? [target] : [...target];
  check(list.length > 0 && list.every((t) => Number.isInteger(t) && t >= 0 && t < k), 'target', () => `${fn}: target must be classes in [0, ${k - 1}] or 'other'; found ${JSON.stringify(target)}`);
  return list;
}

/**
 * Van Looveren & Klaise, Interpretable Counterfactual Explanations Guided by Prototypes, 2021, as
 * alibi's CounterfactualProto: for each row x₀ of `x` `[N, d]` (tabular, like `data`), with
 * predicted class t₀, the class prototypes of `data`'s rows grouped by the model's predictions
 * (class-prototypes.ts: mean of the k nearest encodings, or the k-th nearest with kType 'point';
 * the encodings an `encoder`'s, else the rows themselves as alibi's k-d trees) pick the nearest
 * prototype of another (allowed) class, proto; then
 *   min c·max(0, p_t₀(x′) − max_{i≠t₀} p_i(x′) + κ) + β‖x′ − x₀‖₁ + ‖x′ − x₀‖²₂ + θ‖ENC(x′) − proto‖²₂ + γ‖x′ − AE(x′)‖²₂
 * by FISTA with shrinkage-thresholding and the c search (elastic-net-fista.ts; alibi's c_init 1,
 * c_steps 2). Columns are in MAD units by default (scale 'none': raw). Immutable columns and
 * ranges come from tabular-constraints.ts; one-hot groups and categorical columns move freely while
 * optimising and each iterate is checked (and the result returned) after projecting them to a
 * valid level. All rows optimise together: one gradient call and one check per iteration.
 * Returns kind 'attack': counterfactuals with predictions, `norms` MAD-scaled L1 distances,
 * meta.changes (before → after), meta.prototypeClass, meta.prototypes (input units without an
 * encoder), success, c, cTried.
 */
export async function prototypeCounterfactual(model: Model, data: Dataset, x: tf.Tensor, options: PrototypeCounterfactualOptions = {}): Promise<AttackExplanation> {
  const fn = 'prototypeCounterfactual';
  check(x.rank === 2 && data.inputShape.length === 1 && x.shape[1] === data.inputShape[0], 'shape', () => `${fn}: rows must be [N, ${data.inputShape[0]}] like the tabular dataset; found [${x.shape}]`);
  const [n, d] = x.shape;
  const theta = options.theta ?? 100;
  const kappa = options.kappa ?? 0;
  const gamma = options.gamma ?? 0;
  const scaleKind = options.scale ?? 'mad';
  check(Number.isFinite(theta) && theta >= 0, 'option', () => `${fn}: theta must be ≥ 0; found ${theta}`);
  check(Number.isFinite(kappa) && kappa >= 0, 'option', () => `${fn}: kappa must be ≥ 0; found ${kappa}`);
  check(Number.isFinite(gamma) && gamma >= 0, 'option', () => `${fn}: gamma must be ≥ 0; found ${gamma}`);
  check(gamma === 0 || options.autoencoder !== undefined, 'option', () => `${fn}: gamma ${gamma} needs an autoencoder`);
  check(scaleKind === 'mad' || scaleKind === 'none', 'option', () => `${fn}: scale must be 'mad' or 'none'; found ${JSON.stringify(scaleKind)}`);
  const settings = elasticNetSettings({ cInit: 1, cSteps: 2, ...options }, fn);
  const c = await tabularConstraints(data, fn, options);
  const scale = scaleKind === 'mad' ? c.mad : new Array<number>(d).fill(1);
  const x0 = Float32Array.from(await x.data());
  const p0 = await predictProbabilities(model, x0, n, [d]);
  const original = p0.map(argMax);
  const k = p0[0].length;
  const allowed = allowedTargets(options.target, k, fn);
  // prototypes: in the encoder's space, else in the optimisation's (scaled) coordinates
  const toU = (v: Float32Array, rows: number): Float32Array => Float32Array.from({ length: rows * d }, (_, p) => v[p] / scale[p % d]);
  const classes = await modelClasses(model, c.table.values, c.table.rows, [d]);
  const train = options.encoder ? await encodeRows(options.encoder, c.table.values, c.table.rows, [d]) : { values: toU(c.table.values, c.table.rows), rows: c.table.rows, size: d };
  const queries = options.encoder ? await encodeRows(options.encoder, x0, n, [d]) : { values: toU(x0, n), rows: n, size: d };
  const protos = classPrototypes(train, classes, queries, k, options, fn);
  const protoClass = nearestPrototypeClass(protos, original, allowed);
  protoClass.forEach((t, i) => check(t >= 0, 'target', () => `${fn}: row ${i} has no prototype of a class it may reach (the data's rows are predicted as ${[...new Set(classes)].sort()})`));
  const e = train.size;
  const proto = new Float32Array(n * e);
  protoClass.forEach((t, i) => proto.set(protos.prototypes[i][t] as Float32Array, i * e));
  const u0 = toU(x0, n);
  const lower = new Float32Array(n * d);
  const upper = new Float32Array(n * d);
  for (let p = 0; p < n * d; p++) {
    const j = p % d;
    lower[p] = c.frozen[j] ? u0[p] : c.ranges[j][0] / scale[j];
    upper[p] = c.frozen[j] ? u0[p] : c.ranges[j][1] / scale[j];
  }
  const toX = (u: Float32Array): Float32Array => Float32Array.from(u, (v, p) => v * scale[p % d]);
  const projected = (u: Float32Array): Float32Array => {
    const v = toX(u);
    for (let i = 0; i < n; i++) projectRow(v, x0, i, c);
    return v;
  };
  const result = await elasticNetFista({
    n, d, centre: u0, lower, upper, onIteration: options.onIteration,
    gradient: async (yu, cw) => {
      const y = toX(yu);
      const g = await outputGradient(model, y, n, [d], marginLoss(original, cw, kappa, 'leave', k));
      const net = networkTermsGradient(y, n, [d], { autoencoder: options.autoencoder, gamma, encoder: options.encoder, theta, prototypes: proto }, fn);
      for (let p = 0; p < n * d; p++) {
        g[p] = (g[p] + (net ? net[p] : 0)) * scale[p % d];
        if (!options.encoder) g[p] += 2 * theta * (yu[p] - proto[p]);
      }
      return g;
    },
    valid: async (zu) => (await predictProbabilities(model, projected(zu), n, [d])).map((p, i) => meetsMargin(p, original[i], kappa, 'leave', allowed)),
  }, settings, fn);
  const found = projected(result.best);
  for (let i = 0; i < n; i++) if (!result.found[i]) found.set(x0.subarray(i * d, (i + 1) * d), i * d);
  const predictions = (await predictProbabilities(model, found, n, [d])).map(argMax);
  const { norms, changed, changes } = featureChanges(found, x0, n, c, options.tolerance);
  return {
    kind: 'attack', method: 'prototype-counterfactual', shape: [d], inputs: Array.from(found), originalPredictions: original, predictions, norms,
    meta: {
      // the class reached (any allowed class counts, as alibi's check), else the prototype's
      target: protoClass.map((t, i) => (result.found[i] ? predictions[i] : t)), prototypeClass: protoClass, success: result.found, c: result.c, cTried: result.cTried, distance: result.distance,
      prototypes: options.encoder ? null : Array.from({ length: n }, (_, i) => Array.from(proto.subarray(i * d, (i + 1) * d), (v, j) => v * scale[j])),
      prototypeDistances: protos.distances, theta, kappa, beta: settings.beta, gamma, scale: scaleKind,
      changed, changes: changes as unknown as JsonValue, featureNames: [...c.names], mad: [...c.mad], modelCalls: result.modelCalls + 3,
    },
  };
}
