/**
 * The sampling budget of alibi's Anchors search (alibi/explainers/anchors/anchor_base.py,
 * `AnchorBaseBeam.anchor_beam` as `AnchorTabular.explain()` calls it), re-implemented to count
 * what it asks of the model — there is no alibi on this machine. Same control flow and constants:
 * the empty anchor's `min_samples_start` draw and its loop at margin ε (= τ); `propose_anchors`
 * seeding each new candidate from the stored samples of its parent (all stored samples for size
 * one) on which its new feature holds; candidates pruned by coverage; `kllucb` (unsampled arms one
 * sample each, then the two critical arms `batch_size` samples each while B > ε, β from
 * `compute_beta`); the verification loop of the kept candidates at margin `epsilon_stop` 0.05 with
 * β = log(1 / (δ / (1 + (beam − 1) · features))); acceptance by mean ≥ threshold and lower bound >
 * threshold − ε_stop with higher coverage; the fallback KL-LUCB over every size's best when nothing
 * is accepted; and `get_anchor_metadata`'s draw for every prefix of the anchor never sampled itself.
 * alibi's sampler calls the predictor once per anchor per `draw_samples` call, so each anchor of a
 * draw is one model call here too. Sampling is Lumen's tabular sampler (the same distribution
 * alibi's TabularSampler draws from), so the counts differ only by the search.
 */
import type { AnchorSampler } from '../src/local-rules/anchor-sampler.js';
import { anchorCoverage } from '../src/local-rules/anchor-sampler.js';
import { klLowerBound, klLucbBeta, klUpperBound } from '../src/local-rules/kl-bounds.js';
import { Rng } from '../src/core/random.js';

/** alibi `anchor_beam` settings as `explain()` passes them (threshold = desired_confidence, tau = epsilon). */
export interface AlibiBeamOptions {
  readonly threshold: number;
  readonly delta: number;
  readonly tau: number;
  readonly epsilonStop: number;
  readonly batchSize: number;
  readonly coverageSamples: number;
  readonly beamSize: number;
  readonly minSamplesStart: number;
  readonly seed: number;
  /**
   * Seed new candidates from stored samples as alibi does (default true). False: every candidate
   * starts unsampled — alibi's search with unbiased estimates on tabular rows, whose unanchored
   * columns come from one data row (a stored sample on which a column happens to match is a
   * correlated row, not a sample of the larger anchor; src/local-rules/README.md).
   */
  readonly reuse?: boolean;
}

/** What the re-implemented search found and what it cost. */
export interface AlibiBeamResult {
  readonly anchor: readonly number[];
  readonly precision: number;
  readonly coverage: number;
  readonly satisfied: boolean;
  /** Rows the model was asked to label. */
  readonly samples: number;
  /** Predictor calls (one per anchor per draw). */
  readonly modelCalls: number;
}

interface Tuple {
  readonly anchor: readonly number[];
  /** Indices of stored samples on which the anchor holds and that were drawn for it or its ancestors. */
  idx: number[];
  n: number;
  positives: number;
  coverage: number;
  sampled: boolean;
}

/** alibi's search on one instance; `labels(inputs, n)` returns 1 where the model keeps the instance's class. */
export async function alibiAnchorBeam(sampler: AnchorSampler, labels: (inputs: Float32Array, n: number) => Promise<Uint8Array>, o: AlibiBeamOptions): Promise<AlibiBeamResult> {
  const F = sampler.featureCount;
  const reuse = o.reuse ?? true;
  const rng = new Rng(o.seed);
  const coverageFlags = sampler.coverageFlags(o.coverageSamples, new Rng(o.seed + 1));
  const flags: Uint8Array[] = []; // one row of F flags per stored sample
  const matches: number[] = [];
  const tuples = new Map<string, Tuple>();
  const key = (a: readonly number[]): string => [...a].sort((x, y) => x - y).join(',');
  let samples = 0;
  let modelCalls = 0;
  const tuple = (anchor: readonly number[]): Tuple => {
    const k = key(anchor);
    let t = tuples.get(k);
    if (!t) tuples.set(k, (t = { anchor, idx: [], n: 0, positives: 0, coverage: anchorCoverage(coverageFlags, F, anchor), sampled: false }));
    return t;
  };
  async function draw(which: readonly Tuple[], n: number): Promise<void> {
    for (const t of which) {
      const { inputs, flags: f } = sampler.sample(t.anchor, n, rng);
      const y = await labels(inputs, n);
      modelCalls++;
      samples += n;
      for (let r = 0; r < n; r++) {
        t.idx.push(flags.length);
        flags.push(f.subarray(r * F, (r + 1) * F));
        matches.push(y[r]);
        t.positives += y[r];
      }
      t.n += n;
      t.sampled = true;
    }
  }
  const mean = (t: Tuple): number => (t.n > 0 ? t.positives / t.n : 0);
  const lower = (t: Tuple, beta: number): number => klLowerBound(mean(t), beta / t.n);
  const upper = (t: Tuple, beta: number): number => klUpperBound(mean(t), beta / t.n);

  async function kllucb(arms: readonly Tuple[], topN: number): Promise<Tuple[]> {
    const unsampled = arms.filter((a) => a.n === 0);
    if (unsampled.length > 0) await draw(unsampled, 1);
    if (arms.length === topN) return [...arms];
    // np.argsort is ascending and stable on ties: the top set is the last topN.
    const sorted = (): Tuple[] => arms.map((a, i) => [a, i] as const).sort((x, y) => mean(x[0]) - mean(y[0]) || x[1] - y[1]).map((x) => x[0]);
    const ub = new Map<Tuple, number>();
    const lb = new Map<Tuple, number>();
    const critical = (t: number): [Tuple, Tuple] => {
      const order = sorted();
      const beta = klLucbBeta(arms.length, t, o.delta);
      const top = order.slice(-topN);
      const rest = order.slice(0, -topN);
      for (const a of rest) ub.set(a, upper(a, beta));
      for (const a of top) lb.set(a, lower(a, beta));
      const ut = rest.reduce((b, a) => ((ub.get(a) ?? 0) > (ub.get(b) ?? 0) ? a : b));
      const lt = top.reduce((b, a) => ((lb.get(a) ?? 0) < (lb.get(b) ?? 0) ? a : b));
      return [ut, lt];
    };
    let t = 1;
    let [ut, lt] = critical(t);
    while ((ub.get(ut) ?? 0) - (lb.get(lt) ?? 0) > o.tau) {
      await draw([ut, lt], o.batchSize);
      t++;
      [ut, lt] = critical(t);
    }
    return sorted().slice(-topN);
  }

  const empty = tuple([]);
  await draw([empty], o.minSamplesStart);
  const beta0 = Math.log(1 / o.delta);
  while (mean(empty) > o.threshold && lower(empty, beta0) < o.threshold - o.tau) await draw([empty], o.batchSize);
  if (lower(empty, beta0) > o.threshold) return { anchor: [], precision: mean(empty), coverage: 1, satisfied: true, samples, modelCalls };

  let bestCoverage = -1;
  let best: Tuple | null = null;
  const bestOfSize: Tuple[][] = [[]];
  let size = 1;
  for (; size <= F; size++) {
    // propose_anchors: every feature alone (seeded from all stored samples), or each best anchor plus one feature (seeded from its samples).
    const proposed = new Map<string, Tuple>();
    const parents = bestOfSize[size - 1];
    if (parents.length === 0) {
      for (let f = 0; f < F; f++) {
        const t = tuple([f]);
        t.idx = [];
        if (reuse) for (let s = 0; s < flags.length; s++) if (flags[s][f] === 1) t.idx.push(s);
        t.n = t.idx.length;
        t.positives = t.idx.reduce((a, s) => a + matches[s], 0);
        proposed.set(key([f]), t);
      }
    } else {
      for (let f = 0; f < F; f++) for (const p of parents) {
        if (p.anchor.includes(f)) continue;
        const k = key([...p.anchor, f]);
        if (proposed.has(k)) continue;
        const t = tuple([...p.anchor, f]);
        t.idx = reuse ? p.idx.filter((s) => flags[s][f] === 1) : [];
        t.n = t.idx.length;
        t.positives = t.idx.reduce((a, s) => a + matches[s], 0);
        proposed.set(k, t);
      }
    }
    const candidates = [...proposed.values()].filter((t) => t.coverage > bestCoverage);
    if (candidates.length === 0) break;
    const kept = await kllucb(candidates, Math.min(o.beamSize, candidates.length));
    bestOfSize[size] = kept;
    const beta = Math.log(1 / (o.delta / (1 + (o.beamSize - 1) * F)));
    const toSample = (t: Tuple): boolean => {
      const m = mean(t);
      return (m >= o.threshold && lower(t, beta) < o.threshold - o.epsilonStop) || (m < o.threshold && upper(t, beta) >= o.threshold + o.epsilonStop);
    };
    for (let open = kept.filter(toSample); open.length > 0; open = kept.filter(toSample)) await draw(open, o.batchSize);
    const better = kept.filter((t) => mean(t) >= o.threshold && lower(t, beta) > o.threshold - o.epsilonStop && t.coverage > bestCoverage);
    if (better.length > 0) {
      best = better.reduce((b, t) => (t.coverage > b.coverage ? t : b));
      bestCoverage = best.coverage;
      if (bestCoverage === 1) break;
    }
  }
  let satisfied = true;
  if (!best) {
    satisfied = false;
    best = (await kllucb(bestOfSize.slice(0, size).flat(), 1))[0];
  }
  // get_anchor_metadata: each prefix (in the order features were added) never drawn for itself is drawn once.
  const prefixes = best.anchor.map((_, j) => tuple(best.anchor.slice(0, j + 1)));
  const resample = prefixes.filter((t) => !t.sampled);
  if (resample.length > 0) await draw(resample, o.batchSize);
  return { anchor: [...best.anchor], precision: mean(best), coverage: best.coverage, satisfied, samples, modelCalls };
}
