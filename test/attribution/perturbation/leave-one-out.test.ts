import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { leaveOneOut } from '../../../src/attribution/perturbation/leave-one-out.js';
import { LumenError } from '../../../src/core/errors.js';
import { fromFunction } from '../../../src/models/from-function.js';
import { useBackend } from '../../../src/engine/backend.js';
import { maxAbsDiff } from '../../toy-models.js';

/** A positional bag-of-words black box on [N, 4] token ids from a vocabulary of 5: f = Σ_t pos[t] · score[id_t]. */
const score = [0, 1, -2, 3, 0.5];
const pos = [1, 0.5, 0.25, 0.125];
function textModel(): { model: ReturnType<typeof fromFunction>; calls: () => number } {
  let calls = 0;
  const model = fromFunction((x) => {
    calls++;
    return tf.tidy(() => {
      const ids = x.toInt();
      const s = tf.gather(tf.tensor1d(score), ids).mul(tf.tensor1d(pos)).sum(1, true);
      return tf.concat([s, s.neg()], 1);
    });
  }, { inputShape: [4], outputShape: [2], name: 'text' });
  return { model, calls: () => calls };
}
const f = (ids: number[]): number => ids.reduce((s, id, t) => s + pos[t] * score[id], 0);

test('leaveOneOut (replace) of token i is f(x) − f(x with token i := baseline id)', async () => {
  await useBackend();
  const { model } = textModel();
  const x = tf.tensor2d([[1, 2, 3, 4], [3, 3, 1, 2]]);
  const a = await leaveOneOut(model, x, { target: 0, baseline: 0 });
  const rows = [[1, 2, 3, 4], [3, 3, 1, 2]];
  const expected = rows.flatMap((r) => r.map((_, i) => f(r) - f(r.map((v, j) => (j === i ? 0 : v)))));
  assert.ok((await maxAbsDiff(a.values, expected)) < 1e-6);
  x.dispose();
  a.dispose();
});

test('leaveOneOut (delete) removes the token and shifts the rest left; padding positions are skipped', async () => {
  await useBackend();
  const { model, calls } = textModel();
  const x = tf.tensor2d([[1, 2, 3, 0]]);
  const a = await leaveOneOut(model, x, { target: 0, erase: 'delete', padValue: 0, batchSize: 8 });
  const r = [1, 2, 3, 0];
  const del = (i: number): number[] => [...r.slice(0, i), ...r.slice(i + 1), 0];
  const expected = [f(r) - f(del(0)), f(r) - f(del(1)), f(r) - f(del(2)), 0];
  assert.ok((await maxAbsDiff(a.values, expected)) < 1e-6);
  assert.equal(calls(), 2, 'f(x) and one batch of 3 erased rows (the pad is not erased)');
  const rel = await leaveOneOut(model, x, { target: 0, erase: 'delete', padValue: 0, relative: true });
  assert.ok((await maxAbsDiff(rel.values, expected.map((v) => v / f(r)))) < 1e-6);
  [a, rel].forEach((t) => t.dispose());
  x.dispose();
});

test('leaveOneOut on embeddings [N, T, E]: a token erases its whole vector; a dimension erases one coordinate of every token', async () => {
  await useBackend();
  const w = [[1, 2], [3, -1], [0.5, 4]]; // [T, E]
  const model = fromFunction((x) => tf.tidy(() => x.mul(tf.tensor2d(w)).sum([1, 2]).reshape([-1, 1])), { inputShape: [3, 2], outputShape: [1] });
  const x = tf.tensor3d([[[1, 1], [2, 0.5], [-1, 3]]]);
  const xs = [[1, 1], [2, 0.5], [-1, 3]];
  const tok = await leaveOneOut(model, x, { target: 0 });
  const tokExpected = xs.flatMap((v, t) => { const s = v[0] * w[t][0] + v[1] * w[t][1]; return [s, s]; });
  assert.ok((await maxAbsDiff(tok.values, tokExpected)) < 1e-6);
  const dim = await leaveOneOut(model, x, { target: 0, unit: 'dimension' });
  const d0 = xs.reduce((s, v, t) => s + v[0] * w[t][0], 0);
  const d1 = xs.reduce((s, v, t) => s + v[1] * w[t][1], 0);
  assert.ok((await maxAbsDiff(dim.values, [d0, d1, d0, d1, d0, d1])) < 1e-5);
  [tok, dim].forEach((t) => t.dispose());
  x.dispose();
});

test('leaveOneOut refuses images, dimensions of id sequences and deleted dimensions', async () => {
  await useBackend();
  const { model } = textModel();
  const x = tf.tensor2d([[1, 2, 3, 4]]);
  await assert.rejects(leaveOneOut(model, x, { unit: 'dimension' }), (e: unknown) => e instanceof LumenError && /needs \[N, T, E\]/.test(e.message));
  const img = tf.zeros([1, 2, 2, 1]);
  const imgModel = fromFunction((z) => z.reshape([1, 4]), { inputShape: [2, 2, 1], outputShape: [4] });
  await assert.rejects(leaveOneOut(imgModel, img), /expects token sequences \[N, T\] or embeddings \[N, T, E\]/);
  const emb = tf.zeros([1, 4, 2]);
  const embModel = fromFunction((z) => z.reshape([1, 8]), { inputShape: [4, 2], outputShape: [8] });
  await assert.rejects(leaveOneOut(embModel, emb, { unit: 'dimension', erase: 'delete' }), /cannot be deleted/);
  tf.dispose([x, img, emb]);
});
