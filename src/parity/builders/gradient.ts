/** Parity builders of the gradient family: Captum entries → Lumen registry calls. */
import type * as tf from '@tensorflow/tfjs';
import type { PathRule } from '../../core/path-weights.js';
import type { Fixture, FixtureEntry } from '../../models/fixture.js';
import type { CaseBuilder, ParityCase } from '../case.js';

const rules: Readonly<Record<string, PathRule>> = {
  riemann_left: 'riemann-left',
  riemann_right: 'riemann-right',
  riemann_middle: 'riemann-middle',
  riemann_trapezoid: 'riemann-trapezoid',
  gausslegendre: 'gauss-legendre',
};

export function baselineOf(kwargs: Readonly<Record<string, unknown>>, fixture: Fixture): tf.Tensor | number | undefined {
  const b = kwargs.baselines;
  if (typeof b === 'string') return fixture.baselines[b];
  if (typeof b === 'number') return b;
  return undefined;
}

export function targetOf(kwargs: Readonly<Record<string, unknown>>): number[] | undefined {
  return Array.isArray(kwargs.target) ? (kwargs.target as number[]) : undefined;
}

function integrated(entry: FixtureEntry, kwargs: Readonly<Record<string, unknown>>, fixture: Fixture): ParityCase | null {
  const rule = rules[String(kwargs.method ?? 'gausslegendre')];
  if (!rule) return null;
  const batch = kwargs.internal_batch_size;
  return {
    method: 'integrated-gradients',
    options: {
      target: targetOf(kwargs),
      baseline: baselineOf(kwargs, fixture),
      steps: Number(kwargs.n_steps ?? 50),
      rule,
      ...(typeof batch === 'number' ? { batchSize: batch } : {}),
      ...(entry.layer ? { layer: entry.layer } : {}),
    },
  };
}

/** Captum's gradient-family classes (and the arguments Lumen understands) → Lumen methods. */
export const GRADIENT_BUILDERS: Readonly<Record<string, CaseBuilder>> = {
  'captum.attr.Saliency': (_e, kw) => ({ method: 'saliency', options: { target: targetOf(kw), mode: kw.abs === false ? 'signed' : 'absolute' } }),
  'captum.attr.InputXGradient': (_e, kw) => ({ method: 'input-x-gradient', options: { target: targetOf(kw) } }),
  'captum.attr.IntegratedGradients': integrated,
  'captum.attr.LayerIntegratedGradients': (e, kw, fx) => (kw.attribute_to_layer_input ? null : integrated(e, kw, fx)),
  'captum.attr.LayerActivation': (e, kw) => (kw.attribute_to_layer_input || !e.layer ? null : { method: 'layer-activation', options: { layer: e.layer } }),
};

