/** Parity builders of the layer family: Captum's LayerConductance and NeuronConductance → Lumen calls. */
import type { PathRule } from '../../core/path-weights.js';
import type { Fixture, FixtureEntry } from '../../models/fixture.js';
import type { CaseBuilder } from '../case.js';
import { baselineOf, targetOf } from './gradient.js';

const rules: Readonly<Record<string, PathRule>> = {
  riemann_left: 'riemann-left',
  riemann_right: 'riemann-right',
  riemann_middle: 'riemann-middle',
  riemann_trapezoid: 'riemann-trapezoid',
  gausslegendre: 'gauss-legendre',
};

/** The options both conductances share: layer, target, baseline, steps, rule, batch size. */
function pathCase(entry: FixtureEntry, kwargs: Readonly<Record<string, unknown>>, fixture: Fixture): Record<string, unknown> | null {
  const rule = rules[String(kwargs.method ?? 'gausslegendre')];
  if (!rule || typeof entry.layer !== 'string') return null;
  const batch = kwargs.internal_batch_size;
  return {
    layer: entry.layer,
    target: targetOf(kwargs),
    baseline: baselineOf(kwargs, fixture),
    steps: Number(kwargs.n_steps ?? 50),
    rule,
    ...(typeof batch === 'number' ? { batchSize: batch } : {}),
  };
}

/** Captum's layer and neuron classes (and the arguments Lumen understands) → Lumen methods. */
export const LAYER_BUILDERS: Readonly<Record<string, CaseBuilder>> = {
  'captum.attr.LayerConductance': (entry, kwargs, fixture) => {
    const options = kwargs.attribute_to_layer_input ? null : pathCase(entry, kwargs, fixture);
    return options ? { method: 'layer-conductance', options } : null;
  },
  'captum.attr.NeuronConductance': (entry, kwargs, fixture) => {
    const options = kwargs.attribute_to_neuron_input ? null : pathCase(entry, kwargs, fixture);
    const neuron = kwargs.neuron_selector;
    const ctor = entry.constructor as unknown as Record<string, unknown> | undefined;
    const multiply = ctor && typeof ctor === 'object' && ctor.multiply_by_inputs === false ? false : true;
    if (!options || !(typeof neuron === 'number' || Array.isArray(neuron))) return null;
    return { method: 'neuron-conductance', options: { ...options, neuron: neuron as number | number[], multiplyByInputs: multiply } };
  },
};
