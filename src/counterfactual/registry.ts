/**
 * Registry entries of the counterfactual methods (read by src/methods.ts): Wachter et al., DiCE
 * and prototype-guided counterfactuals explaining dataset rows (`rows`) of a tabular Dataset, and
 * CEM's pertinent negatives / positives of any input (`cem`, mode pn | pp). Options come as the library passes
 * them or as command-line text (`--opt immutable=Island,Sex`, `--opt target=other`).
 */
import type { Dataset } from '../core/dataset.js';
import { check } from '../core/errors.js';
import type { AttackExplanation } from '../core/explanation.js';
import type { GlobalMethodInfo, MethodOptions, OptionSpec } from '../core/method-info.js';
import type { Model } from '../core/model.js';
import { datasetRows } from '../local-rules/dataset-rows.js';
import { anchorRows } from '../local-rules/registry.js';
import { contrastiveExplanation, type ContrastiveOptions } from './contrastive-explanations.js';
import { diverseCounterfactuals, type DiverseCounterfactualOptions } from './diverse-counterfactuals.js';
import { prototypeCounterfactual, type PrototypeCounterfactualOptions } from './prototype-counterfactual.js';
import { wachterCounterfactual, type WachterOptions } from './wachter-counterfactual.js';

/**
 * The counterfactual target of a registry or CLI call: a class index (number or integer text), or
 * 'other' / undefined (the most probable class other than the prediction).
 */
export function counterfactualTarget(value: unknown, fn: string): number | 'other' | undefined {
  if (value === undefined || value === 'other') return value;
  const v = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  check(typeof v === 'number' && Number.isInteger(v) && v >= 0, 'option', () => `${fn}: a counterfactual's target is a class index or 'other'; found ${JSON.stringify(value)}`);
  return v;
}

/**
 * The `immutable` option: column indices or names, a list or comma-separated text ('Island,4'); a
 * name that is no column but the prefix of one-hot columns (`Island` of `Island=Dream` …) stands for
 * all of them when `featureNames` are given.
 */
export function immutableColumns(value: unknown, fn: string, featureNames?: readonly string[]): (number | string)[] | undefined {
  if (value === undefined) return undefined;
  const items: unknown[] = typeof value === 'string' ? value.split(',').map((s) => s.trim()) : Array.isArray(value) ? value : [value];
  const out = items.map((v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v));
  check(out.every((v) => (typeof v === 'number' && Number.isInteger(v) && v >= 0) || (typeof v === 'string' && v !== '')), 'option', () =>
    `${fn}: immutable must be column indices or feature names, a list or comma-separated; found ${JSON.stringify(value)}`);
  return (out as (number | string)[]).flatMap((v) => {
    if (typeof v !== 'string' || !featureNames || featureNames.includes(v)) return [v];
    const group = featureNames.filter((f) => f.startsWith(`${v}=`));
    return group.length > 0 ? group : [v];
  });
}

const shared: readonly OptionSpec[] = [
  { name: 'rows', type: 'string', default: '0', doc: 'dataset rows to explain (indices, comma-separated)' },
  { name: 'target', type: 'string', default: 'other', doc: "the class to reach: an index, or 'other' (the most probable other class)" },
  { name: 'immutable', type: 'string', doc: 'columns never changed: indices or names, comma-separated' },
  { name: 'learningRate', type: 'number', default: 0.05, doc: 'step size of the optimiser' },
];

/** Runs `method` on the `rows` of `data` with the entry's parsed options. */
async function onRows<O>(model: Model, data: Dataset, options: MethodOptions, fn: string,
  method: (model: Model, data: Dataset, x: Awaited<ReturnType<typeof datasetRows>>, options: O) => Promise<AttackExplanation>): Promise<AttackExplanation> {
  const rows = await datasetRows(data, anchorRows(options, fn), fn);
  try {
    const parsed = { ...options, target: counterfactualTarget(options.target, fn), immutable: immutableColumns(options.immutable, fn, data.featureNames) };
    return await method(model, data, rows, parsed as unknown as O);
  } finally {
    rows.dispose();
  }
}

/** The elastic-net FISTA options of CEM and prototype-guided counterfactuals. */
const elasticNet = (cInit: number, cSteps: number): OptionSpec[] => [
  { name: 'kappa', type: 'number', default: 0, doc: 'confidence margin κ on class probabilities' },
  { name: 'beta', type: 'number', default: 0.1, doc: 'weight β of the L1 term' },
  { name: 'cInit', type: 'number', default: cInit, doc: 'first weight c of the prediction term' },
  { name: 'cSteps', type: 'integer', default: cSteps, doc: 'values of c tried per row (×10 until valid, then bisected)' },
  { name: 'maxIterations', type: 'integer', default: 1000, doc: 'FISTA iterations per c' },
  { name: 'learningRate', type: 'number', default: 0.01, doc: 'first FISTA step size (decayed to 0 with power 0.5)' },
];

/** The smallest and largest value of a Dataset's rows (CEM's default feature range). */
export async function datasetRange(data: Dataset): Promise<[number, number]> {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for await (const batch of data.batches(512)) {
    try {
      const v = await batch.x.data();
      for (let p = 0; p < v.length; p++) {
        if (v[p] < lo) lo = v[p];
        if (v[p] > hi) hi = v[p];
      }
    } finally {
      batch.x.dispose();
      batch.y?.dispose();
    }
  }
  return [lo, hi];
}

const base = { family: 'rules', scope: 'global', needsGradients: false, layer: 'none', completeness: false, inputKinds: ['tabular'] } as const;

/** Counterfactual explanations of tabular rows. */
export const COUNTERFACTUAL_METHODS: readonly GlobalMethodInfo[] = [
  {
    ...base,
    id: 'wachter-counterfactual',
    title: 'Counterfactual (Wachter)',
    paper: 'Wachter, Mittelstadt & Russell, Counterfactual Explanations without Opening the Black Box, 2018',
    summary: 'the closest row (MAD-scaled L1) the model gives the target class, λ searched ×10 then bisected',
    options: [...shared,
      { name: 'lambdaInit', type: 'number', default: 0.1, doc: 'first weight of the prediction term' },
      { name: 'lambdaSteps', type: 'integer', default: 10, doc: 'values of λ tried per row' },
      { name: 'steps', type: 'integer', default: 300, doc: 'proximal gradient steps per λ' }],
    run: (model, data, options = {}) => onRows<WachterOptions>(model, data, options, 'wachterCounterfactual', wachterCounterfactual),
  },
  {
    ...base,
    id: 'dice',
    title: 'Diverse counterfactuals (DiCE)',
    paper: 'Mothilal, Sharma & Tan, Explaining Machine Learning Classifiers through Diverse Counterfactual Explanations, 2020',
    summary: 'k counterfactuals per row kept apart by a DPP diversity term, then made sparse',
    options: [...shared,
      { name: 'count', type: 'integer', default: 4, doc: 'counterfactuals per row' },
      { name: 'proximityWeight', type: 'number', default: 0.5, doc: 'weight of the distance to the row' },
      { name: 'diversityWeight', type: 'number', default: 1, doc: 'weight of the DPP diversity term' },
      { name: 'maxIterations', type: 'integer', default: 5000, doc: 'Adam steps at most' },
      { name: 'minIterations', type: 'integer', default: 500, doc: 'Adam steps before stopping may be considered' },
      { name: 'posthocSparsity', type: 'boolean', default: true, doc: 'reset changes while the target class holds' },
      { name: 'seed', type: 'integer', default: 42, doc: 'seed of the starting points' }],
    run: (model, data, options = {}) => onRows<DiverseCounterfactualOptions>(model, data, options, 'diverseCounterfactuals', diverseCounterfactuals),
  },
  {
    ...base,
    id: 'prototype-counterfactual',
    title: 'Counterfactual guided by prototypes',
    paper: 'Van Looveren & Klaise, Interpretable Counterfactual Explanations Guided by Prototypes, 2021',
    summary: 'an elastic-net counterfactual pulled towards the nearest prototype of another class (FISTA, c searched)',
    options: [...shared.filter((o) => o.name !== 'learningRate'), ...elasticNet(1, 2),
      { name: 'theta', type: 'number', default: 100, doc: 'weight θ of the prototype term' },
      { name: 'k', type: 'integer', doc: 'nearest rows per class a prototype averages (default all of the class)' },
      { name: 'kType', type: 'enum', values: ['mean', 'point'], default: 'mean', doc: 'mean of the k nearest, or the k-th nearest row' },
      { name: 'scale', type: 'enum', values: ['mad', 'none'], default: 'mad', doc: 'optimise in MAD units or raw units' }],
    run: (model, data, options = {}) => onRows<PrototypeCounterfactualOptions>(model, data, options, 'prototypeCounterfactual', prototypeCounterfactual),
  },
  {
    ...base,
    id: 'cem',
    title: 'Contrastive explanation (CEM)',
    paper: 'Dhurandhar et al., Explanations based on the Missing: Towards Contrastive Explanations with Pertinent Negatives, 2018',
    summary: 'pertinent negative (the least addition that flips the class) or positive (the least part that keeps it), elastic net by FISTA',
    inputKinds: ['image', 'tabular'],
    options: [
      { name: 'rows', type: 'string', default: '0', doc: 'dataset rows to explain (indices, comma-separated)' },
      { name: 'mode', type: 'enum', values: ['pn', 'pp'], default: 'pn', doc: 'pertinent negative or pertinent positive' },
      ...elasticNet(10, 10),
      { name: 'gamma', type: 'number', default: 0, doc: 'weight γ of the autoencoder term (a library caller passes `autoencoder`; the CLI --autoencoder)' },
      { name: 'lower', type: 'number', doc: 'smallest input value (default the data\'s)' },
      { name: 'upper', type: 'number', doc: 'largest input value (default the data\'s)' },
      { name: 'absentValue', type: 'number', default: 0, doc: 'the value meaning absent for pertinent positives' }],
    run: async (model, data, options = {}) => {
      const fn = 'contrastiveExplanation';
      const rows = await datasetRows(data, anchorRows(options, fn), fn);
      try {
        const range = typeof options.lower === 'number' && typeof options.upper === 'number' ? [options.lower, options.upper] as const : await datasetRange(data);
        const featureRange = [typeof options.lower === 'number' ? options.lower : range[0], typeof options.upper === 'number' ? options.upper : range[1]] as const;
        const e = await contrastiveExplanation(model, rows, { ...(options as ContrastiveOptions), featureRange });
        return { ...e, meta: { ...e.meta, rows: anchorRows(options, fn) } };
      } finally {
        rows.dispose();
      }
    },
  },
];
