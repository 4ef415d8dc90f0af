/**
 * What a view shows: an Explanation record (src/core/explanation.ts) with what the page knows
 * beside it (inputs, tokens, class names, report card). Also reads CLI output files: any
 * `--json`/`--out x.json` of a global command is an Explanation (it has a `kind`); `lumen explain
 * --json` writes an attribution with its values under `data` (src/cli/explain.ts attributionJson).
 */
import type { AttributionExplanation, Explanation } from '../../src/core/explanation.js';
import { EXPLANATION_KINDS } from '../../src/core/explanation.js';
import type { Evaluation } from '../../src/metrics/evaluate-methods.js';
import type { CardScores } from './protocol.js';

/** `lumen evaluate --json` / evaluation.json (src/metrics/evaluate-methods.ts Evaluation), shown as a ranking. */
export interface EvaluationRecord {
  readonly kind: 'evaluation';
  readonly method: string;
  readonly evaluation: Evaluation;
  readonly meta?: undefined;
}

export interface Shown {
  readonly explanation: Explanation | EvaluationRecord;
  readonly source: string;
  readonly inputs?: { readonly data: readonly number[]; readonly shape: readonly number[] };
  readonly rowLabels?: readonly string[];
  readonly predictions?: readonly string[];
  readonly classNames?: readonly string[];
  readonly tokens?: readonly (readonly string[])[];
  readonly featureValues?: readonly (readonly number[])[];
  readonly card?: CardScores;
  readonly ms?: number;
}

type Json = Record<string, unknown>;

function isNumbers(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number' || x === null);
}

/** A parsed JSON file as shown explanations (a list of them, or one); an error names what was expected. */
export function shownFromJson(value: unknown, source: string): Shown[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => shownFromJson(v, `${source}[${i}]`));
  if (typeof value !== 'object' || value === null) throw new Error(`${source}: expected an explanation object (with a kind) or lumen explain --json output; found ${typeof value}`);
  const v = value as Json;
  if (Array.isArray(v.metrics) && Array.isArray(v.methods) && typeof v.verdicts === 'object') {
    return [{ explanation: { kind: 'evaluation', method: `evaluation of ${(v.methods as string[]).join(', ')}`, evaluation: v as unknown as Evaluation }, source }];
  }
  if (typeof v.kind === 'string') {
    if (!(EXPLANATION_KINDS as readonly string[]).includes(v.kind)) throw new Error(`${source}: unknown kind '${v.kind}'; expected one of ${EXPLANATION_KINDS.join(', ')}`);
    const tokens = Array.isArray(v.tokens) ? (v.tokens as string[][]) : undefined;
    return [{ explanation: v as unknown as Explanation, source, tokens: tokens && typeof tokens[0] === 'string' ? [tokens as unknown as string[]] : tokens }];
  }
  if (isNumbers(v.data) && isNumbers(v.shape)) {
    const explanation: AttributionExplanation = {
      kind: 'attribution', method: String(v.method ?? 'attribution'), shape: v.shape, values: v.data.map((x) => x ?? NaN),
      target: isNumbers(v.target) ? v.target : null,
      ...(Array.isArray(v.featureNames) ? { featureNames: v.featureNames as string[] } : {}),
      meta: (v.meta ?? {}) as AttributionExplanation['meta'],
    };
    const raw = v.tokens as unknown;
    const tokens = Array.isArray(raw) ? (typeof raw[0] === 'string' ? [raw as string[]] : (raw as string[][])) : undefined;
    const names = Array.isArray(v.targetNames) ? (v.targetNames as string[]) : undefined;
    return [{ explanation, source, tokens, predictions: names?.map((n) => `target ${n}`) }];
  }
  throw new Error(`${source}: expected an explanation (a 'kind' field) or lumen explain --json output ('data' and 'shape'); found the keys ${Object.keys(v).slice(0, 8).join(', ')}`);
}
