import type { OrtAttribute, OrtElemType, OrtNode, OrtTensor } from './ort-graph.js';

/**
 * Appends nodes and constants to a graph under construction, with fresh value names and the
 * opset-dependent forms of the ops backward rules use (ReduceSum/ReduceMean axes, Slice bounds).
 */
export class OrtEmitter {
  readonly nodes: OrtNode[] = [];
  readonly initializers = new Map<string, OrtTensor>();
  private count = 0;

  constructor(readonly opset: number, private readonly prefix: string) {}

  /** A fresh value name. */
  fresh(hint: string): string {
    return `${this.prefix}${hint}_${this.count++}`;
  }

  /** Adds a node; returns its output names (`outputs` of them). */
  emitMany(op: string, inputs: readonly string[], attrs: Record<string, OrtAttribute> = {}, outputs = 1): string[] {
    const names = Array.from({ length: outputs }, () => this.fresh(op));
    this.nodes.push({ op, inputs, outputs: names, attrs });
    return names;
  }

  /** Adds a one-output node; returns its output name. */
  emit(op: string, inputs: readonly string[], attrs: Record<string, OrtAttribute> = {}): string {
    return this.emitMany(op, inputs, attrs)[0];
  }

  /** A float constant of the given shape. */
  floats(values: ArrayLike<number>, dims: readonly number[] = [values.length]): string {
    const name = this.fresh('const');
    this.initializers.set(name, { name, type: 1, dims, values: Float32Array.from(values) });
    return name;
  }

  /** A float scalar. */
  scalar(v: number): string {
    return this.floats([v], []);
  }

  /** An int64 vector (shapes, axes, pads). */
  int64s(values: readonly number[], type: OrtElemType = 7): string {
    const name = this.fresh('ints');
    this.initializers.set(name, { name, type, dims: [values.length], values: [...values] });
    return name;
  }

  /** Sum over `axes` with kept dimensions. */
  reduceSum(x: string, axes: readonly number[]): string {
    if (axes.length === 0) return x;
    return this.opset >= 13 ? this.emit('ReduceSum', [x, this.int64s(axes)], { keepdims: { i: 1 } }) : this.emit('ReduceSum', [x], { axes: { ints: axes }, keepdims: { i: 1 } });
  }

  /** `x` reshaped to a static shape. */
  reshape(x: string, dims: readonly number[]): string {
    return this.emit('Reshape', [x, this.int64s(dims)]);
  }

  /** `x[starts:ends]` along `axes`. */
  slice(x: string, starts: readonly number[], ends: readonly number[], axes: readonly number[]): string {
    if (this.opset >= 10) return this.emit('Slice', [x, this.int64s(starts), this.int64s(ends), this.int64s(axes)]);
    return this.emit('Slice', [x], { starts: { ints: starts }, ends: { ints: ends }, axes: { ints: axes } });
  }

  /** `where(cond, a, b)`. */
  where(cond: string, a: string, b: string): string {
    return this.emit('Where', [cond, a, b]);
  }

  /**
   * `x` with its axis `axis` (of a rank-`rank` value) mapped by `matrix` `[from, to]`:
   * out[…, j, …] = Σ_i x[…, i, …] · matrix[i, j] (a Transpose to the last axis, MatMul, Transpose back).
   */
  matmulAxis(x: string, axis: number, rank: number, matrix: string): string {
    if (axis === rank - 1) return this.emit('MatMul', [x, matrix]);
    const perm = Array.from({ length: rank }, (_, i) => (i === axis ? rank - 1 : i === rank - 1 ? axis : i));
    const moved = this.emit('Transpose', [x], { perm: { ints: perm } });
    return this.emit('Transpose', [this.emit('MatMul', [moved, matrix])], { perm: { ints: perm } });
  }
}
