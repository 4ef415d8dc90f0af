import type { ExampleRecord, ExamplesExplanation } from '../core/explanation.js';
import { topKPerRow } from './bounded-top-k.js';
import type { InfluenceScores } from './tracin-cp.js';

/** The top-k proponents (highest scores) and opponents (lowest) of each query as an 'examples' explanation. */
export function influenceExplanation(method: string, scores: InfluenceScores, k: number, meta: ExamplesExplanation['meta'] = {}): ExamplesExplanation {
  const pro = topKPerRow(scores.scores, scores.shape, k, true);
  const opp = topKPerRow(scores.scores, scores.shape, k, false);
  const examples: ExampleRecord[] = [];
  for (let q = 0; q < scores.shape[0]; q++) {
    pro.indices[q].forEach((index, r) => examples.push({ index, score: pro.scores[q][r], query: q, role: 'proponent' }));
    opp.indices[q].forEach((index, r) => examples.push({ index, score: opp.scores[q][r], query: q, role: 'opponent' }));
  }
  return { kind: 'examples', method, examples, meta };
}
