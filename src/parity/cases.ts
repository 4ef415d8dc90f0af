import type * as tf from '@tensorflow/tfjs';
import type { PathRule } from '../core/path-weights.js';
import { methodById, type MethodOptions } from '../methods.js';
import type { Fixture, FixtureEntry } from '../models/fixture.js';

/** How Lumen reproduces one recorded entry: the method id and its options, from the fixture. */
export interface ParityCase {
  readonly method: string;
  readonly options: MethodOptions;
  /** The input to explain (defaults to the fixture's inputs). */
  readonly input?: tf.Tensor;
}

const rules: Readonly<Record<string, PathRule>> = {
  riemann_left: 'riemann-left',
  riemann_right: 'riemann-right',
  riemann_middle: 'riemann-middle',
  riemann_trapezoid: 'riemann-trapezoid',
  gausslegendre: 'gauss-legendre',
};

type CaseBuilder = (entry: FixtureEntry, kwargs: Readonly<Record<string, unknown>>, fixture: Fixture) => ParityCase | null;

function baselineOf(kwargs: Readonly<Record<string, unknown>>, fixture: Fixture): tf.Tensor | number | undefined {
  const b = kwargs.baselines;
  if (typeof b === 'string') return fixture.baselines[b];
  if (typeof b === 'number') return b;
  return undefined;
}

function targetOf(kwargs: Readonly<Record<string, unknown>>): number[] | undefined {
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

/** Captum classes (and the arguments Lumen understands) → Lumen methods. */
const builders: Readonly<Record<string, CaseBuilder>> = {
  'captum.attr.Saliency': (_e, kw) => ({ method: 'saliency', options: { target: targetOf(kw), mode: kw.abs === false ? 'signed' : 'absolute' } }),
  'captum.attr.InputXGradient': (_e, kw) => ({ method: 'input-x-gradient', options: { target: targetOf(kw) } }),
  'captum.attr.IntegratedGradients': integrated,
  'captum.attr.LayerIntegratedGradients': (e, kw, fx) => (kw.attribute_to_layer_input ? null : integrated(e, kw, fx)),
  'captum.attr.LayerActivation': (e, kw) => (kw.attribute_to_layer_input || !e.layer ? null : { method: 'layer-activation', options: { layer: e.layer } }),
};

/** The Lumen call that reproduces `entry`, or null when Lumen does not implement it yet. */
export function parityCase(entry: FixtureEntry, fixture: Fixture): ParityCase | null {
  const builder = entry.captum_class ? builders[entry.captum_class] : undefined;
  if (!builder) return null;
  const found = builder(entry, entry.attribute_kwargs ?? {}, fixture);
  if (!found) return null;
  try {
    methodById(found.method);
  } catch {
    return null;
  }
  return found;
}
