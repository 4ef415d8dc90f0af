/**
 * Maximum flow with real-valued capacities by Dinic's algorithm (Dinitz, "Algorithm for solution
 * of a problem of maximum flow in networks with power estimation", 1970): BFS levels of the
 * residual graph, then blocking flows by DFS along level-increasing edges, until the sink is
 * unreachable. Residual capacities below `eps` count as saturated, so float rounding cannot make it
 * loop. The network keeps its capacities: `maxFlow` works on a copy, so one network answers many
 * (source, sink) queries — what attention flow asks (one per input token).
 */
import { check } from '../../core/errors.js';

/** A directed network with non-negative real capacities, built edge by edge. */
export class FlowNetwork {
  readonly nodes: number;
  /** Edge k goes from `from[k]` to `to[k]`; edge k ^ 1 is its reverse (residual) twin. */
  private readonly to: number[] = [];
  private readonly capacity: number[] = [];
  private readonly next: number[] = [];
  private readonly head: Int32Array;

  constructor(nodes: number) {
    check(Number.isInteger(nodes) && nodes >= 2, 'option', () => `FlowNetwork: nodes must be an integer ≥ 2; found ${String(nodes)}`);
    this.nodes = nodes;
    this.head = new Int32Array(nodes).fill(-1);
  }

  /** Adds the edge u → v with capacity `cap` ≥ 0 (and its residual twin v → u of capacity 0). */
  addEdge(u: number, v: number, cap: number): void {
    check(Number.isInteger(u) && u >= 0 && u < this.nodes && Number.isInteger(v) && v >= 0 && v < this.nodes, 'option', () => `FlowNetwork.addEdge: nodes must be integers in 0…${this.nodes - 1}; found ${u} → ${v}`);
    check(Number.isFinite(cap) && cap >= 0, 'numeric', () => `FlowNetwork.addEdge: capacity of ${u} → ${v} must be finite and ≥ 0; found ${cap}`);
    for (const [a, b, c] of [[u, v, cap], [v, u, 0]] as const) {
      this.to.push(b);
      this.capacity.push(c);
      this.next.push(this.head[a]!);
      this.head[a] = this.to.length - 1;
    }
  }

  /**
   * The value of a maximum flow from `source` to `sink` (Dinic). `eps` (default 1e-12) is the
   * residual capacity treated as zero.
   */
  maxFlow(source: number, sink: number, eps = 1e-12): number {
    check(source !== sink && [source, sink].every((n) => Number.isInteger(n) && n >= 0 && n < this.nodes), 'option', () => `FlowNetwork.maxFlow: source and sink must be different nodes in 0…${this.nodes - 1}; found ${source}, ${sink}`);
    const residual = Float64Array.from(this.capacity);
    const level = new Int32Array(this.nodes);
    const it = new Int32Array(this.nodes);
    const queue = new Int32Array(this.nodes);
    let total = 0;
    const bfs = (): boolean => {
      level.fill(-1);
      level[source] = 0;
      let qh = 0;
      let qt = 0;
      queue[qt++] = source;
      while (qh < qt) {
        const u = queue[qh++]!;
        for (let e = this.head[u]!; e !== -1; e = this.next[e]!) {
          const v = this.to[e]!;
          if (level[v] === -1 && residual[e]! > eps) {
            level[v] = level[u]! + 1;
            queue[qt++] = v;
          }
        }
      }
      return level[sink] !== -1;
    };
    const dfs = (u: number, pushed: number): number => {
      if (u === sink) return pushed;
      for (; it[u] !== -1; it[u] = this.next[it[u]!]!) {
        const e = it[u]!;
        const v = this.to[e]!;
        if (level[v] !== level[u]! + 1 || residual[e]! <= eps) continue;
        const got = dfs(v, Math.min(pushed, residual[e]!));
        if (got > 0) {
          residual[e] = residual[e]! - got;
          residual[e ^ 1] = residual[e ^ 1]! + got;
          return got;
        }
      }
      return 0;
    };
    while (bfs()) {
      it.set(this.head);
      for (let f = dfs(source, Infinity); f > 0; f = dfs(source, Infinity)) total += f;
    }
    return total;
  }
}
