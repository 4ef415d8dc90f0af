import { checkAborted } from '../core/batching.js';
import { Rng } from '../core/random.js';
import type { ResolvedAnchorOptions } from './anchor-options.js';
import { anchorCoverage, type AnchorSampler } from './anchor-sampler.js';
import { klLowerBound, klUpperBound } from './kl-bounds.js';
import { klLucb, mean, type ArmStats } from './kl-lucb.js';

/** What the Anchors search found for one input. */
export interface AnchorSearchResult {
  /** Feature indices of the anchor, in the order the search added them. */
  readonly anchor: readonly number[];
  /** Precision estimate: share of the anchor's samples on which the model keeps its label. */
  readonly precision: number;
  /** KL lower bound of the precision at confidence δ. */
  readonly precisionLowerBound: number;
  /** Share of the coverage samples on which every feature of the anchor holds. */
  readonly coverage: number;
  /** Whether the anchor meets the threshold (else it is the most precise candidate seen). */
  readonly satisfied: boolean;
  /** Perturbed samples the model was asked about. */
  readonly samples: number;
  readonly modelCalls: number;
}

interface Arm extends ArmStats {
  readonly anchor: readonly number[];
  readonly coverage: number;
}

/** Labels of perturbed inputs: the model's predicted class per row, and the model calls it took. */
export type Classify = (inputs: Float32Array, n: number) => Promise<{ labels: Int32Array; calls: number }>;

/**
 * Anchors (Ribeiro et al., Anchors: High-Precision Model-Agnostic Explanations, AAAI 2018): a beam
 * search over sets of features, anchor size by size. Candidates extend the beam's anchors by one
 * feature (those not covering more than the best anchor found are pruned); KL-LUCB keeps the
 * `beamSize` most precise; each kept one is sampled until its precision bounds decide it against
 * the threshold (± ε_stop); the accepted anchor of highest coverage wins. Where the sampler perturbs
 * features independently (superpixels, tokens), a new candidate starts from every stored sample on
 * which its features hold, as alibi does; tabular candidates start afresh (alibi's reuse there
 * biases the estimate: the rows a matching column selects are correlated). Every pull
 * of several arms is one batched model call. Coverage is the joint share of coverage samples on
 * which all the anchor's conditions hold.
 */
export async function anchorBeam(sampler: AnchorSampler, classify: Classify, label: number, o: ResolvedAnchorOptions, fn: string): Promise<AnchorSearchResult> {
  const F = sampler.featureCount;
  const rng = new Rng(o.seed);
  const coverageFlags = sampler.coverageFlags(o.coverageSamples, new Rng(o.seed + 1));
  const store = { flags: [] as Uint8Array[], matches: [] as Uint8Array[] };
  let samples = 0;
  let modelCalls = 0;
  const arms = new Map<string, Arm>();
  const key = (a: readonly number[]): string => [...a].sort((x, y) => x - y).join(',');

  async function pull(which: readonly Arm[], n: number): Promise<void> {
    checkAborted(o, fn, `after ${samples} samples`);
    const drawn = which.map((arm) => sampler.sample(arm.anchor, n, rng));
    const inputs = new Float32Array(drawn.length * n * sampler.inputSize);
    drawn.forEach((d, i) => inputs.set(d.inputs, i * n * sampler.inputSize));
    const { labels, calls } = await classify(inputs, drawn.length * n);
    modelCalls += calls;
    samples += drawn.length * n;
    which.forEach((arm, i) => {
      const matches = new Uint8Array(n);
      for (let r = 0; r < n; r++) matches[r] = labels[i * n + r] === label ? 1 : 0;
      store.flags.push(drawn[i].flags);
      store.matches.push(matches);
      arm.n += n;
      arm.positives += matches.reduce((a, b) => a + b, 0);
    });
  }

  function armFor(anchor: readonly number[]): Arm {
    const k = key(anchor);
    const found = arms.get(k);
    if (found) return found;
    const arm: Arm = { anchor, coverage: anchorCoverage(coverageFlags, F, anchor), n: 0, positives: 0 };
    if (sampler.independent) store.flags.forEach((flags, b) => {
      const matches = store.matches[b];
      for (let r = 0; r < matches.length; r++) {
        if (anchor.every((f) => flags[r * F + f] === 1)) { arm.n++; arm.positives += matches[r]; }
      }
    });
    arms.set(k, arm);
    return arm;
  }

  const bounds = (arm: Arm, beta: number): [number, number] => {
    const m = mean(arm);
    const level = beta / Math.max(1, arm.n);
    return [klLowerBound(m, level), klUpperBound(m, level)];
  };
  const result = (arm: Arm, satisfied: boolean, beta: number): AnchorSearchResult =>
    ({ anchor: [...arm.anchor], precision: mean(arm), precisionLowerBound: bounds(arm, beta)[0], coverage: arm.coverage, satisfied, samples, modelCalls });

  // The empty anchor: the model may keep its label on (nearly) every perturbation.
  const empty = armFor([]);
  await pull([empty], o.minSamplesStart);
  const beta0 = Math.log(1 / o.delta);
  while (mean(empty) > o.threshold && bounds(empty, beta0)[0] < o.threshold - o.tau) await pull([empty], o.samplesPerPull);
  if (bounds(empty, beta0)[0] > o.threshold) return result(empty, true, beta0);

  const maxSize = Math.min(F, o.maxAnchorSize ?? F);
  const betaVerify = Math.log(1 / (o.delta / (1 + (o.beamSize - 1) * F)));
  let beam: Arm[] = [empty];
  let best: Arm | undefined;
  for (let size = 1; size <= maxSize; size++) {
    const seen = new Set<string>();
    const candidates: Arm[] = [];
    for (const parent of beam) {
      for (let f = 0; f < F; f++) {
        if (parent.anchor.includes(f)) continue;
        const anchor = [...parent.anchor, f];
        const k = key(anchor);
        if (seen.has(k)) continue;
        seen.add(k);
        const arm = armFor(anchor);
        if (arm.coverage > (best?.coverage ?? -1)) candidates.push(arm);
      }
    }
    if (candidates.length === 0) break;
    const unsampled = candidates.filter((a) => a.n === 0);
    if (unsampled.length > 0) await pull(unsampled, 1);
    const chosen = (await klLucb(candidates, o.beamSize, o.tau, o.delta, (which) => pull(which.map((i) => candidates[i]), o.samplesPerPull))).map((i) => candidates[i]);
    const undecided = (arm: Arm): boolean => {
      const m = mean(arm);
      const [lb, ub] = bounds(arm, betaVerify);
      return (m >= o.threshold && lb < o.threshold - o.epsilonStop) || (m < o.threshold && ub >= o.threshold + o.epsilonStop);
    };
    for (let open = chosen.filter(undecided); open.length > 0; open = open.filter(undecided)) await pull(open, o.samplesPerPull);
    let stop = false;
    for (const arm of chosen) {
      if (mean(arm) >= o.threshold && bounds(arm, betaVerify)[0] > o.threshold - o.epsilonStop && arm.coverage > (best?.coverage ?? -1)) {
        best = arm;
        if (arm.coverage === 1 || o.stopOnFirst) stop = true;
      }
    }
    o.onProgress?.({ done: size, total: maxSize });
    beam = chosen;
    if (stop) break;
  }
  if (best) return result(best, true, betaVerify);
  // No anchor met the threshold: the most precise of the largest candidates sampled.
  const all = [...arms.values()].filter((a) => a.n > 0);
  const largest = Math.max(...all.map((a) => a.anchor.length));
  const fallback = all.filter((a) => a.anchor.length === largest).sort((a, b) => mean(b) - mean(a) || b.n - a.n)[0];
  return result(fallback, false, betaVerify);
}
