import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rankScores } from '../../src/metrics/rank-scores.js';

test('rankScores ranks in the metric direction, NaN last, ties in order', () => {
  assert.deepEqual(rankScores([0.2, 0.9, 0.5], 'higher'), [3, 1, 2]);
  assert.deepEqual(rankScores([0.2, 0.9, 0.5], 'lower'), [1, 3, 2]);
  assert.deepEqual(rankScores([NaN, 1, 1], 'lower'), [3, 1, 2]);
});
