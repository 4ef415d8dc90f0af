/**
 * Registry entries of the counterfactual methods (read by src/methods.ts): Wachter et al. and
 * DiCE, explaining dataset rows (`rows`) of a tabular Dataset. Options come as the library passes
 * them or as command-line text (`--opt immutable=Island,Sex`, `--opt target=other`).
 */
import type { Dataset } from '../core/dataset.js';
import { check } from '../core/errors.js';
import type { AttackExplanation } from '../core/explanation.js';
import type { GlobalMethodInfo, MethodOptions, OptionSpec } from '../core/method-info.js';
import type { Model } from '../core/model.js';
import { datasetRows } from '../local-rules/dataset-rows.js';
import { anchorRows } from '../local-rules/registry.js';
import { diverseCounterfactuals, type DiverseCounterfactualOptions } from './diverse-counterfactuals.js';
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
];
