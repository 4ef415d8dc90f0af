/** Parity builders of LRP: Zennit's rule and composite entries and Captum's LRP → Lumen's `lrp`. */
import type { FixtureEntry } from '../../models/fixture.js';
import type { CaseBuilder, ParityCase } from '../case.js';
import { targetOf } from './gradient.js';

type Params = Readonly<Record<string, Readonly<Record<string, number | null>>>>;

/** Zennit rule class → Lumen rule name and the options its recorded parameters give. */
function zennitRule(name: string, p: Readonly<Record<string, number | null>>): Record<string, unknown> | null {
  const stabilizer = p.stabilizer ?? undefined;
  switch (name) {
    case 'Epsilon':
      return { rule: 'epsilon', epsilon: p.epsilon };
    case 'Gamma':
      return { rule: 'gamma', gamma: p.gamma, stabilizer };
    case 'AlphaBeta':
      return { rule: 'alpha-beta', alpha: p.alpha, beta: p.beta, stabilizer };
    case 'ZPlus':
      return { rule: 'z-plus', stabilizer };
    case 'ZBox':
      return { rule: 'z-box', low: p.low, high: p.high, stabilizer };
    case 'Flat':
      return { rule: 'flat', stabilizer };
    case 'WSquare':
      return { rule: 'w-square', stabilizer };
    default:
      return null;
  }
}

const COMPOSITE_NAMES: Readonly<Record<string, string>> = {
  EpsilonPlus: 'epsilon-plus',
  EpsilonPlusFlat: 'epsilon-plus-flat',
  EpsilonAlpha2Beta1: 'epsilon-alpha2-beta1',
  EpsilonAlpha2Beta1Flat: 'epsilon-alpha2-beta1-flat',
  EpsilonGammaBox: 'epsilon-gamma-box',
};

/** The Lumen call of a Zennit entry, from its `kind`, `zennit_call` and `rule_parameters`. */
function zennit(entry: FixtureEntry, _kw: unknown, fixture: { targets: readonly number[] }): ParityCase | null {
  const call = String(entry.zennit_call ?? '');
  const params = (entry.rule_parameters ?? {}) as Params;
  const canonize = /canonizers=\[SequentialMergeBatchNorm\(\)\]/.test(call);
  const base = { target: [...fixture.targets], canonize, stabilizer: params.Norm?.stabilizer ?? undefined };
  const ruled = Object.keys(params).filter((k) => k !== 'Pass' && k !== 'Norm');
  if (entry.kind === 'zennit_composite') {
    const name = /zennit\.composites\.(\w+)\(/.exec(call)?.[1];
    const composite = name ? COMPOSITE_NAMES[name] : undefined;
    if (!composite) return null;
    return { method: 'lrp', options: { ...base, composite, epsilon: params.Epsilon?.epsilon ?? undefined, gamma: params.Gamma?.gamma ?? undefined, low: params.ZBox?.low ?? undefined, high: params.ZBox?.high ?? undefined } };
  }
  if (entry.kind === 'single_rule' && ruled.length === 1) {
    const rule = zennitRule(ruled[0], params[ruled[0]]);
    return rule ? { method: 'lrp', options: { ...base, ...rule } } : null;
  }
  if (entry.kind === 'custom_composite' && ruled.length === 2 && ruled.includes('Epsilon')) {
    const firstName = ruled.find((k) => k !== 'Epsilon') as string;
    const first = zennitRule(firstName, params[firstName]);
    if (!first) return null;
    const { rule: firstLayerRule, ...firstParams } = first;
    return { method: 'lrp', options: { ...base, ...firstParams, rule: 'epsilon', epsilon: params.Epsilon.epsilon, firstLayerRule } };
  }
  return null;
}

/** Zennit entries and Captum's LRP (default rules: ε = 1e-9) → Lumen's `lrp`. */
export const LRP_BUILDERS: Readonly<Record<string, CaseBuilder>> = {
  zennit: zennit,
  'captum.attr.LRP': (_e, kw) => ({ method: 'lrp', options: { target: targetOf(kw), composite: 'captum' } }),
};
