import { LumenError } from '../core/errors.js';
import type { LocalMethodInfo, MethodInfo, MethodOptions, OptionSpec } from '../core/method-info.js';
import { METHODS, methodById } from '../methods.js';
import { sizesOf } from './option-values.js';
import { isDecimalText, isIntegerText } from './parse-number.js';

/**
 * Parses a `--target` value: a class index, comma-separated indices (one per example),
 * `predicted`, or class names from `classNames` (`--labels`) in place of indices.
 */
export function parseTarget(text: string | undefined, classNames?: readonly string[]): MethodOptions['target'] {
  if (text === undefined || text === 'predicted') return 'predicted';
  const whole = classNames?.indexOf(text.trim()) ?? -1;
  if (whole >= 0) return whole;
  const parts = text.split(',').map((s) => s.trim());
  const nums = parts.map((s) => (isIntegerText(s) ? Number(s) : (classNames?.indexOf(s) ?? -1)));
  if (parts.some((s) => s === '') || nums.some((v) => v < 0)) {
    const names = classNames ? `, class names (${classNames.slice(0, 5).join(', ')}${classNames.length > 5 ? ', …' : ''})` : '';
    throw new LumenError('option', `--target: expected a class index, comma-separated indices${names} or 'predicted'; found '${text}'`);
  }
  return nums.length === 1 ? nums[0] : nums;
}

/**
 * The method `lumen explain --method <id>` runs: a local method of the registry. A global method
 * (it explains the model over a dataset) is a LumenError until `lumen explain --data` runs them.
 */
export function explainableMethod(id: string, methods: readonly MethodInfo[] = METHODS): LocalMethodInfo {
  const method = methodById(id, methods);
  if (method.scope === 'global') {
    throw new LumenError('method', `--method ${id}: a global method (it explains the model over a dataset, not an input); lumen explain runs local methods — see lumen methods`);
  }
  return method;
}

function parseValue(method: MethodInfo, spec: OptionSpec, raw: string): unknown {
  const fail = (expected: string): never => {
    throw new LumenError('option', `--opt ${spec.name}=${raw}: ${method.id}'s option '${spec.name}' expects ${expected}; found '${raw}'`);
  };
  switch (spec.type) {
    case 'number':
      return isDecimalText(raw) ? Number(raw) : fail('a decimal number');
    case 'integer':
      return isIntegerText(raw) ? Number(raw) : fail('an integer (decimal digits)');
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : fail('true or false');
    case 'enum':
      return spec.values?.includes(raw) ? raw : fail(`one of ${(spec.values ?? []).join(', ')}`);
    case 'sizes':
      return sizesOf(raw) ?? fail('positive integer sizes such as 4x4');
    case 'baseline':
      return isDecimalText(raw) ? Number(raw) : raw;
    default:
      return raw;
  }
}

/**
 * Turns repeated `--opt name=value` flags into a method's options, typed by the registry's option
 * schema; an unknown name or a value of the wrong type is a LumenError listing what is accepted.
 */
export function parseMethodOptions(method: MethodInfo, pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new LumenError('option', `--opt: expected name=value; found '${pair}'`);
    const name = pair.slice(0, eq);
    const spec = method.options.find((o) => o.name === name || o.deprecatedNames?.includes(name));
    if (!spec) {
      const known = method.options.map((o) => o.name);
      throw new LumenError('option', `--opt ${name}: ${method.id} has ${known.length ? `the options ${known.join(', ')}` : 'no options'}; found '${name}'`);
    }
    out[name] = parseValue(method, spec, pair.slice(eq + 1));
  }
  return out;
}
