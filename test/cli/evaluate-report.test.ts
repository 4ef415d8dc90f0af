import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluationReport } from '../../src/cli/evaluate.js';
import { verdict, type Evaluation } from '../../src/metrics/evaluate-methods.js';

const row = (id: string, category: string, ranks: [number, number]): Evaluation['metrics'][number] => ({
  id, title: id, category, direction: 'lower',
  results: ['a', 'b'].map((method, i) => ({ method, aggregate: ranks[i], scores: [ranks[i]], rank: ranks[i], modelCalls: 1, seconds: 0 })),
});

test('verdict(method) names wins, losses and the strongest and weakest category; the report draws retraining curves', () => {
  const rows = [row('deletion', 'faithfulness', [1, 2]), row('insertion', 'faithfulness', [1, 2]), row('max-sensitivity', 'robustness', [2, 1])];
  assert.equal(verdict('a', rows, 2), 'mean rank 1.3 of 2; best on 2/3 (deletion, insertion); last on max-sensitivity; strongest on faithfulness, weakest on robustness');
  assert.equal(verdict('b', rows, 2), 'mean rank 1.7 of 2; best on 1/3 (max-sensitivity); last on deletion, insertion; strongest on robustness, weakest on faithfulness');
  const roar = { ...row('roar', 'faithfulness', [1, 2]) };
  const withCurve = { ...roar, results: roar.results.map((r) => ({ ...r, curve: { fractions: [0.1, 0.5], accuracy: [0.9, 0.4] } })) };
  const html = evaluationReport({ model: 'm', examples: 1, methods: ['a', 'b'], metrics: [...rows, withCurve], verdicts: { a: 'x', b: 'y' } });
  assert.match(html, /Retraining curves/);
  assert.match(html, /roar · a/);
});
