/**
 * Parity builders of the global curves: scikit-learn's `partial_dependence` → `partialDependence`,
 * alibi's `ALE` → `accumulatedLocalEffects`, each on the fixture's `dataset.X` with probabilities
 * (`predict_proba`). The numbers compared are the curves (PD, ICE; ALE values, ale0 and the mean
 * response) in the fixture's order, so the tolerance scales with them; the grids are checked apart,
 * against their own scale (a mismatch fails the entry with the grid's error).
 */
import { datasetFromTensors } from '../../core/dataset.js';
import { accumulatedLocalEffects } from '../../global/accumulated-local-effects.js';
import { partialDependence } from '../../global/partial-dependence.js';
import { fixtureArray, type FixtureValue } from '../../models/fixture.js';
import type { CaseBuilder } from '../case.js';
import { checkClose } from './check-close.js';

/** An entry's recommended tolerance (1e-4 when absent). */
function tolOf(t: unknown): number {
  return typeof t === 'number' ? t : typeof (t as { tol?: unknown } | undefined)?.tol === 'number' ? (t as { tol: number }).tol : 1e-4;
}

/** The flattened numbers of recorded values, one after the other. */
function flat(values: readonly FixtureValue[]): number[] {
  return values.flatMap((v) => Array.from(fixtureArray(v).data));
}

interface PdResult {
  readonly values: readonly FixtureValue[];
  readonly average?: FixtureValue;
  readonly individual?: FixtureValue;
}

interface AleResult {
  readonly per_feature: readonly { readonly feature: number; readonly feature_values: FixtureValue; readonly ale_values: FixtureValue; readonly ale0: FixtureValue }[];
  readonly constant_value: number;
}

/** The ALE constructor arguments Lumen reproduces (alibi's defaults). */
const ALE_DEFAULTS: Readonly<Record<string, unknown>> = { check_feature_resolution: true, low_resolution_threshold: 10, extrapolate_constant: true, extrapolate_constant_perc: 10, extrapolate_constant_min: 0.1 };

export const GLOBAL_BUILDERS: Readonly<Record<string, CaseBuilder>> = {
  'sklearn.inspection.partial_dependence': (entry, _kw, fx) => {
    const call = entry.call as Readonly<Record<string, unknown>>;
    const result = entry.result as PdResult;
    if (call.method !== 'brute' || call.categorical_features !== null || !['average', 'individual', 'both'].includes(call.kind as string)) return null;
    const kind = call.kind as 'average' | 'individual' | 'both';
    return {
      method: 'partial-dependence',
      reference: [...(result.average ? flat([result.average]) : []), ...(result.individual ? flat([result.individual]) : [])],
      compute: async () => {
        const pd = await partialDependence(fx.model, datasetFromTensors(fx.inputs), {
          features: call.features as number[],
          kind,
          gridResolution: call.grid_resolution as number,
          percentiles: call.percentiles as [number, number],
          response: 'probabilities',
        });
        checkClose(`${entry.id} grid`, pd.grid.flat(), flat(result.values), tolOf(entry.recommended_float32_tolerance));
        return [...(pd.average ?? []), ...(pd.individual ?? [])];
      },
    };
  },
  'alibi.explainers.ALE': (entry, _kw, fx) => {
    const ctor = entry['constructor'] as unknown as Readonly<Record<string, unknown>>;
    if (Object.entries(ALE_DEFAULTS).some(([k, v]) => ctor[k] !== v)) return null;
    const call = entry.call as Readonly<Record<string, unknown>>;
    const result = entry.result as AleResult;
    const grid = (call.grid_points ?? undefined) as Record<string, number[]> | undefined;
    return {
      method: 'ale',
      reference: [...result.per_feature.flatMap((c) => flat([c.ale_values, c.ale0])), result.constant_value],
      compute: async () => {
        const ale = await accumulatedLocalEffects(fx.model, datasetFromTensors(fx.inputs), {
          ...(Array.isArray(call.features) ? { features: call.features as number[] } : {}),
          minBinPoints: call.min_bin_points as number,
          ...(grid ? { grid } : {}),
          response: 'probabilities',
        });
        checkClose(`${entry.id} grid`, ale.curves.flatMap((c) => c.grid), flat(result.per_feature.map((c) => c.feature_values)), tolOf(entry.recommended_float32_tolerance));
        return [...ale.curves.flatMap((c) => [...c.ale, ...c.ale0]), ale.constantValue];
      },
    };
  },
};
