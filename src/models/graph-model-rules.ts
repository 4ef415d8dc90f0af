/**
 * Gradient rules on tfjs graph models, for rule sets that modify activations only (guided
 * backprop, deconvnet): a graph model's ops are not layers with parts, but under the tape tfjs runs
 * every activation, fused ones included, as its own kernel (Relu, Relu6, …), whose gradient is
 * looked up when the kernel is taped. While a graph model's forward pass runs, each activation
 * kernel's gradient is the rule its rule set chooses; every other op keeps tfjs' gradient, which
 * the rule set must choose for every other op family (else the run is refused: LRP and DeepLIFT
 * rules need layers with weights). The registry is restored when the pass returns or throws.
 */
import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../core/errors.js';
import { GRADIENT_RULE, type ActivationName, type OpFamily, type RuleNode, type RuleSet } from '../core/rules.js';
import { vjp } from '../engine/vjp.js';
import { activationFunction } from './layer-parts.js';

/** The activation kernels of tfjs and what they compute. */
const ACTIVATION_KERNELS: Readonly<Record<string, ActivationName>> = {
  Relu: 'relu',
  Relu6: 'relu6',
  LeakyRelu: 'leaky-relu',
  Elu: 'elu',
  Selu: 'selu',
  Sigmoid: 'sigmoid',
  Tanh: 'tanh',
  Softplus: 'softplus',
};

/** The op families other than activations, each of which must keep its gradient. */
const OTHER_FAMILIES: readonly OpFamily[] = ['linear', 'batchnorm', 'max-pool', 'avg-pool', 'global-avg-pool', 'global-max-pool', 'add', 'concat', 'reshape', 'pad', 'identity'];

/**
 * Runs `forward` (a graph model's taped forward pass) with `rules` applied to every activation
 * kernel it calls; refuses rule sets that modify anything but activations.
 */
export function runWithActivationRules<T>(rules: RuleSet, what: string, forward: () => T): T {
  const probe = (family: OpFamily, index: number): RuleNode => ({ name: family, kind: family, part: 'whole', op: { family }, linearIndex: family === 'linear' ? 0 : -1, index });
  const modified = OTHER_FAMILIES.filter((family, i) => rules(probe(family, i)) !== GRADIENT_RULE);
  if (modified.length) {
    throw new LumenError('model', `${what}: these gradient rules modify ${modified.join(', ')} layers, which tfjs graph models do not expose as layers with weights (guided backprop and deconvnet work; for LRP or DeepLIFT use a layers model or an ONNX file)`);
  }
  const saved = Object.keys(ACTIVATION_KERNELS).map((k) => [k, tf.getGradient(k)] as const);
  let calls = 0;
  try {
    for (const [kernelName] of saved) {
      const activation = ACTIVATION_KERNELS[kernelName];
      tf.registerGradient({
        kernelName,
        inputsToSave: ['x'],
        outputsToSave: [true],
        gradFunc: (dy, tensors, attrs) => {
          const params: Record<string, number> = kernelName === 'LeakyRelu' ? { alpha: Number((attrs as { alpha?: number }).alpha ?? 0.2) } : {};
          const node: RuleNode = { name: `${kernelName}:${calls}`, kind: kernelName, part: 'whole', op: { family: 'activation', activation, params }, linearIndex: -1, index: calls++ };
          const rule = rules(node);
          check(rule !== null, 'model', () => `${what}: the gradient rules have no rule for the graph's ${kernelName} activation`);
          const [x, y] = tensors as tf.Tensor[];
          const fn = activationFunction(activation, params);
          if (rule === GRADIENT_RULE) return { x: () => vjp(([v]) => fn(v), [x], dy as tf.Tensor)[0] };
          return { x: () => rule.backward(dy as tf.Tensor, { node, inputs: [x], output: y, forward: ([v]) => fn(v) })[0] };
        },
      });
    }
    return forward();
  } finally {
    for (const [, config] of saved) if (config) tf.registerGradient(config);
  }
}

