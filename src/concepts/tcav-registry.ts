/** The registry entry of TCAV (read by src/methods.ts): concept sets and a random pool are given as options. */
import type { Dataset } from '../core/dataset.js';
import { check } from '../core/errors.js';
import type { ConceptsExplanation } from '../core/explanation.js';
import type { GlobalMethodInfo, MethodOptions } from '../core/method-info.js';
import type { MultipleTestCorrection } from './t-test.js';
import { tcav, type TcavConceptSet } from './tcav.js';
import { tcavExplanation } from './tcav-explanation.js';
import type { CavClassifier } from './cav.js';

function isDataset(v: unknown): v is Dataset {
  const d = v as Partial<Dataset> | null;
  return typeof d === 'object' && d !== null && typeof d.size === 'number' && typeof d.batches === 'function';
}

function conceptSets(options: MethodOptions): TcavConceptSet[] {
  const c = options.concepts;
  check(Array.isArray(c) && c.length > 0 && c.every((s) => typeof s?.name === 'string' && isDataset(s?.data)), 'option', () =>
    "tcav: the 'concepts' option must be a list of { name, data: Dataset } (concept examples; `lumen tcav --concept` builds them from folders)");
  return c as TcavConceptSet[];
}

const num = (v: unknown): number | undefined => (v === undefined ? undefined : Number(v));

/** TCAV as a global concepts method over the class's examples. */
export const TCAV_METHODS: readonly GlobalMethodInfo[] = [
  {
    id: 'tcav',
    title: 'TCAV',
    family: 'concepts',
    scope: 'global',
    completeness: false,
    inputKinds: ['any'],
    paper: 'Kim et al. 2018',
    summary: "share of a class's examples whose logit rises along a concept's activation vector, over runs against random sets, with a t-test against random-vs-random runs",
    needsGradients: true,
    layer: 'required',
    options: [
      { name: 'layer', type: 'string', doc: "the layer whose activations the CAVs live in ('input' for the input)" },
      { name: 'class', type: 'integer', default: 0, doc: 'the class whose logit is differentiated (rows of the data with other labels are left out)' },
      { name: 'concepts', type: 'string', doc: 'library only: a list of { name, data: Dataset } of concept examples' },
      { name: 'random', type: 'string', doc: 'library only: a Dataset of random examples, the pool the runs draw their random sets from' },
      { name: 'runs', type: 'integer', default: 10, doc: 'runs against different random sets (and as many random-vs-random runs)' },
      { name: 'randomSetSize', type: 'integer', doc: 'examples per random set (default the largest concept set, at most half the pool)' },
      { name: 'classifier', type: 'enum', values: ['logistic', 'svm'], default: 'logistic', doc: "the CAV's linear classifier: L2 logistic regression or a linear SVM (LinearSVC's squared-hinge primal)" },
      { name: 'C', type: 'number', default: 1, doc: 'inverse L2 strength of the classifier' },
      { name: 'correction', type: 'enum', values: ['none', 'bonferroni', 'holm'], default: 'none', doc: 'correction of the p-values across concepts' },
      { name: 'alpha', type: 'number', default: 0.05, doc: 'significance level of the (corrected) p-values' },
      { name: 'seed', type: 'integer', default: 0, doc: 'seed of the random sets, the balancing draws and the splits' },
    ],
    async run(model, data, options = {}): Promise<ConceptsExplanation> {
      const random = options.random;
      check(isDataset(random), 'option', () => "tcav: the 'random' option must be a Dataset of random examples");
      check(typeof options.layer === 'string' && options.layer.length > 0, 'option', () => "tcav: the 'layer' option is required");
      const r = await tcav(model, data, {
        layer: options.layer,
        class: num(options.class) ?? 0,
        concepts: conceptSets(options),
        random,
        runs: num(options.runs),
        randomSetSize: num(options.randomSetSize),
        classifier: options.classifier as CavClassifier | undefined,
        C: num(options.C),
        correction: options.correction as MultipleTestCorrection | undefined,
        alpha: num(options.alpha),
        seed: num(options.seed),
        batchSize: num(options.batchSize),
        signal: options.signal,
      });
      return tcavExplanation(r, data.classNames?.[r.class]);
    },
  },
];
