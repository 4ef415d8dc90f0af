/**
 * Hierarchical Navigable Small World graphs (Malkov & Yashunin 2018, "Efficient and robust
 * approximate nearest neighbor search using HNSW graphs", TPAMI): an approximate k-nearest-neighbour
 * index in plain TypeScript (Node and browser, no native addon). Parameter names and defaults as
 * hnswlib's: `M` (links per node above layer 0; 2M on layer 0), `efConstruction`, `efSearch`, and a
 * seed for the level generator (level = ⌊−ln U · mL⌋, mL = 1/ln M; same seed and insertion order,
 * same graph). Neighbours are chosen by the paper's heuristic (Algorithm 4 without extending
 * candidates or keeping pruned links, as hnswlib's getNeighborsByHeuristic2). Distances: squared
 * Euclidean ('l2') or 1 − cosine ('cosine', vectors normalised when added), as hnswlib's spaces.
 */
import { check } from '../core/errors.js';
import { Rng } from '../core/random.js';

/** Options of an `HnswIndex`. */
export interface HnswOptions {
  /** 'l2': squared Euclidean distance; 'cosine': 1 − cosine similarity. */
  readonly metric: 'l2' | 'cosine';
  /** Links per node on layers above 0 (layer 0 keeps 2M). Default 16 (hnswlib). */
  readonly M?: number;
  /** Candidate list size while inserting. Default 200 (hnswlib). */
  readonly efConstruction?: number;
  /** Candidate list size while searching (at least k). Default 50. */
  readonly efSearch?: number;
  /** Seed of the level generator. Default 100 (hnswlib's random_seed). */
  readonly seed?: number;
}

/** A binary heap of (id, distance) pairs; `max` puts the largest distance at the root. */
class DistanceHeap {
  readonly ids: number[] = [];
  readonly dist: number[] = [];
  constructor(private readonly max: boolean) {}

  get size(): number {
    return this.ids.length;
  }

  /** Whether the pair at i belongs above the pair at j. */
  private above(i: number, j: number): boolean {
    return this.max ? this.dist[i] > this.dist[j] : this.dist[i] < this.dist[j];
  }

  private swap(i: number, j: number): void {
    [this.ids[i], this.ids[j]] = [this.ids[j], this.ids[i]];
    [this.dist[i], this.dist[j]] = [this.dist[j], this.dist[i]];
  }

  push(id: number, d: number): void {
    this.ids.push(id);
    this.dist.push(d);
    let i = this.ids.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.above(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  topDistance(): number {
    return this.dist[0];
  }

  topId(): number {
    return this.ids[0];
  }

  pop(): void {
    const last = this.ids.length - 1;
    this.swap(0, last);
    this.ids.pop();
    this.dist.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < this.ids.length && this.above(l, best)) best = l;
      if (r < this.ids.length && this.above(r, best)) best = r;
      if (best === i) break;
      this.swap(i, best);
      i = best;
    }
  }
}

/** The result of a search: ids (insertion order numbers or the ids given to `add`) and distances, nearest first. */
export interface HnswResult {
  readonly ids: number[];
  readonly distances: number[];
}

/**
 * An HNSW index over vectors of one dimension. `add` inserts (one at a time, as the paper's
 * Algorithm 1), `search` answers k-NN queries (Algorithm 5). Memory: the vectors (float32) and
 * the links.
 */
export class HnswIndex {
  readonly metric: 'l2' | 'cosine';
  readonly M: number;
  readonly efConstruction: number;
  efSearch: number;
  private readonly mL: number;
  private readonly rng: Rng;
  private vectors: Float32Array;
  private count = 0;
  /** links[node][level]: the node's neighbours on that layer. */
  private readonly links: Int32Array[][] = [];
  private readonly labels: number[] = [];
  private entry = -1;
  private maxLevel = -1;
  private visited = new Uint32Array(0);
  private visitMark = 0;

  constructor(readonly dim: number, options: HnswOptions) {
    check(Number.isInteger(dim) && dim >= 1, 'option', () => `HnswIndex: dim must be a positive integer; found ${dim}`);
    check(options.metric === 'l2' || options.metric === 'cosine', 'option', () => `HnswIndex: metric must be 'l2' or 'cosine'; found '${String(options.metric)}'`);
    this.metric = options.metric;
    this.M = options.M ?? 16;
    this.efConstruction = options.efConstruction ?? 200;
    this.efSearch = options.efSearch ?? 50;
    check(Number.isInteger(this.M) && this.M >= 2, 'option', () => `HnswIndex: M must be an integer ≥ 2; found ${this.M}`);
    check(Number.isInteger(this.efConstruction) && this.efConstruction >= 1, 'option', () => `HnswIndex: efConstruction must be a positive integer; found ${this.efConstruction}`);
    check(Number.isInteger(this.efSearch) && this.efSearch >= 1, 'option', () => `HnswIndex: efSearch must be a positive integer; found ${this.efSearch}`);
    this.mL = 1 / Math.log(this.M);
    this.rng = new Rng(options.seed ?? 100);
    this.vectors = new Float32Array(dim * 1024);
  }

  /** How many vectors the index holds. */
  get size(): number {
    return this.count;
  }

  /** The graph: each node's level and its neighbours per layer (for inspection and tests). */
  graph(): { levels: number[]; links: number[][][]; entry: number } {
    return { levels: this.links.map((l) => l.length - 1), links: this.links.map((node) => node.map((l) => Array.from(l))), entry: this.entry };
  }

  private distance(a: Float32Array, aOff: number, b: Float32Array, bOff: number): number {
    const d = this.dim;
    let s = 0;
    if (this.metric === 'l2') {
      for (let i = 0; i < d; i++) {
        const t = a[aOff + i] - b[bOff + i];
        s += t * t;
      }
      return s;
    }
    for (let i = 0; i < d; i++) s += a[aOff + i] * b[bOff + i];
    return 1 - s;
  }

  private toNode(q: Float32Array, node: number): number {
    return this.distance(q, 0, this.vectors, node * this.dim);
  }

  private prepare(v: ArrayLike<number>): Float32Array {
    check(v.length === this.dim, 'shape', () => `HnswIndex: expected a vector of ${this.dim} values; found ${v.length}`);
    const out = Float32Array.from(v);
    if (this.metric === 'cosine') {
      let n = 0;
      for (let i = 0; i < out.length; i++) n += out[i] * out[i];
      const s = 1 / Math.max(Math.sqrt(n), 1e-12);
      for (let i = 0; i < out.length; i++) out[i] *= s;
    }
    return out;
  }

  private nextMark(): number {
    if (this.visited.length < this.count) this.visited = new Uint32Array(Math.max(this.count, this.visited.length * 2));
    this.visitMark = (this.visitMark + 1) >>> 0;
    if (this.visitMark === 0) {
      this.visited.fill(0);
      this.visitMark = 1;
    }
    return this.visitMark;
  }

  /** Greedy walk on one layer to the node nearest q (ef = 1). */
  private greedy(q: Float32Array, start: number, level: number): number {
    let cur = start;
    let best = this.toNode(q, cur);
    for (let changed = true; changed;) {
      changed = false;
      for (const n of this.links[cur][level]) {
        const d = this.toNode(q, n);
        if (d < best) {
          best = d;
          cur = n;
          changed = true;
        }
      }
    }
    return cur;
  }

  /** The paper's SEARCH-LAYER (Algorithm 2): the ef nearest nodes found from the entry points, as a max-heap. */
  private searchLayer(q: Float32Array, entries: readonly number[], ef: number, level: number): DistanceHeap {
    const mark = this.nextMark();
    const candidates = new DistanceHeap(false);
    const found = new DistanceHeap(true);
    for (const e of entries) {
      this.visited[e] = mark;
      const d = this.toNode(q, e);
      candidates.push(e, d);
      found.push(e, d);
    }
    while (found.size > ef) found.pop();
    while (candidates.size > 0) {
      const c = candidates.topId();
      const dc = candidates.topDistance();
      if (dc > found.topDistance()) break;
      candidates.pop();
      for (const n of this.links[c][level]) {
        if (this.visited[n] === mark) continue;
        this.visited[n] = mark;
        const d = this.toNode(q, n);
        if (found.size < ef || d < found.topDistance()) {
          candidates.push(n, d);
          found.push(n, d);
          if (found.size > ef) found.pop();
        }
      }
    }
    return found;
  }

  /** The paper's heuristic (Algorithm 4): nearest first, a candidate kept only if it is nearer q than every node kept. */
  private selectNeighbours(ids: readonly number[], dist: readonly number[], m: number): number[] {
    const order = ids.map((_, i) => i).sort((a, b) => dist[a] - dist[b] || ids[a] - ids[b]);
    const kept: number[] = [];
    for (const i of order) {
      if (kept.length >= m) break;
      const e = ids[i];
      const good = kept.every((r) => this.distance(this.vectors, e * this.dim, this.vectors, r * this.dim) >= dist[i]);
      if (good) kept.push(e);
    }
    return kept;
  }

  /** Adds a vector (its `label` is what searches return; default its insertion number). */
  add(vector: ArrayLike<number>, label = this.count): void {
    const v = this.prepare(vector);
    const node = this.count;
    if ((node + 1) * this.dim > this.vectors.length) {
      const grown = new Float32Array(this.vectors.length * 2);
      grown.set(this.vectors);
      this.vectors = grown;
    }
    this.vectors.set(v, node * this.dim);
    this.count++;
    this.labels.push(label);
    const level = Math.min(32, Math.floor(-Math.log(1 - this.rng.uniform()) * this.mL));
    this.links.push(Array.from({ length: level + 1 }, () => new Int32Array(0)));
    if (this.entry < 0) {
      this.entry = node;
      this.maxLevel = level;
      return;
    }
    let ep = this.entry;
    for (let lc = this.maxLevel; lc > level; lc--) ep = this.greedy(v, ep, lc);
    let entries = [ep];
    for (let lc = Math.min(level, this.maxLevel); lc >= 0; lc--) {
      const w = this.searchLayer(v, entries, this.efConstruction, lc);
      const mMax = lc === 0 ? 2 * this.M : this.M;
      const neighbours = this.selectNeighbours(w.ids, w.dist, this.M);
      this.links[node][lc] = Int32Array.from(neighbours);
      for (const n of neighbours) {
        const own = this.links[n][lc];
        if (own.length < mMax) {
          const grown = new Int32Array(own.length + 1);
          grown.set(own);
          grown[own.length] = node;
          this.links[n][lc] = grown;
          continue;
        }
        const ids = [...own, node];
        const dist = ids.map((o) => this.distance(this.vectors, n * this.dim, this.vectors, o * this.dim));
        this.links[n][lc] = Int32Array.from(this.selectNeighbours(ids, dist, mMax));
      }
      entries = w.ids;
    }
    if (level > this.maxLevel) {
      this.entry = node;
      this.maxLevel = level;
    }
  }

  /** The k nearest indexed vectors of `query` (Algorithm 5, candidate list max(efSearch, k)), nearest first. */
  search(query: ArrayLike<number>, k: number, efSearch = this.efSearch): HnswResult {
    check(Number.isInteger(k) && k >= 1, 'option', () => `HnswIndex.search: k must be a positive integer; found ${k}`);
    if (this.count === 0) return { ids: [], distances: [] };
    const q = this.prepare(query);
    let ep = this.entry;
    for (let lc = this.maxLevel; lc > 0; lc--) ep = this.greedy(q, ep, lc);
    const w = this.searchLayer(q, [ep], Math.max(efSearch, k), 0);
    const order = w.ids.map((_, i) => i).sort((a, b) => w.dist[a] - w.dist[b] || w.ids[a] - w.ids[b]).slice(0, k);
    return { ids: order.map((i) => this.labels[w.ids[i]]), distances: order.map((i) => w.dist[i]) };
  }
}
