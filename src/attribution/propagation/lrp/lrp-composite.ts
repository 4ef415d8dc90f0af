/** `lrp`'s rule options → the composite they describe (validated before any tensor work). */
import { check, LumenError } from '../../../core/errors.js';
import type { Rule } from '../../../core/rules.js';
import { COMPOSITES, singleRuleComposite, type Composite, type CompositeName, type CompositeParams } from './composites.js';
import { alphaBetaRule, DEFAULT_STABILIZER, epsilonRule, flatRule, gammaRule, wSquareRule, zBoxRule, zPlusRule } from './lrp-rules.js';

/** The LRP rules by name. */
export type LrpRuleName = 'epsilon' | 'zero' | 'gamma' | 'alpha-beta' | 'z-plus' | 'z-box' | 'flat' | 'w-square';

/** The names `rule` accepts. */
export const LRP_RULE_NAMES: readonly LrpRuleName[] = ['epsilon', 'zero', 'gamma', 'alpha-beta', 'z-plus', 'z-box', 'flat', 'w-square'];

/** Which rules LRP applies, and their parameters. */
export interface LrpRuleOptions extends CompositeParams {
  /** One rule on every dense and convolution layer (activations Pass, average pooling Norm, max pooling the gradient). */
  readonly rule?: LrpRuleName | Rule;
  /** A named composite (zennit's, or 'captum': Captum's LRP defaults) or your own; default 'captum' unless `rule` is given. */
  readonly composite?: CompositeName | Composite;
  /** A special rule for the first dense or convolution layer (zennit's SpecialFirstLayerMapComposite). */
  readonly firstLayerRule?: LrpRuleName | Rule;
  /** Rules by layer name, before every other choice (zennit's NameMapComposite). */
  readonly layerRules?: Readonly<Record<string, LrpRuleName | Rule>>;
  /** α of the αβ rule; default 2. */
  readonly alpha?: number;
  /** β of the αβ rule; default 1. */
  readonly beta?: number;
}

/** The rule called `name` with the parameters in `p` (zennit's defaults: ε = 1e-6, γ = 0.25, α = 2, β = 1). */
export function lrpRuleByName(name: LrpRuleName | Rule, p: LrpRuleOptions, fn: string): Rule {
  if (typeof name !== 'string') return name;
  const stabilizer = p.stabilizer ?? DEFAULT_STABILIZER;
  switch (name) {
    case 'epsilon':
      return epsilonRule(p.epsilon ?? DEFAULT_STABILIZER);
    case 'zero':
      return epsilonRule(0);
    case 'gamma':
      return gammaRule(p.gamma ?? 0.25, stabilizer);
    case 'alpha-beta':
      return alphaBetaRule(p.alpha ?? 2, p.beta ?? 1, stabilizer);
    case 'z-plus':
      return zPlusRule(stabilizer);
    case 'z-box':
      check(p.low !== undefined && p.high !== undefined, 'option', () => `${fn}: the z-box rule needs the input bounds low and high`);
      return zBoxRule(p.low, p.high, stabilizer);
    case 'flat':
      return flatRule(stabilizer);
    case 'w-square':
      return wSquareRule(stabilizer);
    default:
      throw new LumenError('option', `${fn}: unknown LRP rule '${String(name)}'; expected one of ${LRP_RULE_NAMES.join(', ')}`);
  }
}

/**
 * The composite `options` describe: `rule` (one rule on every linear layer) or `composite` (a name
 * or a Composite; default Captum's rules), with `firstLayerRule` and `layerRules` on top. Layer
 * names in `layerRules` must be among `layerNames`.
 */
export function lrpComposite(options: LrpRuleOptions, fn: string, layerNames?: readonly string[]): Composite {
  check(options.rule === undefined || options.composite === undefined, 'option', () => `${fn}: give either rule or composite, not both (found rule '${String(options.rule)}' and composite '${String(options.composite)}')`);
  let base: Composite;
  if (options.rule !== undefined) base = singleRuleComposite(lrpRuleByName(options.rule, options, fn), options.stabilizer);
  else if (typeof options.composite === 'object') base = options.composite;
  else {
    const name = options.composite ?? 'captum';
    const make = COMPOSITES[name];
    check(make !== undefined, 'option', () => `${fn}: unknown composite '${name}'; expected one of ${Object.keys(COMPOSITES).join(', ')}`);
    base = make(options);
  }
  const first = options.firstLayerRule === undefined ? undefined : lrpRuleByName(options.firstLayerRule, options, fn);
  const named = Object.entries(options.layerRules ?? {});
  if (layerNames) {
    const unknown = named.map(([n]) => n).filter((n) => !layerNames.includes(n));
    check(unknown.length === 0, 'layer', () => `${fn}: layerRules names unknown layer${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')}; the model's layers are ${layerNames.join(', ')}`);
  }
  if (!first && named.length === 0) return base;
  return {
    ...base,
    name: `${base.name}${first ? ` + first ${first.name}` : ''}${named.length ? ' + by name' : ''}`,
    ...(first ? { firstMap: [['linear', first] as const] } : {}),
    ...(named.length ? { byName: { ...base.byName, ...Object.fromEntries(named.map(([n, r]) => [n, lrpRuleByName(r, options, fn)])) } } : {}),
  };
}
