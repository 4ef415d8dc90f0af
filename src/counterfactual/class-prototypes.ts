/**
 * Class prototypes of prototype-guided counterfactuals (Van Looveren & Klaise 2021, §3.2): the
 * training rows grouped by the model's predicted class, each encoded (by an encoder such as an
 * autoencoder's, or the rows themselves); for a query, class i's prototype is the mean of the k
 * encodings of class i nearest to the query's encoding (alibi's k_type 'mean'; all of the class
 * when k is not given), or the k-th nearest itself ('point', what alibi's k-d trees return).
 */
import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { argMax, predictProbabilities } from './output-gradient.js';

/** Encodings of m rows: `values[i * size + e]`. */
export interface Encodings {
  readonly values: Float32Array;
  readonly rows: number;
  readonly size: number;
}

/**
 * The encodings of n rows of `shape` (flattened in `rows`) by `encoder` (its output flattened per
 * row), `batchSize` rows per call; without an encoder the rows themselves.
 */
export async function encodeRows(encoder: Model | undefined, rows: Float32Array, n: number, shape: readonly number[], batchSize = 256): Promise<Encodings> {
  const d = shape.reduce((a, b) => a * b, 1);
  if (!encoder) return { values: rows, rows: n, size: d };
  const parts: Float32Array[] = [];
  let size = 0;
  for (let s = 0; s < n; s += batchSize) {
    const m = Math.min(batchSize, n - s);
    const z = tf.tensor(rows.subarray(s * d, (s + m) * d), [m, ...shape]);
    const out = await encoder.predict(z);
    const v = Float32Array.from(await out.data());
    tf.dispose([z, out]);
    size = v.length / m;
    parts.push(v);
  }
  const values = new Float32Array(n * size);
  let o = 0;
  for (const p of parts) {
    values.set(p, o);
    o += p.length;
  }
  return { values, rows: n, size };
}

/** The model's predicted class of n rows, `batchSize` rows per call. */
export async function modelClasses(model: Model, rows: Float32Array, n: number, shape: readonly number[], batchSize = 256): Promise<number[]> {
  const d = shape.reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let s = 0; s < n; s += batchSize) {
    const m = Math.min(batchSize, n - s);
    out.push(...(await predictProbabilities(model, rows.subarray(s * d, (s + m) * d), m, shape)).map(argMax));
  }
  return out;
}

/** How a class prototype is made from the nearest encodings. */
export interface PrototypeOptions {
  /** Nearest encodings per class (default: every encoding of the class for 'mean', 1 for 'point'). */
  readonly k?: number;
  /** 'mean' of the k nearest (default) or the k-th nearest 'point'. */
  readonly kType?: 'mean' | 'point';
}

/** Per query and class: the prototype (null for a class with no rows) and its Euclidean distance to the query's encoding. */
export interface ClassPrototypes {
  readonly prototypes: (Float32Array | null)[][];
  readonly distances: number[][];
}

/**
 * Van Looveren & Klaise's class prototypes for each of the `queries`' encodings from the training
 * `encodings` and their predicted `classes` (0 … classCount − 1): the mean of the k nearest
 * encodings of each class (Euclidean, exact: a full scan finds the neighbours a k-d tree would),
 * or the k-th nearest with kType 'point'. Bad k is a LumenError naming `fn`.
 */
export function classPrototypes(encodings: Encodings, classes: readonly number[], queries: Encodings, classCount: number, options: PrototypeOptions, fn: string): ClassPrototypes {
  const kType = options.kType ?? 'mean';
  check(kType === 'mean' || kType === 'point', 'option', () => `${fn}: kType must be 'mean' or 'point'; found ${JSON.stringify(kType)}`);
  check(options.k === undefined || (Number.isInteger(options.k) && options.k >= 1), 'option', () => `${fn}: k must be a positive integer; found ${options.k}`);
  check(encodings.size === queries.size, 'shape', () => `${fn}: encodings of ${encodings.size} values cannot be compared with queries of ${queries.size}`);
  const e = encodings.size;
  const byClass: number[][] = Array.from({ length: classCount }, () => []);
  classes.forEach((c, i) => byClass[c]?.push(i));
  const prototypes: (Float32Array | null)[][] = [];
  const distances: number[][] = [];
  for (let q = 0; q < queries.rows; q++) {
    const query = queries.values.subarray(q * e, (q + 1) * e);
    const protos: (Float32Array | null)[] = [];
    const dists: number[] = [];
    for (let c = 0; c < classCount; c++) {
      const members = byClass[c];
      if (members.length === 0) {
        protos.push(null);
        dists.push(Number.POSITIVE_INFINITY);
        continue;
      }
      const d2 = members.map((i) => {
        let s = 0;
        for (let j = 0; j < e; j++) {
          const v = encodings.values[i * e + j] - query[j];
          s += v * v;
        }
        return s;
      });
      const order = members.map((_, t) => t).sort((a, b) => d2[a] - d2[b] || members[a] - members[b]);
      const k = Math.min(options.k ?? (kType === 'mean' ? members.length : 1), members.length);
      const proto = new Float32Array(e);
      if (kType === 'point') proto.set(encodings.values.subarray(members[order[k - 1]] * e, (members[order[k - 1]] + 1) * e));
      else {
        for (let t = 0; t < k; t++) for (let j = 0; j < e; j++) proto[j] += encodings.values[members[order[t]] * e + j];
        for (let j = 0; j < e; j++) proto[j] /= k;
      }
      let dist = 0;
      for (let j = 0; j < e; j++) dist += (proto[j] - query[j]) ** 2;
      protos.push(proto);
      dists.push(Math.sqrt(dist));
    }
    prototypes.push(protos);
    distances.push(dists);
  }
  return { prototypes, distances };
}

/**
 * The class whose prototype guides each query's counterfactual: the nearest prototype of a class
 * other than the query's predicted class, among `allowed` when given. Returns -1 where none exists.
 */
export function nearestPrototypeClass(p: ClassPrototypes, original: readonly number[], allowed?: readonly number[]): number[] {
  return p.distances.map((dists, q) => {
    let best = -1;
    dists.forEach((v, c) => {
      if (c === original[q] || p.prototypes[q][c] === null || (allowed && !allowed.includes(c))) return;
      if (best < 0 || v < dists[best]) best = c;
    });
    return best;
  });
}
