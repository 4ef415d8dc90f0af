/** What the headless-Chromium test page computes and reports (shared by page.ts and chromium.test.ts). */
import * as tf from '@tensorflow/tfjs';
import { integratedGradients, saliency, type Model, type OnnxModel } from '../../src/index.js';

/** The options both sides run saliency and IG with. */
export const PAGE_OPTIONS = { target: [3, 7], steps: 16 } as const;

/** The page's numbers, as plain arrays (they cross the page boundary as JSON). */
export interface PageNumbers {
  readonly backend: string;
  readonly saliency: number[];
  readonly integratedGradients: number[];
  readonly onnxOutput: number[];
}

/** `globalThis.lumenResult` once the page is done: its numbers and what the page saw, or the error it hit. */
export type PageResult =
  | (PageNumbers & { readonly tensorsLeft: number; readonly violations: string[]; readonly evalRefused: boolean })
  | { readonly error: string };

/** The computation both sides run: saliency and IG of `model` on `x`, and the ONNX model's output for `x`. */
export async function explainNumbers(model: Model, onnx: OnnxModel, x: tf.Tensor): Promise<Omit<PageNumbers, 'backend'>> {
  const sal = await saliency(model, x, { target: [...PAGE_OPTIONS.target] });
  const ig = await integratedGradients(model, x, { target: [...PAGE_OPTIONS.target], steps: PAGE_OPTIONS.steps });
  const out = await onnx.predict(x);
  const numbers = {
    saliency: Array.from(await sal.values.data()),
    integratedGradients: Array.from(await ig.values.data()),
    onnxOutput: Array.from(await out.data()),
  };
  tf.dispose([sal.values, ig.values, out]);
  return numbers;
}
