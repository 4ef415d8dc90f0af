/**
 * LumenError: the one error type Lumen throws for a user mistake (wrong shape, unknown layer,
 * target out of range, corrupt file …). Its message names what was expected and what was found.
 */
export type LumenErrorCode =
  | 'shape'
  | 'target'
  | 'layer'
  | 'method'
  | 'input'
  | 'model'
  | 'file'
  | 'option'
  | 'backend'
  | 'not-differentiable'
  | 'aborted'
  | 'numeric';

export class LumenError extends Error {
  readonly code: LumenErrorCode;
  constructor(code: LumenErrorCode, message: string) {
    super(message);
    this.name = 'LumenError';
    this.code = code;
  }
}

/**
 * Throws a LumenError with a lazily built message when `condition` is false (tfjs-style checks):
 * `check(a === b, 'shape', () => \`saliency: input shape [${s}] must be …\`)`.
 */
export function check(condition: unknown, code: LumenErrorCode, message: () => string): asserts condition {
  if (!condition) throw new LumenError(code, message());
}
