/**
 * Messages between the page and the compute worker (worker.ts). The page never loads tfjs: the
 * worker sends it the registry's catalogue (plain method metadata and option specs) and plain
 * Explanation records back (src/core/explanation.ts), so everything crosses as structured clones.
 */
import type { AttributionExplanation } from '../../src/core/explanation.js';
import type { MethodFamily, OptionSpec } from '../../src/core/method-info.js';

/** A registry entry as the page sees it (no `run`). */
export interface CatalogueEntry {
  readonly id: string;
  readonly title: string;
  readonly family: MethodFamily;
  readonly scope: 'local' | 'global';
  readonly inputKinds: readonly string[];
  readonly layer: 'optional' | 'required' | 'none';
  readonly needsGradients: boolean;
  readonly paper: string;
  readonly summary: string;
  readonly options: readonly OptionSpec[];
}

/** Where a model comes from. */
export type ModelSource =
  | { readonly type: 'bundled'; readonly name: 'mnist' | 'penguins' | 'spam' | 'mnist-onnx'; readonly base: string }
  | { readonly type: 'onnx'; readonly name: string; readonly bytes: ArrayBuffer; readonly layout: 'nchw' | 'nhwc' }
  | { readonly type: 'tfjs'; readonly files: readonly File[] };

/** What the worker tells about a loaded model. */
export interface ModelInfo {
  readonly name: string;
  readonly inputShape: readonly number[];
  readonly classNames?: readonly string[];
  readonly featureNames?: readonly string[];
  readonly layers?: readonly string[];
  readonly kind: 'image' | 'tabular' | 'text';
}

/** One method to run with its option values (already typed by the form, see option-values.ts). */
export interface MethodRun {
  readonly id: string;
  readonly options: Readonly<Record<string, unknown>>;
}

/** Deletion AUC, infidelity and max-sensitivity per example (src/metrics/report-card.ts). */
export interface CardScores {
  readonly deletion: readonly number[];
  readonly infidelity: readonly number[];
  readonly maxSensitivity: readonly number[];
}

export type ToWorker =
  | { readonly type: 'catalogue' }
  | { readonly type: 'load'; readonly source: ModelSource }
  | {
      readonly type: 'explain'; readonly job: number; readonly runs: readonly MethodRun[];
      readonly input: { readonly data: readonly number[]; readonly shape: readonly number[] };
      readonly target: 'predicted' | number; readonly card: boolean; readonly seed: number;
    }
  | { readonly type: 'cancel'; readonly job: number }
  | { readonly type: 'compare'; readonly a: readonly number[]; readonly b: readonly number[] };

export type FromWorker =
  | { readonly type: 'catalogue'; readonly methods: readonly CatalogueEntry[]; readonly backend: string }
  | { readonly type: 'loaded'; readonly info: ModelInfo }
  | { readonly type: 'progress'; readonly job: number; readonly method: string; readonly done: number; readonly total: number }
  | {
      readonly type: 'result'; readonly job: number; readonly explanation: AttributionExplanation;
      readonly predictions: readonly number[]; readonly card?: CardScores; readonly ms: number;
    }
  | { readonly type: 'done'; readonly job: number }
  | { readonly type: 'compared'; readonly spearman: number; readonly topK: number }
  | { readonly type: 'error'; readonly job?: number; readonly message: string; readonly code?: string };
