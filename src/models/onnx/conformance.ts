/**
 * ONNX's backend node tests (one folder per test: `model.onnx` and `test_data_set_*` holding
 * `input_i.pb` / `output_i.pb` TensorProtos; Debian package `libonnx-testdata`) run through
 * Lumen's importer, compared as ONNX's own backend runner compares them: elementwise
 * |got − expected| ≤ atol + rtol·|expected| with rtol 1e-3 and atol 1e-7, exact for integers and
 * booleans, NaN equal to NaN.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LumenError } from '../../core/errors.js';
import { ONNX_CONFORMANCE_EXCLUSIONS } from './conformance-exclusions.js';
import { decodeOnnxModel, decodeOnnxTensor, type OnnxModelRecord } from './decode.js';
import { onnxOpSupported } from './ops/registry.js';
import { importOnnxProgram, onnxOpsetProblem, runOnnxProgram } from './program.js';
import { onnxTensorOf } from './values.js';

/** Where Debian's libonnx-testdata puts ONNX's backend node tests. */
export const ONNX_NODE_TEST_DIR = '/usr/include/onnx/backend/test/data/node';

/** ONNX's backend runner tolerances (onnx/backend/test/runner). */
export const ONNX_CONFORMANCE_RTOL = 1e-3;
export const ONNX_CONFORMANCE_ATOL = 1e-7;

/** The outcome of one node test. */
export interface OnnxConformanceResult {
  readonly test: string;
  /** 'unsupported': uses an op Lumen does not import; 'excluded': listed with a reason. */
  readonly status: 'passed' | 'failed' | 'unsupported' | 'excluded';
  readonly ops: readonly string[];
  readonly message?: string;
}

/** Counts and rows of a conformance run. */
export interface OnnxConformanceReport {
  readonly passed: number;
  readonly failed: number;
  readonly unsupported: number;
  readonly excluded: number;
  readonly results: readonly OnnxConformanceResult[];
}

/** Options of `runOnnxConformance`. */
export interface OnnxConformanceOptions {
  /** Only tests whose folder name matches. */
  readonly filter?: RegExp;
  /** Tests to skip, with the reason (default: the documented exclusion list). */
  readonly exclusions?: Readonly<Record<string, string>>;
  readonly onResult?: (r: OnnxConformanceResult) => void;
}

function compare(got: tf.Tensor, expected: tf.Tensor, name: string): string | null {
  if (got.shape.length !== expected.shape.length || got.shape.some((d, i) => d !== expected.shape[i])) {
    return `output '${name}': shape [${got.shape}] vs expected [${expected.shape}]`;
  }
  const a = got.dataSync();
  const e = expected.dataSync();
  const exact = expected.dtype !== 'float32';
  let worst = -1;
  let excess = 0;
  for (let i = 0; i < e.length; i++) {
    const x = Number(a[i]);
    const y = Number(e[i]);
    if (Number.isNaN(y) && Number.isNaN(x)) continue;
    if (x === y) continue;
    const err = Math.abs(x - y);
    const allowed = exact ? 0 : ONNX_CONFORMANCE_ATOL + ONNX_CONFORMANCE_RTOL * Math.abs(y);
    if (!(err <= allowed) && (worst < 0 || err - allowed > excess)) {
      worst = i;
      excess = err - allowed;
    }
  }
  return worst < 0 ? null : `output '${name}': element ${worst} is ${a[worst]}, expected ${e[worst]}`;
}

function runDataSet(record: OnnxModelRecord, dir: string, what: string): string | null {
  const inputs = record.inputs.filter((i) => !record.initializers.has(i.name));
  const read = (file: string): tf.Tensor => onnxTensorOf(decodeOnnxTensor(readFileSync(path.join(dir, file)), `${what}: ${file}`));
  const feeds = new Map<string, tf.Tensor>();
  const expected: tf.Tensor[] = [];
  try {
    inputs.forEach((info, i) => {
      if (existsSync(path.join(dir, `input_${i}.pb`))) feeds.set(info.name, read(`input_${i}.pb`));
    });
    record.outputs.forEach((_, i) => expected.push(read(`output_${i}.pb`)));
    const present = new Map([...feeds].map(([name, t], i) => [name, { id: `input:${i}:${name}`, tensor: t, channelsLast: false }]));
    const program = importOnnxProgram({ ...record, inputs: record.inputs.filter((i) => present.has(i.name) || record.initializers.has(i.name)) }, present, what);
    try {
      let problem: string | null = null;
      tf.tidy(() => {
        const outs = runOnnxProgram(program, feeds);
        for (let i = 0; i < record.outputs.length && problem === null; i++) {
          const name = record.outputs[i].name;
          problem = compare(outs.get(name) as tf.Tensor, expected[i], name);
        }
      });
      return problem;
    } finally {
      program.dispose();
    }
  } finally {
    tf.dispose([...feeds.values(), ...expected]);
  }
}

/** Runs one node test folder: every data set must match. */
export function runOnnxNodeTest(dir: string, exclusions: Readonly<Record<string, string>> = ONNX_CONFORMANCE_EXCLUSIONS): OnnxConformanceResult {
  const test = path.basename(dir);
  let record: OnnxModelRecord;
  try {
    record = decodeOnnxModel(readFileSync(path.join(dir, 'model.onnx')), test);
  } catch (e) {
    return { test, status: 'failed', ops: [], message: (e as Error).message };
  }
  const ops = [...new Set(record.nodes.map((n) => (n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType)))];
  if (!record.nodes.every((n) => onnxOpSupported(n.opType, n.domain))) return { test, status: 'unsupported', ops };
  if (onnxOpsetProblem(record) !== null) return { test, status: 'unsupported', ops, message: `opset ${record.opset}` };
  if (exclusions[test]) return { test, status: 'excluded', ops, message: exclusions[test] };
  const sets = readdirSync(dir).filter((f) => f.startsWith('test_data_set_')).sort();
  if (sets.length === 0) return { test, status: 'failed', ops, message: 'no test_data_set_* folder' };
  for (const set of sets) {
    try {
      const problem = runDataSet(record, path.join(dir, set), `${test}/${set}`);
      if (problem) return { test, status: 'failed', ops, message: `${set}: ${problem}` };
    } catch (e) {
      if (!(e instanceof LumenError) && !(e instanceof Error)) throw e;
      return { test, status: 'failed', ops, message: `${set}: ${(e as Error).message}` };
    }
  }
  return { test, status: 'passed', ops };
}

/**
 * Runs every node test under `dir` (default: libonnx-testdata's folder) whose ops Lumen imports;
 * tests using other ops count as unsupported, listed exclusions as excluded.
 */
export function runOnnxConformance(dir: string = ONNX_NODE_TEST_DIR, options: OnnxConformanceOptions = {}): OnnxConformanceReport {
  let entries: string[];
  try {
    entries = readdirSync(dir).filter((d) => statSync(path.join(dir, d)).isDirectory() && existsSync(path.join(dir, d, 'model.onnx'))).sort();
  } catch {
    throw new LumenError('file', `onnx-conformance: cannot read '${dir}'; expected ONNX's backend node tests (apt-get install libonnx-testdata: ${ONNX_NODE_TEST_DIR})`);
  }
  if (entries.length === 0) throw new LumenError('file', `onnx-conformance: '${dir}' holds no test folders with a model.onnx`);
  const results: OnnxConformanceResult[] = [];
  for (const name of entries) {
    if (options.filter && !options.filter.test(name)) continue;
    const r = runOnnxNodeTest(path.join(dir, name), options.exclusions ?? ONNX_CONFORMANCE_EXCLUSIONS);
    results.push(r);
    options.onResult?.(r);
  }
  const count = (s: OnnxConformanceResult['status']): number => results.filter((r) => r.status === s).length;
  return { passed: count('passed'), failed: count('failed'), unsupported: count('unsupported'), excluded: count('excluded'), results };
}
