/**
 * The per-row search over the weight of the prediction term that Wachter et al. (λ), Carlini &
 * Wagner, CEM and prototype-guided counterfactuals (c) share, as alibi runs it: while no
 * counterfactual has been found the weight is multiplied by 10; once one is found it is bisected
 * between the largest weight that failed and the smallest that succeeded, so the final
 * counterfactual is the closest one found at the least weight that still reaches the target.
 */
export class WeightSearch {
  readonly weights: number[];
  private readonly lower: number[];
  private readonly upper: number[];

  constructor(n: number, init: number) {
    this.weights = new Array<number>(n).fill(init);
    this.lower = new Array<number>(n).fill(0);
    this.upper = new Array<number>(n).fill(Number.POSITIVE_INFINITY);
  }

  /** Row i's result at its current weight: bisect down after a success, up (or ×10) after a failure. */
  update(i: number, success: boolean): void {
    const w = this.weights[i];
    if (success) {
      this.upper[i] = Math.min(this.upper[i], w);
      this.weights[i] = (this.lower[i] + this.upper[i]) / 2;
    } else {
      this.lower[i] = Math.max(this.lower[i], w);
      this.weights[i] = Number.isFinite(this.upper[i]) ? (this.lower[i] + this.upper[i]) / 2 : w * 10;
    }
  }
}
