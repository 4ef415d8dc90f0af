/**
 * Parity builders of the metrics: Captum's `infidelity` and `sensitivity_max` (perturbations read
 * from the fixture's recorded tables) and Quantus' metrics in deterministic configurations
 * (`quantus_cnn.json`). Quantus' conventions (batch-wide normalisation, no start point on curves,
 * its IROF and Monotonicity variants …) are passed as options; the recorded attributions are fed
 * in, so each metric is checked independently of the method that made them.
 */
import * as tf from '@tensorflow/tfjs';
import type { MethodOptions } from '../../core/method-info.js';
import { fixtureTensor, type Fixture, type FixtureEntry, type FixtureValue } from '../../models/fixture.js';
import { metricById, type MetricRunOptions } from '../../metrics/registry.js';
import type { MetricResult, PerturbBaseline } from '../../metrics/result.js';
import { trapezoid } from '../../metrics/shared.js';
import type { CaseBuilder, ParityCase } from '../case.js';

type Json = Readonly<Record<string, unknown>>;

/** Flattens nested score lists, booleans as 0/1. */
function flatScores(v: unknown): number[] {
  if (Array.isArray(v)) return v.flatMap(flatScores);
  if (typeof v === 'boolean') return [v ? 1 : 0];
  return [Number(v)];
}

// ---------- Captum ----------

function recordedAttribution(fixture: Fixture, methodId: unknown): FixtureValue | undefined {
  const m = fixture.json.methods?.find((e) => e.id === methodId);
  return m && typeof m.attribution === 'object' ? m.attribution : undefined;
}

function table(fixture: Fixture, name: 'infidelity' | 'sensitivity'): FixtureValue | undefined {
  const tables = fixture.json.perturbation_tables as Readonly<Record<string, FixtureValue>> | undefined;
  return tables?.[name];
}

const captumInfidelity: CaseBuilder = (entry, kw, fixture) => {
  const attribution = recordedAttribution(fixture, entry.attribution_method_id);
  const t = table(fixture, 'infidelity');
  if (!attribution || !t) return null;
  return {
    method: 'infidelity',
    async compute() {
      const subject = fixtureTensor(attribution);
      const perturbations = fixtureTensor(t);
      try {
        const r = await metricById('infidelity').run(fixture.model, fixture.inputs, subject, {
          target: kw.target as number[],
          perturbation: { kind: 'table', table: perturbations },
          normalize: kw.normalize === true,
          output: 'logits',
        });
        return r.scores;
      } finally {
        tf.dispose([subject, perturbations]);
      }
    },
  };
};

const sensitivityMethods: Readonly<Record<string, { method: string; options: MethodOptions }>> = {
  saliency_abs: { method: 'saliency', options: { mode: 'absolute' } },
  input_x_gradient: { method: 'input-x-gradient', options: {} },
};

const captumSensitivityMax: CaseBuilder = (entry, kw, fixture) => {
  const m = sensitivityMethods[String(entry.attribution_method_id)];
  const t = table(fixture, 'sensitivity');
  if (!m || !t) return null;
  const target = (kw.explanation_kwargs as Json | undefined)?.target as number[] | undefined;
  return {
    method: 'max-sensitivity',
    async compute() {
      const perturbations = fixtureTensor(t);
      try {
        const r = await metricById('max-sensitivity').run(fixture.model, fixture.inputs, m.method, { target, perturbations, explainOptions: m.options });
        return r.scores;
      } finally {
        perturbations.dispose();
      }
    },
  };
};

// ---------- Quantus ----------

interface QuantusSetup {
  readonly ctor: Json;
  readonly softmax: boolean;
  readonly pre: { normalise: 'batch' | 'none'; abs: boolean };
  readonly base: MetricRunOptions;
}

function quantusSetup(entry: FixtureEntry, fixture: Fixture): QuantusSetup {
  const ctor = ((entry as Json)['constructor'] ?? {}) as Json;
  const call = (entry.call ?? {}) as Json;
  const pre = { normalise: ctor.normalise === true ? ('batch' as const) : ('none' as const), abs: ctor.abs === true };
  return { ctor, softmax: call.softmax === true, pre, base: { target: [...fixture.targets], ...pre } };
}

function baselineOf(v: unknown): PerturbBaseline {
  return typeof v === 'number' ? v : v === 'black' ? 'black' : v === 'white' ? 'white' : 'example-mean';
}

/** The recorded stable-sort result where there is one, else Quantus' own scores. */
function quantusReference(entry: FixtureEntry, own: unknown = entry.scores): number[] {
  const alt = entry.alternative_stable_tie_break as Json | undefined;
  return flatScores(alt ? alt.scores : own);
}

/** A Quantus case: the recorded attribution of the entry, the fixture's inputs, and the metric's options. */
function quantus(
  id: string,
  options: (s: QuantusSetup, fixture: Fixture, entry: FixtureEntry) => MetricRunOptions | null,
  pick: (r: MetricResult, entry: FixtureEntry) => number[] = (r) => r.scores.slice(),
  reference?: (entry: FixtureEntry) => number[],
): CaseBuilder {
  return (entry, _kw, fixture) => {
    const attributions = fixture.json.attributions as Readonly<Record<string, FixtureValue>> | undefined;
    const attribution = attributions?.[String(entry.attribution)];
    if (!attribution) return null;
    const setup = quantusSetup(entry, fixture);
    const opts = options(setup, fixture, entry);
    if (!opts) return null;
    return {
      method: id,
      reference: reference ? reference(entry) : quantusReference(entry),
      async compute() {
        const subject = fixtureTensor(attribution);
        try {
          // The runner holds references as float32; exact (discrete) entries are compared at that precision.
          return Float32Array.from(pick(await metricById(id).run(fixture.model, fixture.inputs, subject, { ...setup.base, ...opts }), entry));
        } finally {
          subject.dispose();
          for (const v of Object.values(opts)) if (v instanceof tf.Tensor) v.dispose();
        }
      },
    };
  };
}

const curves = (r: MetricResult): number[] => (r.curves ?? []).flat();
const output = (s: QuantusSetup): 'probabilities' | 'logits' => (s.softmax ? 'probabilities' : 'logits');

function masks(fixture: Fixture): tf.Tensor {
  return fixtureTensor((fixture.json.masks as Json).s_batch as FixtureValue);
}

function localisation(id: string, extra: (s: QuantusSetup) => MetricRunOptions = () => ({})): CaseBuilder {
  return quantus(id, (s, fixture) => ({ masks: masks(fixture), ...extra(s) }));
}

export const METRIC_BUILDERS: Readonly<Record<string, CaseBuilder>> = {
  'captum.metrics.infidelity': captumInfidelity,
  'captum.metrics.sensitivity_max': captumSensitivityMax,
  'quantus.PixelFlipping': quantus(
    'pixel-flipping',
    (s) => ({ featuresPerStep: Number(s.ctor.features_in_step), baseline: baselineOf(s.ctor.perturb_baseline), output: output(s), includeStart: false }),
    (r, entry) => (((entry as Json)['constructor'] as Json).return_auc_per_sample ? (r.curves ?? []).map((c) => trapezoid(c, 1)) : curves(r)),
  ),
  'quantus.RegionPerturbation': quantus('region-perturbation', (s) => ({
    patchSize: Number(s.ctor.patch_size), order: s.ctor.order === 'lerf' ? 'lerf' : 'morf', regions: Number(s.ctor.regions_evaluation),
    baseline: baselineOf(s.ctor.perturb_baseline), output: output(s),
  }), curves),
  'quantus.Selectivity': quantus('selectivity', (s) => ({ patchSize: Number(s.ctor.patch_size), baseline: baselineOf(s.ctor.perturb_baseline), output: output(s) }), curves),
  'quantus.Monotonicity': quantus('monotonicity-arya', (s) => ({
    featuresPerStep: Number(s.ctor.features_in_step), baseline: baselineOf(s.ctor.perturb_baseline), output: output(s),
    // Quantus' own perturb_func writes the baseline again (its degenerate convention); the fixture's custom one inserts x.
    insert: String(s.ctor.perturb_func ?? '').includes('insert_from_x') ? 'input' : 'baseline',
  })),
  'quantus.MonotonicityCorrelation': quantus('monotonicity-nguyen', (s) => ({ featuresPerStep: Number(s.ctor.features_in_step), baseline: baselineOf(s.ctor.perturb_baseline), output: output(s) })),
  'quantus.FaithfulnessEstimate': quantus('faithfulness-estimate', (s) => ({ featuresPerStep: Number(s.ctor.features_in_step), baseline: baselineOf(s.ctor.perturb_baseline), output: output(s) })),
  'quantus.IROF': quantus('irof', (s, fixture) => {
    const seg = (fixture.json.segmentations as Readonly<Record<string, Json>> | undefined)?.[String(s.ctor.segmentation_method)];
    if (!seg) return null;
    const b = s.ctor.perturb_baseline;
    return { segments: fixtureTensor(seg.labels as FixtureValue), baseline: b === 'mean' ? 'batch-mean' : baselineOf(b), output: output(s), convention: 'quantus' };
  }),
  'quantus.ROAD': quantus(
    'road',
    (_s, _f, entry) => ({ percentages: entry.percentages as number[], stdev: Number((((entry as Json)['constructor'] as Json).noise) ?? 0) }),
    curves,
    (entry) => quantusReference(entry, entry.scores_per_example),
  ),
  'quantus.Sufficiency': quantus('sufficiency', (s) => ({ threshold: Number(s.ctor.threshold), distance: s.ctor.distance_func === 'euclidean' ? 'euclidean' : 'seuclidean' })),
  'quantus.Sparseness': quantus('sparseness', () => ({})),
  'quantus.Complexity': quantus('complexity', () => ({})),
  'quantus.EffectiveComplexity': quantus('effective-complexity', (s) => ({ eps: Number(s.ctor.eps) })),
  'quantus.NonSensitivity': quantus('non-sensitivity', (s) => ({
    eps: Number(s.ctor.eps), featuresPerStep: Number(s.ctor.features_in_step), baseline: baselineOf(s.ctor.perturb_baseline), output: output(s),
  })),
  'quantus.Infidelity': quantus('infidelity', (s) => ({
    perturbation: { kind: 'patches', sizes: s.ctor.perturb_patch_sizes as number[], baseline: baselineOf(s.ctor.perturb_baseline) }, output: output(s),
  })),
  'quantus.Completeness': quantus(
    'completeness',
    (s) => ({ baseline: typeof s.ctor.perturb_baseline === 'number' ? s.ctor.perturb_baseline : 0, output: output(s) }),
    (r) => [...(r.details?.attributionSums as number[]), ...(r.details?.outputDifferences as number[])],
    (entry) => {
      const d = entry.debug as Json;
      return [...(d.attribution_sum as number[]), ...(d.output_difference as number[])];
    },
  ),
  'quantus.PointingGame': localisation('pointing-game'),
  'quantus.AttributionLocalisation': localisation('attribution-localisation', (s) => (s.ctor.weighted === true ? { weighting: 'size' } : {})),
  'quantus.TopKIntersection': localisation('top-k-intersection', (s) => ({ k: Number(s.ctor.k), conceptInfluence: s.ctor.concept_influence === true })),
  'quantus.RelevanceMassAccuracy': localisation('relevance-mass-accuracy'),
  'quantus.RelevanceRankAccuracy': localisation('relevance-rank-accuracy'),
  'quantus.AUC': localisation('localisation-auc'),
  'quantus.Focus': quantus('focus', (_s, fixture) => ({ quadrants: ((fixture.json.focus_quadrants as Json).value as number[][]) })),
};
