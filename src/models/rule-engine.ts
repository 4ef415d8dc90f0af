/**
 * The one engine that applies gradient rules (src/core/rules.ts) during a taped forward pass: each
 * part of each node runs its forward computation unchanged inside a `tf.customGrad` whose backward
 * pass is the rule's. Nothing global changes, so nothing needs restoring: the rules live only in the
 * tape of the run they were given to.
 */
import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../core/errors.js';
import { GRADIENT_RULE, type Rule, type RuleNode, type RuleSet } from '../core/rules.js';
import type { GraphNode } from './graph-types.js';
import type { GraphPart } from './layer-parts.js';

/** The rule chosen for one part of a node. */
interface PlannedPart {
  readonly part: GraphPart;
  readonly node: RuleNode;
  readonly rule: Rule;
}

/** Rules chosen for every part of every node, by node name. */
export type RulePlan = ReadonlyMap<string, readonly PlannedPart[]>;

/**
 * Chooses a rule for every part of every node with `rules`; fails with a LumenError naming the
 * first layers (and their kinds) that cannot run under rules or for which the rule set has none.
 */
export function planRules(nodes: readonly GraphNode[], rules: RuleSet): RulePlan {
  const plan = new Map<string, PlannedPart[]>();
  const missing: string[] = [];
  let index = 0;
  let linearIndex = 0;
  for (const node of nodes) {
    if (!node.parts) {
      missing.push(`'${node.name}' (${node.kind}: Lumen cannot apply gradient rules to this layer kind)`);
      continue;
    }
    const planned: PlannedPart[] = [];
    for (const [k, part] of node.parts.entries()) {
      const info: RuleNode = {
        name: node.name,
        kind: node.kind,
        part: part.part,
        op: part.op,
        linearIndex: part.op.family === 'linear' ? linearIndex++ : -1,
        index: index++,
        inputs: k === 0 ? node.inputs : [node.name],
      };
      const rule = rules(info);
      if (!rule) {
        const what = part.op.family === 'activation' ? `activation ${part.op.activation}` : part.op.family;
        missing.push(`'${node.name}' (${node.kind}, ${part.part === 'whole' ? '' : `its ${part.part} part, `}${what}: the rule set has no rule for it)`);
        continue;
      }
      planned.push({ part, node: info, rule });
    }
    plan.set(node.name, planned);
  }
  if (missing.length) {
    throw new LumenError('model', `gradient rules: ${missing.length} layer part${missing.length > 1 ? 's' : ''} without a rule: ${missing.slice(0, 6).join('; ')}${missing.length > 6 ? ` and ${missing.length - 6} more` : ''}`);
  }
  return plan;
}

/** Runs one node part by part, each under its planned rule. */
export function runWithRules(node: GraphNode, plan: RulePlan, inputs: readonly tf.Tensor[]): tf.Tensor {
  const parts = plan.get(node.name) as readonly PlannedPart[];
  let xs = [...inputs];
  for (const planned of parts) xs = [applyPart(planned, xs)];
  return xs[0];
}

function applyPart({ part, node, rule }: PlannedPart, inputs: tf.Tensor[]): tf.Tensor {
  if (rule === GRADIENT_RULE) return part.apply(inputs);
  const n = inputs.length;
  const forward = (xs: readonly tf.Tensor[]): tf.Tensor => part.apply(xs);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xs = args.slice(0, n) as tf.Tensor[];
    const save = args[n] as tf.GradSaveFunc;
    // A part that returns its input (identity, dropout) must give customGrad a tensor of its own.
    const computed = part.apply(xs);
    const value = xs.includes(computed) ? computed.clone() : computed;
    save([...xs, value]);
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const grads = rule.backward(dy as tf.Tensor, { node, inputs: saved.slice(0, n), output: saved[n], forward });
        check(grads.length === n, 'model', () => `gradient rule '${rule.name}' on '${node.name}' returned ${grads.length} gradients for ${n} inputs`);
        return grads;
      },
    };
  });
  return f(...inputs) as tf.Tensor;
}
