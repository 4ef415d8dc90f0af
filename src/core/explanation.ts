/**
 * Explanations: what every method returns, as plain JSON-serialisable records with a `kind`
 * (DESIGN.md, "Contracts for the global families"). Renderers, the CLI, the report and the
 * dashboard dispatch on `kind`; a new method needs a new renderer only when it brings a new kind.
 * Values are plain numbers and arrays (no tensors, no typed arrays), so `JSON.stringify` keeps all.
 */
import type { Attribution } from './attribution.js';

/** A value `JSON.stringify` keeps as it is. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** The kinds of explanation, in DESIGN.md's order. */
export const EXPLANATION_KINDS = ['attribution', 'rules', 'tree', 'curve', 'examples', 'concepts', 'images', 'similarity', 'attack', 'fairness'] as const;

/** One of EXPLANATION_KINDS. */
export type ExplanationKind = (typeof EXPLANATION_KINDS)[number];

/** The fields every explanation has: its kind, the method id that made it and method facts. */
interface ExplanationBase<K extends ExplanationKind> {
  readonly kind: K;
  readonly method: string;
  /** Method facts worth keeping (warnings, model calls, fit statistics). */
  readonly meta?: { readonly [key: string]: JsonValue };
}

/** An Attribution made plain: `values` flattened row-major in the order of `shape`. */
export interface AttributionExplanation extends ExplanationBase<'attribution'> {
  readonly shape: readonly number[];
  readonly values: readonly number[];
  /** The class explained for each example, or null for a function target. */
  readonly target: readonly number[] | null;
  readonly featureNames?: readonly string[];
}

/** One test of a rule: `feature op value` (`in`: the value is one of a list of categories). */
export interface RuleCondition {
  readonly feature: string;
  readonly op: '<=' | '<' | '>' | '>=' | '==' | '!=' | 'in';
  readonly value: number | string | readonly (number | string)[];
}

/** An if-then rule: every condition holds → `outcome` (a class name or index, or a value). */
export interface ExplanationRule {
  readonly conditions: readonly RuleCondition[];
  readonly outcome: number | string;
  /** Share of the dataset's rows the rule applies to. */
  readonly coverage: number;
  /** Share of the rows it applies to where the model's output is `outcome`. */
  readonly precision: number;
  /** Number of the dataset's rows the rule applies to. */
  readonly support?: number;
}

/** Ordered rules (a decision list, anchors, extracted rules): the first rule that applies decides. */
export interface RulesExplanation extends ExplanationBase<'rules'> {
  readonly rules: readonly ExplanationRule[];
  /** Share of rows where the rules agree with the model. */
  readonly fidelity?: number;
}

/** A node of a surrogate decision tree: a split (`feature <= threshold`, or `feature` in `categories`, goes left) or a leaf. */
export interface TreeNodeRecord {
  readonly feature?: string;
  readonly threshold?: number;
  /** A categorical split: the levels that go left. */
  readonly categories?: readonly (number | string)[];
  readonly left?: TreeNodeRecord;
  readonly right?: TreeNodeRecord;
  /** The node's prediction: class shares, or one value for regression. */
  readonly value: readonly number[];
  /** Dataset rows that reach the node. */
  readonly samples: number;
}

/** A decision tree (a surrogate of the model, or a distillation). */
export interface TreeExplanation extends ExplanationBase<'tree'> {
  readonly root: TreeNodeRecord;
  readonly fidelity?: number;
}

/** One curve: y over x, for a feature (PD, ALE), an example (ICE) or a metric. */
export interface CurveRecord {
  readonly label: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly feature?: string;
  /** The dataset row of an ICE curve. */
  readonly example?: number;
}

/** Curves on shared axes: partial dependence, ICE, ALE, metric curves (deletion, insertion). */
export interface CurveExplanation extends ExplanationBase<'curve'> {
  readonly xLabel: string;
  readonly yLabel: string;
  readonly curves: readonly CurveRecord[];
}

/** A dataset row chosen for a query, with its score and role. */
export interface ExampleRecord {
  /** The row's index in the dataset. */
  readonly index: number;
  readonly score: number;
  /** The explained row (an index into the queries), absent for dataset-wide choices (prototypes). */
  readonly query?: number;
  readonly role?: 'neighbour' | 'proponent' | 'opponent' | 'prototype' | 'criticism';
}

/** Dataset rows with scores: nearest neighbours, influence and TracIn proponents, prototypes. */
export interface ExamplesExplanation extends ExplanationBase<'examples'> {
  readonly examples: readonly ExampleRecord[];
}

/** A concept's score for a class at a layer, with the p-value of a significance test. */
export interface ConceptScore {
  readonly concept: string;
  readonly score: number;
  readonly class?: number | string;
  readonly layer?: string;
  readonly pValue?: number;
}

/** Concept scores: TCAV, linear probes, network dissection. */
export interface ConceptsExplanation extends ExplanationBase<'concepts'> {
  readonly scores: readonly ConceptScore[];
}

/** An image as numbers in [0, 1], row-major `[height, width, channels]`. */
export interface ImageRecord {
  readonly label: string;
  readonly shape: readonly [number, number, number];
  readonly data: readonly number[];
}

/** Images a method made: feature visualisations (a neuron's, a channel's, a class's). */
export interface ImagesExplanation extends ExplanationBase<'images'> {
  readonly images: readonly ImageRecord[];
}

/** A matrix `values[i][j]` of similarities between `rows[i]` and `columns[j]` (SVCCA, CKA: layer × layer). */
export interface SimilarityExplanation extends ExplanationBase<'similarity'> {
  readonly rows: readonly string[];
  readonly columns: readonly string[];
  readonly values: readonly (readonly number[])[];
}

/** Perturbed inputs with the model's predictions before and after (FGSM, PGD, attacks on explanations). */
export interface AttackExplanation extends ExplanationBase<'attack'> {
  /** One input's shape; `inputs` holds every perturbed input flattened, one after the other. */
  readonly shape: readonly number[];
  readonly inputs: readonly number[];
  readonly originalPredictions: readonly number[];
  readonly predictions: readonly number[];
  /** Per input, the size of its perturbation in the attack's norm. */
  readonly norms?: readonly number[];
}

/** A disparity between groups (a difference or a ratio) with its bootstrap interval. */
export interface FairnessDisparity {
  readonly metric: string;
  readonly value: number;
  readonly kind: 'difference' | 'ratio';
  readonly lower?: number;
  readonly upper?: number;
}

/** A metric × group table: `values[i][j]` is `metrics[i]` on `groups[j]`. */
export interface FairnessExplanation extends ExplanationBase<'fairness'> {
  readonly metrics: readonly string[];
  readonly groups: readonly string[];
  readonly values: readonly (readonly number[])[];
  /** Bootstrap confidence bounds of `values`, in the same layout. */
  readonly lower?: readonly (readonly number[])[];
  readonly upper?: readonly (readonly number[])[];
  /** Disparities across the groups, under `convention`. */
  readonly disparities?: readonly FairnessDisparity[];
  /** 'fairlearn' (max − min, min / max over groups) or 'aif360' (unprivileged vs `privileged`). */
  readonly convention?: 'fairlearn' | 'aif360';
  readonly privileged?: string;
}

/** Every result, discriminated by `kind`. */
export type Explanation =
  | AttributionExplanation
  | RulesExplanation
  | TreeExplanation
  | CurveExplanation
  | ExamplesExplanation
  | ConceptsExplanation
  | ImagesExplanation
  | SimilarityExplanation
  | AttackExplanation
  | FairnessExplanation;

function plain(value: unknown): JsonValue | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    return Array.from(value as ArrayLike<unknown>, (v) => plain(v) ?? null);
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const entries: [string, JsonValue][] = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const p = plain(v);
      if (p !== undefined) entries.push([k, p]);
    }
    return Object.fromEntries(entries);
  }
  return undefined;
}

/**
 * An Attribution as an explanation record: values read from the tensor (the Attribution stays the
 * caller's to dispose); meta keeps what JSON can hold (tensors and functions are dropped,
 * non-finite numbers become null).
 */
export async function attributionExplanation(a: Attribution, featureNames?: readonly string[]): Promise<AttributionExplanation> {
  const meta = plain(a.meta) as { readonly [key: string]: JsonValue };
  return {
    kind: 'attribution',
    method: a.method,
    shape: a.values.shape,
    values: Array.from(await a.values.data()),
    target: a.target,
    ...(featureNames ? { featureNames } : {}),
    meta,
  };
}
