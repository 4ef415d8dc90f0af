/**
 * A group's ROC points of the deterministic rules "positive iff score ≥ τ" (τ over the group's
 * distinct scores, and τ = +∞: nobody positive) and the vertices of their convex hull. Mixing the
 * rules at random reaches exactly the points of that hull (Hardt, Price & Srebro 2016, §4:
 * randomised group thresholds), and accuracy, true/false positive rates and selection rate are
 * linear in the point, so the hull's vertices are all a post-processing program needs.
 */

/** One threshold rule of a group: its counts among the group's rows. */
export interface RocVertex {
  /** Positive iff score ≥ threshold (Infinity: never). */
  readonly threshold: number;
  readonly tp: number;
  readonly fp: number;
}

/** A group's rows summarised for post-processing. */
export interface GroupRoc {
  readonly rows: number;
  readonly positives: number;
  readonly negatives: number;
  /** The hull's vertices (a subset of the threshold rules), by rising false positive count. */
  readonly vertices: readonly RocVertex[];
}

/** The (fpr, tpr) of a vertex; a rate with no denominator is 0. */
export function rocPoint(g: GroupRoc, v: RocVertex): [number, number] {
  return [g.negatives > 0 ? v.fp / g.negatives : 0, g.positives > 0 ? v.tp / g.positives : 0];
}

function cross(o: [number, number], a: [number, number], b: [number, number]): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

/** The ROC hull of the rows `rows` (indices into scores/labels). */
export function groupRoc(scores: ArrayLike<number>, labels: ArrayLike<number>, rows: readonly number[]): GroupRoc {
  const order = [...rows].sort((i, j) => scores[j] - scores[i]);
  const positives = order.reduce((s, i) => s + (labels[i] === 1 ? 1 : 0), 0);
  const negatives = order.length - positives;
  const rules: RocVertex[] = [{ threshold: Infinity, tp: 0, fp: 0 }];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    if (labels[i] === 1) tp++; else fp++;
    if (k + 1 < order.length && scores[order[k + 1]] === scores[i]) continue;
    rules.push({ threshold: scores[i], tp, fp });
  }
  const g = { rows: order.length, positives, negatives, vertices: rules };
  // Andrew's monotone chain over (fpr, tpr): lower then upper chain, collinear points dropped.
  const pts = rules.map((v) => ({ v, p: rocPoint(g, v) })).sort((a, b) => a.p[0] - b.p[0] || a.p[1] - b.p[1]);
  const chain = (list: typeof pts): typeof pts => {
    const out: typeof pts = [];
    for (const q of list) {
      while (out.length >= 2 && cross(out[out.length - 2].p, out[out.length - 1].p, q.p) <= 1e-15) out.pop();
      out.push(q);
    }
    return out;
  };
  const lower = chain(pts);
  const upper = chain([...pts].reverse());
  const hull = [...lower.slice(0, -1), ...upper.slice(0, -1)];
  const vertices = (hull.length > 0 ? hull : pts.slice(0, 1)).map((q) => q.v);
  vertices.sort((a, b) => a.fp - b.fp || a.tp - b.tp);
  return { ...g, vertices };
}
