/**
 * The script of the headless-Chromium test page (bundled by esbuild from lumen's browser entry). On
 * load it fetches the input digits, explains them with the bundled MNIST model and its ONNX export
 * (wasm backend; everything fetched from the test's server) and leaves the outcome in
 * `globalThis.lumenResult`: all of it runs in the page's own context, under its CSP.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { fromLayersModel, loadOnnx, useBackend } from '../../src/index.js';
import { explainNumbers, type PageNumbers, type PageResult } from './page-contract.js';

async function explainDigits(input: { data: number[]; shape: number[] }): Promise<PageNumbers & { tensorsLeft: number }> {
  setWasmPaths('/wasm/');
  const backend = await useBackend('wasm');
  const layers = await tf.loadLayersModel('/models/mnist/model.json');
  const model = fromLayersModel(layers);
  const before = tf.memory().numTensors;
  const x = tf.tensor(input.data, input.shape);
  const bytes = new Uint8Array(await (await fetch('/models/mnist-onnx/mnist.onnx')).arrayBuffer());
  const onnx = await loadOnnx(bytes, { inputLayout: 'nhwc' });
  const numbers = { backend, ...(await explainNumbers(model, onnx, x)) };
  x.dispose();
  onnx.dispose();
  return { ...numbers, tensorsLeft: tf.memory().numTensors - before };
}

async function main(): Promise<PageResult> {
  const violations: string[] = [];
  document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  try {
    const input = (await (await fetch('/input.json')).json()) as { data: number[]; shape: number[] };
    const numbers = await explainDigits(input);
    const seen = violations.slice();
    // Last, so its own violation report is not counted: the policy refuses code built from strings.
    let evalRefused = false;
    try {
      new Function('return 1');
    } catch {
      evalRefused = true;
    }
    return { ...numbers, violations: seen, evalRefused };
  } catch (e) {
    return { error: (e as Error).stack ?? String(e) };
  }
}

// Node's test runner may load this file as well: only a page runs it.
if (typeof document !== 'undefined') void main().then((result) => Object.assign(globalThis, { lumenResult: result }));
