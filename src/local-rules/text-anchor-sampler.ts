import type { Rng } from '../core/random.js';
import type { AnchorSampler } from './anchor-sampler.js';

/**
 * The text domain of Anchors: features are the token positions in `positions`. A sample keeps the
 * anchor's tokens and replaces each other one by `unk` with probability `replace` (alibi's
 * `sample_proba`, 0.5). A feature holds when its token is kept.
 */
export function textAnchorSampler(tokens: Float32Array, positions: readonly number[], unk: number, replace: number): AnchorSampler {
  const F = positions.length;
  const T = tokens.length;
  const draw = (n: number, rng: Rng, anchor: readonly number[]): Uint8Array => {
    const flags = new Uint8Array(n * F);
    for (let i = 0; i < flags.length; i++) flags[i] = rng.uniform() < replace ? 0 : 1;
    for (let r = 0; r < n; r++) for (const f of anchor) flags[r * F + f] = 1;
    return flags;
  };
  return {
    featureCount: F,
    inputSize: T,
    independent: true,
    dtype: 'int32',
    sample(anchor, n, rng) {
      const flags = draw(n, rng, anchor);
      const inputs = new Float32Array(n * T);
      for (let r = 0; r < n; r++) {
        inputs.set(tokens, r * T);
        for (let f = 0; f < F; f++) if (flags[r * F + f] === 0) inputs[r * T + positions[f]] = unk;
      }
      return { inputs, flags };
    },
    coverageFlags: (n, rng) => draw(n, rng, []),
  };
}
