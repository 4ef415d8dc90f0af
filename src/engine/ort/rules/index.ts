import type { BackwardRule } from './rule-types.js';
import { ACTIVATION_RULES } from './activations.js';
import { ELEMENTWISE_RULES } from './elementwise.js';
import { LINEAR_RULES } from './linear.js';
import { POOL_RULES } from './pools.js';
import { RESIZE_RULES } from './resize.js';
import { SELECT_RULES } from './select.js';
import { SHAPE_RULES } from './shape.js';

/** Every op the onnxruntime engine differentiates, with its backward rule. */
export const BACKWARD_RULES: Readonly<Record<string, BackwardRule>> = {
  ...ACTIVATION_RULES,
  ...LINEAR_RULES,
  ...POOL_RULES,
  ...ELEMENTWISE_RULES,
  ...SHAPE_RULES,
  ...SELECT_RULES,
  ...RESIZE_RULES,
};
