import type * as tf from '@tensorflow/tfjs';

/**
 * Gradient rules: the contract between propagation methods (guided backprop, deconvnet, DeepLIFT,
 * LRP) and the graph executor. A rule replaces the backward pass of one part of one layer; a rule
 * set chooses a rule for every part of the model (zennit's composites, Captum's per-module hooks).
 * See STYLE.md items 7–8: rules are records, one engine applies them with `tf.customGrad`.
 */

/** What an op computes, as far as rules need to know. */
export type OpFamily =
  | 'linear' // dense, convolutions (weights and an optional bias)
  | 'batchnorm' // per-channel affine transform of inference-mode batch normalisation
  | 'activation' // element-wise non-linearity (see `OpInfo.activation`)
  | 'max-pool'
  | 'avg-pool'
  | 'global-avg-pool'
  | 'global-max-pool'
  | 'add'
  | 'concat'
  | 'reshape' // flatten, reshape: a permutation of values
  | 'pad'
  | 'identity' // dropout at inference, identity
  | 'other';

/** Element-wise non-linearities that rules know. */
export type ActivationName = 'relu' | 'relu6' | 'clipped-relu' | 'leaky-relu' | 'elu' | 'selu' | 'sigmoid' | 'tanh' | 'softmax' | 'softplus' | 'linear' | 'other';

/**
 * An affine op with parameters: `apply(x, weights, bias)` computes it with any weights of the
 * same shapes as `weights` (LRP rules use positive parts, squares, ones …).
 */
export interface LinearOp {
  /** The op's weights (e.g. a dense kernel; a conv filter); not owned by the caller. */
  readonly weights: readonly tf.Tensor[];
  /** The bias, or null. */
  readonly bias: tf.Tensor | null;
  /** Computes the op on `x` with the given weights and bias (null: no bias). */
  apply(x: tf.Tensor, weights: readonly tf.Tensor[], bias: tf.Tensor | null): tf.Tensor;
  /**
   * Optional: the transposed op, `Jᵀ v` for inputs of shape `inputShape` with the given weights —
   * the vector-Jacobian product without re-running the forward pass (LRP rules use it when present).
   */
  transpose?(v: tf.Tensor, weights: readonly tf.Tensor[], inputShape: readonly number[]): tf.Tensor;
  /**
   * The axis of the last weight tensor that indexes output channels (what a per-channel scale after
   * the op multiplies, e.g. when a canonizer folds a batch norm in); default: its last axis
   * (tfjs layouts). ONNX's Conv filters are [out, in, kH, kW]: axis 0.
   */
  readonly outputAxis?: number;
}

/** What a rule knows about one part of a layer. */
export interface OpInfo {
  readonly family: OpFamily;
  /** For family 'activation': which one. */
  readonly activation?: ActivationName;
  /** Numeric parameters (e.g. `alpha` of a leaky ReLU, `max` of a clipped ReLU). */
  readonly params?: Readonly<Record<string, number>>;
  /** For families 'linear' and 'batchnorm': the op with its parameters. */
  readonly linear?: LinearOp;
}

/**
 * One part of one layer, as a rule set sees it. A layer with a fused activation (a Dense layer
 * with `activation: 'relu'`) has two parts, 'linear' then 'activation'; other layers one ('whole').
 */
export interface RuleNode {
  /** The layer's name (as in `Model.layers`). */
  readonly name: string;
  /** The layer's kind, e.g. 'Dense', 'Conv2D', 'ReLU'. */
  readonly kind: string;
  readonly part: 'linear' | 'activation' | 'whole';
  readonly op: OpInfo;
  /** Position among the model's parts of family 'linear' in execution order (0 = first), else -1. */
  readonly linearIndex: number;
  /** Position among all the model's parts in execution order. */
  readonly index: number;
  /**
   * What the part reads: for a node's first part, the names of the nodes feeding it ('input' for
   * the model input); for a later part, the node's own name (its previous part). Canonizers use it
   * to find the linear layer a batch norm follows.
   */
  readonly inputs?: readonly string[];
}

/** What a rule's backward pass receives besides the upstream gradient. */
export interface RuleContext {
  readonly node: RuleNode;
  /** The part's inputs, as in the forward pass. */
  readonly inputs: readonly tf.Tensor[];
  /** The part's output. */
  readonly output: tf.Tensor;
  /** The part's forward function (for vector-Jacobian products of modified inputs). */
  readonly forward: (inputs: readonly tf.Tensor[]) => tf.Tensor;
}

/**
 * A gradient rule: maps the signal arriving at a part's output (a gradient, a multiplier or a
 * relevance, as the method defines) to one tensor per input of the part.
 */
export interface Rule {
  readonly name: string;
  backward(dy: tf.Tensor, context: RuleContext): tf.Tensor[];
}

/** The rule that keeps tfjs' own gradient for a part (explicitly chosen, never a silent default). */
export const GRADIENT_RULE: Rule = Object.freeze({
  name: 'gradient',
  backward(): tf.Tensor[] {
    throw new Error('GRADIENT_RULE is applied by the executor, never called');
  },
});

/**
 * Chooses the rule for each part of a model; `null` means the rule set has no rule for it, and the
 * run fails with a LumenError naming the layer (never a silent plain gradient).
 */
export type RuleSet = (node: RuleNode) => Rule | null;

/**
 * What one rule computes, declared for executors that build the backward pass outside tfjs (the
 * onnxruntime engine, src/engine/ort/rules/part-rules.ts): the LRP rules with their parameters
 * (src/attribution/propagation/lrp/lrp-rules.ts), Pass and Norm, and DeepLIFT's rescale, softmax
 * and max-pool rules (deep-lift-rules.ts). `GRADIENT_RULE` needs no declaration.
 */
export type RuleForm =
  | { readonly kind: 'pass' }
  | { readonly kind: 'norm'; readonly stabilizer: number }
  | { readonly kind: 'epsilon'; readonly epsilon: number }
  | { readonly kind: 'alpha-beta'; readonly alpha: number; readonly beta: number; readonly stabilizer: number }
  | { readonly kind: 'gamma'; readonly gamma: number; readonly stabilizer: number }
  | { readonly kind: 'z-box'; readonly low: number; readonly high: number; readonly stabilizer: number }
  | { readonly kind: 'flat'; readonly stabilizer: number }
  | { readonly kind: 'w-square'; readonly stabilizer: number }
  | { readonly kind: 'deeplift-rescale'; readonly eps: number }
  | { readonly kind: 'deeplift-softmax'; readonly eps: number }
  | { readonly kind: 'deeplift-max-pool'; readonly eps: number };

const ruleForms = new WeakMap<Rule, RuleForm>();

/** Declares what `rule` computes (see RuleForm); returns `rule`. */
export function declareRuleForm<R extends Rule>(rule: R, form: RuleForm): R {
  ruleForms.set(rule, form);
  return rule;
}

/** The declared form of a rule, if it has one. */
export function ruleForm(rule: Rule): RuleForm | undefined {
  return ruleForms.get(rule);
}

/** Reference rows of a DeepLIFT batch: model inputs and points of the gradient space (1 row, or one per row of the batch). */
export interface ReferenceRows {
  readonly inputs: tf.Tensor;
  readonly points: tf.Tensor;
}

/**
 * What a rule set computes, declared for executors that build the backward pass outside tfjs (the
 * onnxruntime engine): 'relu-masked' = every ReLU-like activation gets guided backprop's or
 * deconvnet's rule, every other op its gradient (src/attribution/propagation/relu-rules.ts);
 * 'per-rule' = every rule the set chooses is `GRADIENT_RULE` or has a declared RuleForm (LRP
 * composites, DeepLIFT rescale), and `references` gives the current batch's DeepLIFT reference
 * rows when the rules need them. A rule set without a declared form runs on tfjs' tape.
 */
export type RuleSetForm =
  | { readonly kind: 'relu-masked'; readonly rule: 'guided' | 'deconvnet' }
  | { readonly kind: 'per-rule'; readonly references?: () => ReferenceRows | null };

const ruleSetForms = new WeakMap<RuleSet, RuleSetForm>();

/** Declares what `rules` computes (see RuleSetForm); returns `rules`. */
export function declareRuleSetForm<R extends RuleSet>(rules: R, form: RuleSetForm): R {
  ruleSetForms.set(rules, form);
  return rules;
}

/** The declared form of a rule set, if it has one. */
export function ruleSetForm(rules: RuleSet): RuleSetForm | undefined {
  return ruleSetForms.get(rules);
}
