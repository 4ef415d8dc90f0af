/**
 * The demo's concepts case (src/cli/demo-concepts.ts): TCAV with random sets on bundled:concepts and a
 * linear-CKA matrix, rendered in the report as bars with error bars and as a heatmap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ConceptsExplanation, SimilarityExplanation } from '../../src/core/explanation.js';
import { explanationSection } from '../../src/render/explanation-section.js';
import { repoPath } from '../helpers.js';

test('lumen demo --methods tcav,linear-cka: TCAV on bundled:concepts (stripes significant, random images not) and CKA heatmaps in the report', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-demo-concepts-'));
  const r = spawnSync('node', [repoPath('dist', 'src', 'cli', 'main.js'), 'demo', '--out', dir, '--methods', 'tcav,linear-cka'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /mnist\s+tcav\s+–\s+–\s+skipped: needs concept sets and a random pool/);
  assert.match(r.stdout, /concepts\s+tcav\s+–\s+–\s+ok: global/);
  assert.match(r.stdout, /concepts\s+linear-cka\s+–\s+–\s+ok: global/);
  const e = JSON.parse(readFileSync(path.join(dir, 'concepts-tcav.json'), 'utf8')) as ConceptsExplanation;
  const score = (name: string) => e.scores.find((s) => s.concept === name);
  assert.deepEqual(e.scores.map((s) => s.concept), ['stripes', 'dots', 'circle', 'red', 'random images']);
  assert.equal(e.meta?.runs, 10);
  assert.ok(score('stripes')!.score > 0.9 && score('stripes')!.pValue! < 0.05, `stripes ${score('stripes')?.score}, p ${score('stripes')?.pValue}`);
  assert.ok(score('random images')!.pValue! > 0.05, `random images p ${score('random images')?.pValue}`);
  const cka = JSON.parse(readFileSync(path.join(dir, 'concepts-linear-cka.json'), 'utf8')) as SimilarityExplanation;
  assert.deepEqual(cka.rows, ['input', 'conv1', 'relu1', 'pool1', 'conv2', 'relu2', 'pool2', 'conv3', 'relu3', 'gap', 'logits']);
  cka.values.forEach((row, i) => assert.ok(Math.abs(row[i] - 1) < 1e-9, `CKA of ${cka.rows[i]} with itself: ${row[i]}`));
  const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
  assert.match(html, /Global explanations · Concept shapes/);
  assert.match(html, /<svg[^>]*>\s*<text[^>]*>TCAV scores, class striped, relu2<\/text>/, 'TCAV bars in the report');
  assert.equal((html.match(/<svg[^>]*>\s*<text[^>]*>linear-cka<\/text>/g) ?? []).length, 3, 'a CKA heatmap per case (mnist, penguins, concepts)');
});

test('explanationSection draws TCAV bars and similarity heatmaps above their tables; other concept scores stay a table', () => {
  const tcavE: ConceptsExplanation = {
    kind: 'concepts', method: 'tcav',
    scores: [{ concept: 'stripes', class: 'striped', layer: 'relu2', score: 0.9, pValue: 0.0005 }, { concept: 'dots', class: 'striped', layer: 'relu2', score: 0.4, pValue: 0.5 }],
    meta: { std: [0.05, 0.3], randomMean: 0.5, runs: 10, correction: 'holm' },
  };
  const s = explanationSection(tcavE, { title: 'TCAV' });
  assert.equal(s.figures?.length, 1);
  assert.match(s.figures![0].svg!, /\*\*\*/, 'p 0.0005 is marked ***');
  assert.match(s.figures![0].caption, /10 runs.*holm/);
  assert.equal(s.table?.rows.length, 2);
  const probe: ConceptsExplanation = { kind: 'concepts', method: 'linear-probe', scores: [{ concept: 'relu1', score: 0.8 }] };
  assert.equal(explanationSection(probe).figures, undefined);
  const sim: SimilarityExplanation = { kind: 'similarity', method: 'linear-cka', rows: ['a', 'b'], columns: ['a', 'b'], values: [[1, 0.25], [0.25, 1]] };
  const h = explanationSection(sim);
  assert.match(h.figures![0].svg!, /0\.25/);
  assert.equal(h.table?.rows.length, 2);
});
