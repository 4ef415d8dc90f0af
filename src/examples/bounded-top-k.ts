/**
 * The k best (index, score) pairs seen so far, in a binary heap whose root is the worst kept
 * pair: pushing is O(log k) and memory O(k) however many pairs stream by. `largest` chooses
 * whether high scores are best; equal scores keep the lower index (as a stable sort would).
 */
export class BoundedTopK {
  private readonly heap: { index: number; score: number }[] = [];

  constructor(private readonly k: number, private readonly largest: boolean) {}

  /** Whether a is better than b. */
  private better(a: { index: number; score: number }, b: { index: number; score: number }): boolean {
    if (a.score !== b.score) return this.largest ? a.score > b.score : a.score < b.score;
    return a.index < b.index;
  }

  push(index: number, score: number): void {
    const item = { index, score };
    const h = this.heap;
    if (h.length < this.k) {
      h.push(item);
      let i = h.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.better(h[parent], h[i])) break;
        [h[parent], h[i]] = [h[i], h[parent]];
        i = parent;
      }
      return;
    }
    if (this.k === 0 || !this.better(item, h[0])) return;
    h[0] = item;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < h.length && this.better(h[worst], h[l])) worst = l;
      if (r < h.length && this.better(h[worst], h[r])) worst = r;
      if (worst === i) break;
      [h[worst], h[i]] = [h[i], h[worst]];
      i = worst;
    }
  }

  /** The kept pairs, best first. */
  sorted(): { index: number; score: number }[] {
    return [...this.heap].sort((a, b) => (this.better(a, b) ? -1 : this.better(b, a) ? 1 : 0));
  }
}

/** Per row of a `[T, N]` score matrix, the k best columns (best first). */
export function topKPerRow(scores: ArrayLike<number>, shape: readonly [number, number], k: number, largest: boolean): { indices: number[][]; scores: number[][] } {
  const [t, n] = shape;
  const indices: number[][] = [];
  const values: number[][] = [];
  for (let i = 0; i < t; i++) {
    const heap = new BoundedTopK(Math.min(k, n), largest);
    for (let j = 0; j < n; j++) heap.push(j, scores[i * n + j]);
    const best = heap.sorted();
    indices.push(best.map((b) => b.index));
    values.push(best.map((b) => b.score));
  }
  return { indices, scores: values };
}
