/**
 * Runs `fn` so that only input gradients are computed (placeholder until the engine's scoped
 * kernel replacement lands).
 */
export function withInputGradientsOnly<T>(fn: () => T): T {
  return fn();
}
