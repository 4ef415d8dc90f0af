/**
 * The differentiable terms of DiCE's loss besides the model's hinge (Mothilal, Sharma & Tan 2020),
 * value and gradient in closed form on the CPU: a set of k counterfactuals per row is a few numbers,
 * so tiny k×k determinants and inverses here replace a tape of hundreds of small tensor ops per step.
 */

/** The sizes and weights of `diceTerms`; `groups` are one-hot column groups. */
export interface DiceTermSpec {
  readonly n: number;
  readonly k: number;
  readonly d: number;
  readonly invMad: readonly number[];
  /** Added to the diagonal of each kernel (k values; DiCE's small random jitter). */
  readonly jitter: readonly number[];
  readonly groups: readonly (readonly number[])[];
  readonly proximityWeight: number;
  readonly diversityWeight: number;
  readonly categoricalPenalty: number;
}

/** det(A) and A⁻¹ of a k×k matrix (row-major) by Gauss–Jordan elimination with partial pivoting. */
export function determinantAndInverse(a: readonly number[], k: number): { det: number; inverse: number[] } {
  const m = [...a];
  const inv: number[] = Array.from({ length: k * k }, (_, i) => (i % (k + 1) === 0 ? 1 : 0));
  let det = 1;
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(m[r * k + c]) > Math.abs(m[p * k + c])) p = r;
    if (m[p * k + c] === 0) return { det: 0, inverse: inv.fill(0) };
    if (p !== c) {
      for (let j = 0; j < k; j++) {
        [m[c * k + j], m[p * k + j]] = [m[p * k + j], m[c * k + j]];
        [inv[c * k + j], inv[p * k + j]] = [inv[p * k + j], inv[c * k + j]];
      }
      det = -det;
    }
    const pivot = m[c * k + c];
    det *= pivot;
    for (let j = 0; j < k; j++) { m[c * k + j] /= pivot; inv[c * k + j] /= pivot; }
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = m[r * k + c];
      if (f === 0) continue;
      for (let j = 0; j < k; j++) { m[r * k + j] -= f * m[c * k + j]; inv[r * k + j] -= f * inv[c * k + j]; }
    }
  }
  return { det, inverse: inv };
}

/**
 * DiCE's non-model terms at `z` (n·k counterfactual rows of d columns; `query` the explained row
 * repeated for each): proximityWeight · Σ_rows mean_k (Σ_j |z − x|/MAD_j)/d − diversityWeight ·
 * Σ_rows det(K), K_ab = 1/(1 + Σ_j |z_a − z_b|_j/MAD_j/d) + jitter on the diagonal, +
 * categoricalPenalty · Σ (Σ_group z − 1)²/k. Returns the value and its gradient (|·|′(0) = 0).
 */
export function diceTerms(z: Float32Array, query: Float32Array, s: DiceTermSpec): { loss: number; grad: Float64Array } {
  const { n, k, d, invMad } = s;
  const grad = new Float64Array(n * k * d);
  let loss = 0;
  const wp = s.proximityWeight / (d * k);
  for (let p = 0; p < n * k * d; p++) {
    const diff = z[p] - query[p];
    const w = invMad[p % d];
    loss += wp * Math.abs(diff) * w;
    grad[p] += wp * Math.sign(diff) * w;
  }
  if (k > 1 && s.diversityWeight > 0) {
    const kernel = new Array<number>(k * k);
    for (let i = 0; i < n; i++) {
      const o = i * k * d;
      for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) {
        let dist = 0;
        for (let j = 0; j < d; j++) dist += Math.abs(z[o + a * d + j] - z[o + b * d + j]) * invMad[j];
        kernel[a * k + b] = 1 / (1 + dist / d) + (a === b ? s.jitter[a] : 0);
      }
      const { det, inverse } = determinantAndInverse(kernel, k);
      loss -= s.diversityWeight * det;
      for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) {
        if (a === b) continue;
        const base = kernel[a * k + b];
        // ∂(−w·det)/∂K_ab = −w·det·(K⁻¹)_ba; ∂K_ab/∂dist_ab = −K_ab² (off the diagonal, no jitter)
        const g = (s.diversityWeight * det * inverse[b * k + a] * base * base) / d;
        for (let j = 0; j < d; j++) {
          const sg = Math.sign(z[o + a * d + j] - z[o + b * d + j]) * invMad[j] * g;
          grad[o + a * d + j] += sg;
          grad[o + b * d + j] -= sg;
        }
      }
    }
  }
  if (s.groups.length > 0 && s.categoricalPenalty > 0) {
    for (let r = 0; r < n * k; r++) for (const group of s.groups) {
      let sum = -1;
      for (const j of group) sum += z[r * d + j];
      loss += (s.categoricalPenalty * sum * sum) / k;
      for (const j of group) grad[r * d + j] += (2 * s.categoricalPenalty * sum) / k;
    }
  }
  return { loss, grad };
}
