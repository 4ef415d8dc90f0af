import type * as tf from '@tensorflow/tfjs';
import type { RuleSet } from './rules.js';

/** A named internal point of a model that can be captured or replaced (a layer's output). */
export interface LayerInfo {
  /** The name used by `capture`, `replace` and every `layer` option. */
  readonly name: string;
  /** The layer's kind, e.g. 'Dense', 'Conv2D', 'ReLU', 'MaxPooling2D'. */
  readonly kind: string;
  /** Output shape per example (without the batch axis); null where a size is unknown. */
  readonly outputShape: readonly (number | null)[];
}

/** Options of a taped forward pass. */
export interface RunOptions {
  /** Layers whose outputs are returned in `captured`. */
  readonly capture?: readonly string[];
  /** Layers whose outputs are replaced by the given tensors (same batch size as the input). */
  readonly replace?: Readonly<Record<string, tf.Tensor>>;
  /**
   * Gradient rules per layer part (guided backprop, DeepLIFT, LRP): the forward values are
   * unchanged, the backward pass of every part is its rule's. A part without a rule is an error.
   */
  readonly rules?: RuleSet;
  /**
   * Values used instead of the model's parameters, by `ModelParameter.name` (same shapes); the
   * output is differentiable with respect to them (second-order gradients included). Parameters
   * not named keep their current values. Models without `parameters` refuse it.
   */
  readonly params?: Readonly<Record<string, tf.Tensor>>;
  /**
   * Tensors added to the pre-activation output of linear layers (Dense, Gemm, convolutions), by
   * layer name, each of that output's shape: the gradient of a loss with respect to one is the
   * layer's pre-activation gradient, from which per-example parameter gradients follow in one
   * backward pass. The inputs those layers saw are returned in `RunResult.layerInputs`.
   */
  readonly perturb?: Readonly<Record<string, tf.Tensor>>;
  /**
   * Functions applied to the named layers' outputs as they are computed: each returns a tensor of
   * the same value, so only the backward pass changes (a stop-gradient, a scaled gradient — the
   * conventions of AttnLRP/CP-LRP). Graph-executed models (tfjs layers, ONNX imports, fromGraph)
   * apply them; a method that needs them checks each was called.
   */
  readonly wrap?: Readonly<Record<string, (output: tf.Tensor) => tf.Tensor>>;
}

/** Output of a taped forward pass, plus the captured layer outputs. */
export interface RunResult {
  readonly output: tf.Tensor;
  readonly captured: Readonly<Record<string, tf.Tensor>>;
  /** The input of every layer named in `RunOptions.perturb` (present only with `perturb`). */
  readonly layerInputs?: Readonly<Record<string, tf.Tensor>>;
}

/**
 * A named trainable tensor of a model, in the model's stable order (DESIGN.md, "Model, completed"):
 * the weight and bias of every linear layer (Dense, convolutions; ONNX Gemm, MatMul, Conv).
 * `role` says how a per-example gradient of it is formed from its layer's input `a` and
 * pre-activation gradient `d`: 'kernel' is a dense kernel [in, out] (gradient a ⊗ d),
 * 'kernel-out-in' one stored [out, in] (ONNX Gemm with transB, PyTorch; d ⊗ a), 'bias' (d), 'other'
 * (convolution filters: no per-example gradient by this route).
 */
export interface ModelParameter {
  /** Unique name, `layer/weight` (e.g. 'fc1/kernel'). */
  readonly name: string;
  /** The layer (Model.layers name) it belongs to. */
  readonly layer: string;
  readonly role: 'kernel' | 'kernel-out-in' | 'bias' | 'other';
  readonly shape: readonly number[];
  /** Its current value, owned by the model (do not dispose; it changes when `setParameters` is called). */
  readonly value: tf.Tensor;
}

/**
 * What a model's outputs are: unnormalised scores (`'logits'`) or the result of a final softmax or
 * sigmoid (`'probabilities'`). Anything that turns outputs into probabilities reads it, so no method
 * or metric applies softmax to probabilities (DESIGN.md, "Model, completed").
 */
export type OutputKind = 'logits' | 'probabilities';

/** The output kind of a model: its own `outputKind`, else `'logits'`. */
export function outputKindOf(model: Pick<Model, 'outputKind'>): OutputKind {
  return model.outputKind ?? 'logits';
}

/** What an executor needs of a resolved target (core/target.ts's ResolvedTarget). */
export interface TargetSelection {
  /** The class of every example, or null for a function target. */
  readonly classes: readonly number[] | null;
  /** One scalar per row of `outputs`; `examples[r]` is the example that row r belongs to. */
  select(outputs: tf.Tensor, examples: Int32Array): tf.Tensor1D;
}

/** Gradients of a target at points of a gradient space, and the target's value there. */
export interface ExecutedGradient {
  readonly grad: tf.Tensor;
  readonly value: tf.Tensor1D;
}

/**
 * A second executor of a model's gradients (the onnxruntime engine: src/engine/ort/). The
 * gradient entry points (src/core/gradients.ts) ask it first; where it does not cover a space or a
 * rule set, tfjs' tape does.
 */
export interface GradientExecutor {
  readonly name: string;
  /** Whether it can take gradients at `layer` (null: the input) with these rules. */
  supports(layer: string | null, rules: RuleSet | undefined): boolean;
  /**
   * ∂target/∂points for rows of points at `layer` (the input when null), `inputs` the model inputs
   * of those rows; null when it turns out not to cover this space (it has warned), so tfjs takes over.
   * The caller owns the tensors. With `rules` (which `supports` accepted), the rules' backward pass.
   */
  gradient(inputs: tf.Tensor, points: tf.Tensor, layer: string | null, target: TargetSelection, examples: Int32Array, rules?: RuleSet): Promise<ExecutedGradient | null>;
}

/**
 * What every method takes. Inputs are batched tensors `[N, ...inputShape]`.
 * Black-box models (`differentiable: false`) only implement `predict`.
 */
export interface Model {
  readonly name: string;
  /** Shape of one example, without the batch axis. */
  readonly inputShape: readonly number[];
  /** Shape of one example's output, without the batch axis. */
  readonly outputShape: readonly number[];
  /**
   * `'probabilities'` when the model ends in softmax/sigmoid (detected by the adapters, overridable
   * by their `outputKind` option); absent means `'logits'` (read it through `outputKindOf`).
   */
  readonly outputKind?: OutputKind;
  /**
   * The output nodes of the underlying graph (one for single-output models); the Model returns the
   * one its adapter's `output` option chose. Absent for black boxes.
   */
  readonly outputs?: readonly string[];
  /** Whether gradients flow through `run`. */
  readonly differentiable: boolean;
  /** Named internal points, in execution order. Empty for black boxes. */
  readonly layers: readonly LayerInfo[];
  /** Forward pass; the caller owns the returned tensor. */
  predict(x: tf.Tensor): Promise<tf.Tensor>;
  /** Synchronous, taped forward pass with capture and replacement (differentiable models only). */
  run(x: tf.Tensor, options?: RunOptions): RunResult;
  /** Trainable parameters in a stable order (layers and ONNX adapters); absent for black boxes and plain functions. */
  readonly parameters?: readonly ModelParameter[];
  /**
   * Overwrites parameters in place, by name (a checkpoint being loaded); the given tensors stay the
   * caller's. Unknown names and wrong shapes are LumenErrors.
   */
  setParameters?(values: Readonly<Record<string, tf.Tensor>>): void;
  /** A faster executor of gradients, when the model was given one (`engine` option of the adapters). */
  readonly executor?: GradientExecutor;
  /** Frees what the adapter owns (weights it loaded or imported); adapters of caller-owned models free nothing. */
  dispose?(): void;
}
