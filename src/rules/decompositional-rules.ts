/**
 * Decompositional rule extraction through the hidden layers of a dense network: DeepRED (Zilke,
 * Loza Mencía & Janssen 2016), the multi-layer form of CRED (Sato & Tsukimoto 2001). A tree learns
 * the model's classes from the last hidden layer; each test `h_j > t` in its rules is explained by
 * a tree from the layer below to that test's outcome, and substituted (the tests of a rule
 * multiplied out as disjunctions of conjunctions), layer by layer down to the inputs. After each
 * substitution the rules are simplified: contradictory conjunctions, and conjunctions fewer than
 * `minSupport` training rows satisfy at that layer (DeepRED's data-based pruning), are dropped;
 * duplicates and conjunctions implied by a looser one of the same class removed. The input-level
 * rules become a decision list (most precise first; a rule deciding no training row is dropped;
 * a final default rule), whose agreement with the model on held-out rows is its fidelity.
 */
import type { Dataset } from '../core/dataset.js';
import { check } from '../core/errors.js';
import type { ExplanationRule, RuleCondition, RulesExplanation } from '../core/explanation.js';
import type { Model } from '../core/model.js';
import type { Progress } from '../core/options.js';
import { Rng, DEFAULT_SEED } from '../core/random.js';
import { tabularRows } from '../global/tabular-rows.js';
import { multiply, satisfies, simplifyTerms, support, treeTerms, type Conjunction, type Term } from './conjunctions.js';
import { fitDecisionTree } from './decision-tree.js';
import { denseHiddenLayers, hiddenActivations } from './hidden-layers.js';
import type { Criterion } from './impurity.js';
import { agreement, modelOutputs, RULES_BATCH } from './model-outputs.js';
import { predictTree } from './tree-predict.js';

/** Options of `decompositionalRules`. */
export interface DecompositionalRulesOptions {
  /** Depth of the tree from the last hidden layer to the model's classes (default 4). */
  readonly maxDepth?: number;
  /** Depth of each tree that explains a hidden unit's test from the layer below (default 3). */
  readonly hiddenDepth?: number;
  readonly criterion?: Criterion;
  /** Rows each leaf of every tree keeps at least (default 1). */
  readonly minSamplesLeaf?: number;
  /** A conjunction fewer training rows satisfy (at its layer) is dropped (default 1). */
  readonly minSupport?: number;
  /** At most this many conjunctions are kept per class and layer, the most supported (default 400). */
  readonly maxConjunctions?: number;
  /** Share of the rows held out to measure fidelity (default 0.2; 0: fidelity on the training rows). */
  readonly heldOutFraction?: number;
  readonly seed?: number;
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
}

/** What `decompositionalRules` found: the input-level decision list and how it was made. */
export interface DecompositionalRulesResult {
  /** Ordered: the first rule that applies decides; the last (no conditions) is the default. */
  readonly rules: readonly Term[];
  /** Agreement of the decision list with the model on the held-out rows (training rows when none are held out). */
  readonly fidelity: number;
  readonly trainFidelity: number;
  /** The same of the first tree (last hidden layer → classes), before any substitution. */
  readonly outputTreeFidelity: number;
  /** The hidden layers decomposed, input side first. */
  readonly layers: readonly string[];
  /** Trees fitted to explain hidden units' tests. */
  readonly hiddenTrees: number;
  /** Whether `maxConjunctions` cut some conjunctions. */
  readonly truncated: boolean;
  /** Every row (training, then held-out), row-major, and the model's class of each. */
  readonly values: Float32Array;
  readonly columns: number;
  readonly modelClasses: Int32Array;
  readonly trainRows: number;
  readonly heldOutRows: number;
  readonly modelCalls: number;
}

/** The class the decision list gives row `r` of `values`. */
export function decideRules(rules: readonly Term[], values: Float32Array, r: number, columns: number): number {
  for (const t of rules) if (satisfies(t.when, values, r, columns)) return t.label;
  return rules.length ? rules[rules.length - 1].label : 0;
}

function gatherRows(values: Float32Array, columns: number, order: ArrayLike<number>): Float32Array {
  const out = new Float32Array(order.length * columns);
  for (let i = 0; i < order.length; i++) out.set(values.subarray(order[i] * columns, (order[i] + 1) * columns), i * columns);
  return out;
}

/** Keeps the `max` best-supported conjunctions; reports whether any were cut. */
function cap(list: Conjunction[], max: number, values: Float32Array, rows: number, columns: number): { kept: Conjunction[]; cut: boolean } {
  if (list.length <= max) return { kept: list, cut: false };
  const scored = list.map((c) => ({ c, s: support(c, values, rows, columns) })).sort((a, b) => b.s - a.s);
  return { kept: scored.slice(0, max).map((x) => x.c), cut: true };
}

/** Orders input-level terms into a decision list on the training rows and appends the default rule. */
function decisionList(terms: readonly Term[], values: Float32Array, rows: number, columns: number, classes: Int32Array, k: number): Term[] {
  const scored = terms.map((t) => {
    let n = 0;
    let right = 0;
    for (let r = 0; r < rows; r++) {
      if (!satisfies(t.when, values, r, columns)) continue;
      n++;
      if (classes[r] === t.label) right++;
    }
    return { t, n, precision: n ? right / n : 0 };
  }).sort((a, b) => b.precision - a.precision || b.n - a.n);
  const decided = new Uint8Array(rows);
  const list: Term[] = [];
  for (const { t } of scored) {
    let fresh = 0;
    for (let r = 0; r < rows; r++) {
      if (decided[r] || !satisfies(t.when, values, r, columns)) continue;
      decided[r] = 1;
      fresh++;
    }
    if (fresh) list.push(t);
  }
  const counts = new Float64Array(k);
  let left = 0;
  for (let r = 0; r < rows; r++) if (!decided[r]) { counts[classes[r]]++; left++; }
  if (!left) for (let r = 0; r < rows; r++) counts[classes[r]]++;
  let label = 0;
  for (let c = 1; c < k; c++) if (counts[c] > counts[label]) label = c;
  list.push({ when: new Map(), label });
  return list;
}

/** DeepRED rule extraction from a dense network on a tabular Dataset; see the file comment. */
export async function decompositionalRules(model: Model, data: Dataset, options: DecompositionalRulesOptions = {}): Promise<DecompositionalRulesResult> {
  const fn = 'decompositionalRules';
  const hidden = denseHiddenLayers(model, fn);
  const batchSize = options.batchSize ?? RULES_BATCH;
  const fraction = options.heldOutFraction ?? 0.2;
  const minSupport = options.minSupport ?? 1;
  const maxConjunctions = options.maxConjunctions ?? 400;
  check(fraction >= 0 && fraction < 1, 'option', () => `${fn}: heldOutFraction must be in [0, 1); found ${fraction}`);
  check(Number.isInteger(minSupport) && minSupport >= 1, 'option', () => `${fn}: minSupport must be a positive integer; found ${minSupport}`);
  check(Number.isInteger(maxConjunctions) && maxConjunctions >= 1, 'option', () => `${fn}: maxConjunctions must be a positive integer; found ${maxConjunctions}`);
  const tree = { criterion: options.criterion ?? 'gini', minSamplesLeaf: options.minSamplesLeaf ?? 1 } as const;
  const table = await tabularRows(data, fn, batchSize, options.signal);
  const columns = table.columns;
  check(columns === model.inputShape[0], 'input', () => `${fn}: the data has ${columns} columns; the model takes ${model.inputShape[0]}`);
  const order = new Rng(options.seed ?? DEFAULT_SEED).permutation(table.rows);
  const nTest = Math.round(fraction * table.rows);
  const nTrain = table.rows - nTest;
  check(nTrain >= 2, 'input', () => `${fn}: need at least 2 training rows after holding out ${nTest} of ${table.rows}`);
  // Training rows first, then held-out ones, so every per-row array splits at nTrain.
  const values = gatherRows(table.values, columns, Array.from(order.subarray(nTest)).concat(Array.from(order.subarray(0, nTest))));
  const total = table.rows;
  const out = await modelOutputs(model, values, total, columns, { batchSize, signal: options.signal, fn });
  const acts = await hiddenActivations(model, hidden, values, total, columns, batchSize, options.signal);
  const steps = hidden.length + 1;
  options.onProgress?.({ done: 1, total: steps });
  // Layer values per level: 0 = inputs, 1..L = hidden layers; their training parts.
  const levels = [{ values, units: columns }, ...acts.map((a, i) => ({ values: a, units: hidden[i].units }))];
  const trainPart = (l: number): Float32Array => levels[l].values.subarray(0, nTrain * levels[l].units);
  const classes = out.predicted;
  const trainClasses = classes.subarray(0, nTrain);
  const top = hidden.length;
  const outputTree = fitDecisionTree({ values: trainPart(top), rows: nTrain, columns: levels[top].units, labels: trainClasses, classes: out.classes }, { ...tree, maxDepth: options.maxDepth ?? 4 });
  const held = (l: number): Float32Array => (nTest ? levels[l].values.subarray(nTrain * levels[l].units) : trainPart(l));
  const heldClasses = nTest ? classes.subarray(nTrain) : trainClasses;
  const outputTreeFidelity = agreement(predictTree(outputTree, held(top)), heldClasses);
  let terms: Term[] = treeTerms(outputTree);
  let hiddenTrees = 0;
  let truncated = false;
  for (let l = top; l >= 1; l--) {
    options.signal?.throwIfAborted();
    const below = trainPart(l - 1);
    const unitsBelow = levels[l - 1].units;
    const here = trainPart(l);
    const units = levels[l].units;
    // The tree explaining `h_unit > t` from layer l − 1: its leaves as conjunctions per outcome.
    const explained = new Map<string, { above: Conjunction[]; atOrBelow: Conjunction[] }>();
    const explain = (unit: number, t: number): { above: Conjunction[]; atOrBelow: Conjunction[] } => {
      const k = `${unit}:${t}`;
      const known = explained.get(k);
      if (known) return known;
      const labels = new Int32Array(nTrain);
      for (let r = 0; r < nTrain; r++) labels[r] = here[r * units + unit] > t ? 1 : 0;
      const split = fitDecisionTree({ values: below, rows: nTrain, columns: unitsBelow, labels, classes: 2 }, { ...tree, maxDepth: options.hiddenDepth ?? 3 });
      hiddenTrees++;
      const leaves = treeTerms(split);
      const r = { above: leaves.filter((x) => x.label === 1).map((x) => x.when), atOrBelow: leaves.filter((x) => x.label === 0).map((x) => x.when) };
      explained.set(k, r);
      return r;
    };
    const next: Term[] = [];
    for (const term of terms) {
      let dnf: Conjunction[] = [new Map()];
      for (const [unit, interval] of term.when) {
        if (interval.lower > -Infinity) dnf = multiply(dnf, explain(unit, interval.lower).above, below, nTrain, unitsBelow, minSupport);
        if (interval.upper < Infinity) dnf = multiply(dnf, explain(unit, interval.upper).atOrBelow, below, nTrain, unitsBelow, minSupport);
        const c = cap(dnf, maxConjunctions, below, nTrain, unitsBelow);
        dnf = c.kept;
        truncated ||= c.cut;
        if (!dnf.length) break;
      }
      for (const when of dnf) next.push({ when, label: term.label });
    }
    terms = simplifyTerms(next);
    options.onProgress?.({ done: top - l + 2, total: steps });
  }
  const rules = decisionList(terms, values, nTrain, columns, trainClasses, out.classes);
  const decide = (v: Float32Array, rows: number): Int32Array => Int32Array.from({ length: rows }, (_, r) => decideRules(rules, v, r, columns));
  const trainFidelity = agreement(decide(values, nTrain), trainClasses);
  const fidelity = nTest ? agreement(decide(values.subarray(nTrain * columns), nTest), heldClasses) : trainFidelity;
  return { rules, fidelity, trainFidelity, outputTreeFidelity, layers: hidden.map((h) => h.name), hiddenTrees, truncated, values, columns, modelClasses: classes, trainRows: nTrain, heldOutRows: nTest, modelCalls: out.calls + Math.ceil(total / batchSize) };
}

function conditionsOf(when: Conjunction, featureName: (f: number) => string): RuleCondition[] {
  const out: RuleCondition[] = [];
  for (const [f, i] of [...when].sort((a, b) => a[0] - b[0])) {
    if (i.lower > -Infinity) out.push({ feature: featureName(f), op: '>', value: i.lower });
    if (i.upper < Infinity) out.push({ feature: featureName(f), op: '<=', value: i.upper });
  }
  return out;
}

/**
 * The result as a `'rules'` Explanation. Each rule is measured on the rows it decides (it applies
 * and no earlier rule does), over every row (training and held-out): coverage, support and
 * precision against the model; so the coverages sum to 1 and the default rule's are its own rows'.
 */
export function decompositionalRulesExplanation(result: DecompositionalRulesResult, data: Pick<Dataset, 'featureNames' | 'classNames'>): RulesExplanation {
  const rows = result.modelClasses.length;
  const featureName = (f: number): string => data.featureNames?.[f] ?? `f${f}`;
  const decided = new Uint8Array(rows);
  const rules: ExplanationRule[] = result.rules.map((t) => {
    let n = 0;
    let right = 0;
    for (let r = 0; r < rows; r++) {
      if (decided[r] || !satisfies(t.when, result.values, r, result.columns)) continue;
      decided[r] = 1;
      n++;
      if (result.modelClasses[r] === t.label) right++;
    }
    return { conditions: conditionsOf(t.when, featureName), outcome: data.classNames?.[t.label] ?? t.label, coverage: rows ? n / rows : 0, precision: n ? right / n : 0, support: n };
  });
  return {
    kind: 'rules',
    method: 'deepred',
    rules,
    fidelity: result.fidelity,
    meta: {
      trainFidelity: result.trainFidelity,
      outputTreeFidelity: result.outputTreeFidelity,
      layers: [...result.layers],
      hiddenTrees: result.hiddenTrees,
      truncated: result.truncated,
      trainRows: result.trainRows,
      heldOutRows: result.heldOutRows,
      modelCalls: result.modelCalls,
    },
  };
}
