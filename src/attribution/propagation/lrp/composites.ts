/**
 * LRP composites as data (zennit's LayerMapComposite / SpecialFirstLayerMapComposite /
 * NameMapComposite): a list of [layer class, rule] pairs, an optional first-layer list that applies
 * to the first matching layer only, and rules by layer name. `compositeRuleSet` turns one into the
 * engine's rule set; a layer part that no entry matches has no rule, and the run fails naming it.
 */
import { declareRuleSetForm, GRADIENT_RULE, type Rule, type RuleNode, type RuleSet } from '../../../core/rules.js';
import { alphaBetaRule, DEFAULT_STABILIZER, epsilonRule, flatRule, gammaRule, normRule, PASS_RULE, zBoxRule, zPlusRule, type Bound } from './lrp-rules.js';

/**
 * What a composite entry matches: 'dense' (Dense, Gemm/MatMul), 'convolution' (every convolution),
 * 'linear' (either), and the engine's op families for the rest ('avg-pool' and 'max-pool' include
 * their global forms; 'sum' is an element-wise Add).
 */
export type LayerClass = 'dense' | 'convolution' | 'linear' | 'batchnorm' | 'activation' | 'avg-pool' | 'max-pool' | 'sum' | 'concat' | 'reshape' | 'pad' | 'identity';

/** A composite: the rule of each layer class, a special rule for the first matching layer, rules by name. */
export interface Composite {
  readonly name: string;
  readonly layerMap: readonly (readonly [LayerClass, Rule])[];
  /** Applies to the first layer part (in execution order) that one of its classes matches. */
  readonly firstMap?: readonly (readonly [LayerClass, Rule])[];
  /** Rules by layer name; they take precedence over both maps (for a fused activation, the layer's linear part). */
  readonly byName?: Readonly<Record<string, Rule>>;
}

const DENSE_KINDS: ReadonlySet<string> = new Set(['Dense', 'Gemm', 'MatMul', 'Linear']);

/** Whether `node` belongs to `layerClass`. */
export function matchesClass(node: RuleNode, layerClass: LayerClass): boolean {
  const family = node.op.family;
  switch (layerClass) {
    case 'dense':
      return family === 'linear' && DENSE_KINDS.has(node.kind);
    case 'convolution':
      return family === 'linear' && !DENSE_KINDS.has(node.kind);
    case 'avg-pool':
      return family === 'avg-pool' || family === 'global-avg-pool';
    case 'max-pool':
      return family === 'max-pool' || family === 'global-max-pool';
    case 'sum':
      return family === 'add';
    default:
      return family === layerClass;
  }
}

function lookup(map: readonly (readonly [LayerClass, Rule])[], node: RuleNode): Rule | null {
  for (const [layerClass, rule] of map) if (matchesClass(node, layerClass)) return rule;
  return null;
}

/**
 * The rule set of a composite: by name first, then the first-layer map for the earliest part it
 * matches, then the layer map; null (an error naming the layer) when nothing matches.
 */
export function compositeRuleSet(composite: Composite): RuleSet {
  let first: number | null = null;
  // Every rule of lrp-rules.ts declares its form: the onnxruntime engine compiles the composite (engine/ort/rules/part-rules.ts).
  return declareRuleSetForm((node: RuleNode) => {
    const named = composite.byName?.[node.name];
    if (named && node.part !== 'activation') return named;
    if (composite.firstMap) {
      const rule = lookup(composite.firstMap, node);
      if (rule && (first === null || node.index <= first)) {
        first = node.index;
        return rule;
      }
    }
    return lookup(composite.layerMap, node);
  }, { kind: 'per-rule' });
}

/** Parameters of the named composites (zennit's defaults). */
export interface CompositeParams {
  readonly epsilon?: number;
  readonly gamma?: number;
  readonly stabilizer?: number;
  readonly low?: Bound;
  readonly high?: Bound;
}

/**
 * Zennit's `layer_map_base`: activations and batch norm Pass, sums and average pooling Norm; and,
 * explicitly, the plain gradient where zennit attaches no rule (max pooling, reshapes, padding,
 * concatenation, dropout).
 */
export function baseLayerMap(stabilizer = DEFAULT_STABILIZER): (readonly [LayerClass, Rule])[] {
  const norm = normRule(stabilizer);
  return [
    ['activation', PASS_RULE],
    ['sum', norm],
    ['avg-pool', norm],
    ['batchnorm', PASS_RULE],
    ['max-pool', GRADIENT_RULE],
    ['reshape', GRADIENT_RULE],
    ['pad', GRADIENT_RULE],
    ['concat', GRADIENT_RULE],
    ['identity', GRADIENT_RULE],
  ];
}

/** One rule on every linear layer (dense and convolution) over the base map (zennit's single-rule LayerMapComposite). */
export function singleRuleComposite(rule: Rule, stabilizer = DEFAULT_STABILIZER): Composite {
  return { name: rule.name, layerMap: [...baseLayerMap(stabilizer), ['linear', rule]] };
}

/** The named composites of zennit. */
export type CompositeName = 'epsilon-plus' | 'epsilon-plus-flat' | 'epsilon-alpha2-beta1' | 'epsilon-alpha2-beta1-flat' | 'epsilon-gamma-box' | 'captum';

/** Zennit's composites (and Captum's default LRP rules), by name: each a function of its parameters. */
export const COMPOSITES: Readonly<Record<CompositeName, (p: CompositeParams) => Composite>> = {
  'epsilon-plus': (p) => convDense('epsilon-plus', zPlusRule(p.stabilizer), p),
  'epsilon-plus-flat': (p) => ({ ...convDense('epsilon-plus-flat', zPlusRule(p.stabilizer), p), firstMap: [['linear', flatRule(p.stabilizer)]] }),
  'epsilon-alpha2-beta1': (p) => convDense('epsilon-alpha2-beta1', alphaBetaRule(2, 1, p.stabilizer), p),
  'epsilon-alpha2-beta1-flat': (p) => ({ ...convDense('epsilon-alpha2-beta1-flat', alphaBetaRule(2, 1, p.stabilizer), p), firstMap: [['linear', flatRule(p.stabilizer)]] }),
  'epsilon-gamma-box': (p) => ({
    ...convDense('epsilon-gamma-box', gammaRule(p.gamma ?? 0.25, p.stabilizer), p),
    firstMap: [['convolution', zBoxRule(p.low ?? -3, p.high ?? 3, p.stabilizer)]],
  }),
  captum: (p) => captumComposite(p.epsilon ?? 1e-9),
};

/** Convolutions get `convRule`, dense layers ε (zennit's EpsilonPlus / EpsilonAlpha2Beta1 pattern). */
function convDense(name: string, convRule: Rule, p: CompositeParams): Composite {
  return { name, layerMap: [...baseLayerMap(p.stabilizer), ['convolution', convRule], ['dense', epsilonRule(p.epsilon ?? DEFAULT_STABILIZER)]] };
}

/**
 * Captum's LRP defaults: ε (1e-9) on dense, convolution, batch-norm and pooling layers (on a
 * pooling layer the ε-rule is Norm), Pass on activations and dropout, the gradient on reshapes.
 * Captum has no rule for sums (a PyTorch `+` is not a module); Lumen gives element-wise Add (the
 * residual connections of ResNet/MobileNetV2) the ε-rule as Norm, Zennit's practice: each
 * summand receives relevance in proportion to its contribution, R_i = x_i · R / stab_ε(Σ x).
 */
export function captumComposite(epsilon = 1e-9): Composite {
  const eps = epsilonRule(epsilon);
  const norm = normRule(epsilon);
  return {
    name: 'captum',
    layerMap: [
      ['linear', eps],
      ['batchnorm', eps],
      ['max-pool', norm],
      ['avg-pool', norm],
      ['sum', norm],
      ['activation', PASS_RULE],
      ['identity', PASS_RULE],
      ['reshape', GRADIENT_RULE],
      ['pad', GRADIENT_RULE],
      ['concat', GRADIENT_RULE],
    ],
  };
}
