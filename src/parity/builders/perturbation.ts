/** Parity builders of the perturbation family: Captum's Occlusion and FeatureAblation → Lumen calls. */
import type { Fixture } from '../../models/fixture.js';
import type { CaseBuilder } from '../case.js';
import { baselineOf, targetOf } from './gradient.js';

/** A Captum per-example size (window or strides, channels-first for images) in Lumen's channels-last order. */
function channelsLast(value: unknown, fixture: Fixture): number | number[] | null {
  if (typeof value === 'number') return value;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number')) return null;
  const sizes = value as number[];
  if (fixture.model.inputShape.length !== 3 || sizes.length !== 3) return sizes;
  return [sizes[1], sizes[2], sizes[0]];
}

function perturbationsPerEval(kwargs: Readonly<Record<string, unknown>>): { batchSize?: number } {
  const b = kwargs.perturbations_per_eval;
  return typeof b === 'number' ? { batchSize: b } : {};
}

/** Captum's perturbation classes (and the arguments Lumen understands) → Lumen methods. */
export const PERTURBATION_BUILDERS: Readonly<Record<string, CaseBuilder>> = {
  'captum.attr.Occlusion': (_e, kw, fixture) => {
    const window = channelsLast(kw.sliding_window_shapes, fixture);
    const strides = kw.strides === undefined || kw.strides === null ? 1 : channelsLast(kw.strides, fixture);
    if (!Array.isArray(window) || strides === null) return null;
    return { method: 'occlusion', options: { target: targetOf(kw), window, strides, baseline: baselineOf(kw, fixture), ...perturbationsPerEval(kw) } };
  },
  'captum.attr.FeatureAblation': (_e, kw, fixture) => {
    if (kw.feature_mask !== null && kw.feature_mask !== undefined) return null;
    return { method: 'feature-ablation', options: { target: targetOf(kw), featureMask: 'scalars', baseline: baselineOf(kw, fixture), ...perturbationsPerEval(kw) } };
  },
};
