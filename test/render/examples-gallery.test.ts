import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExamplesExplanation } from '../../src/core/explanation.js';
import { examplesGallery, examplesSection } from '../../src/render/examples-gallery.js';
import { GLYPH_HEIGHT } from '../../src/render/font.js';
import { renderReport } from '../../src/render/html-report.js';
import type { FloatImage } from '../../src/render/image.js';
import { pngDataUri } from '../../src/render/png.js';
import { lumenError, pixel } from './helpers.js';

/** A constant grey 4×4 image (float32 values, as the renderer sees them). */
const grey = (v: number): FloatImage => ({ data: new Float32Array(16).fill(v), height: 4, width: 4, channels: 1 });

const tracin: ExamplesExplanation = {
  kind: 'examples',
  method: 'tracin',
  examples: [
    { index: 3, score: 2.5, query: 0, role: 'proponent' },
    { index: 7, score: 1.25, query: 0, role: 'proponent' },
    { index: 1, score: -0.5, query: 0, role: 'opponent' },
    { index: 9, score: -1, query: 0, role: 'opponent' },
    { index: 5, score: 4, query: 1, role: 'proponent' },
    { index: 2, score: -3, query: 1, role: 'opponent' },
  ],
  meta: { sign: 'positive: proponent' },
};

test('examplesGallery: one row per query and role, the query first, each tile the example’s own pixels', () => {
  const scale = 2;
  const pad = 6;
  const cell = 4 * scale;
  const labelH = GLYPH_HEIGHT + 4;
  const picture = examplesGallery(tracin, { image: (i) => grey(i / 20), queryImage: (q) => grey(0.9 - q / 10), label: (i) => `c${i % 3}`, scale });
  // 4 lines (q0 proponents, q0 opponents, q1 proponents, q1 opponents), 3 columns (query + at most 2 examples).
  assert.equal(picture.width, 3 * cell + 4 * pad);
  assert.equal(picture.height, 4 * (cell + labelH) + 5 * pad);
  const tile = (line: number, col: number): number => pixel(picture, pad + col * (cell + pad) + cell / 2, pad + line * (cell + labelH + pad) + cell / 2)[0];
  const expected = [
    [0.9, 3 / 20, 7 / 20],
    [0.9, 1 / 20, 9 / 20],
    [0.8, 5 / 20, null],
    [0.8, 2 / 20, null],
  ];
  expected.forEach((row, line) => row.forEach((v, col) => {
    // A missing example is a blank (white) cell.
    assert.equal(tile(line, col), v === null ? 255 : Math.round(255 * Math.fround(v)), `line ${line} column ${col}`);
  }));
});

test('examplesGallery: dataset-wide prototypes and criticisms get a row each; tables and empty explanations are refused', () => {
  const mmd: ExamplesExplanation = {
    kind: 'examples',
    method: 'mmd-critic',
    examples: [
      { index: 0, score: 0.5, role: 'prototype' }, { index: 4, score: 0.25, role: 'prototype' }, { index: 8, score: 0.1, role: 'prototype' },
      { index: 6, score: 0.3, role: 'criticism' },
    ],
  };
  const picture = examplesGallery(mmd, { image: (i) => grey(i / 10), scale: 1 });
  assert.equal(picture.width, 3 * 4 + 4 * 6);
  assert.equal(picture.height, 2 * (4 + GLYPH_HEIGHT + 4) + 3 * 6);
  assert.equal(pixel(picture, 6 + 2 * 10 + 2, 6 + 2)[0], Math.round(255 * Math.fround(0.8)), 'third prototype: row 8');
  assert.equal(pixel(picture, 6 + 2, 6 + 15 + 6 + 2)[0], Math.round(255 * Math.fround(0.6)), 'criticism: row 6');
  assert.throws(() => examplesGallery(mmd, {}), lumenError('option', /rows\.image/));
  assert.throws(() => examplesGallery({ ...mmd, examples: [] }, { image: () => grey(0) }), lumenError('input', /no examples/));
});

test('examplesSection: a table of every example (labels, tabular cells) and the gallery in a self-contained HTML page', () => {
  const section = examplesSection(tracin, { label: (i) => `class ${i % 2}`, columns: ['bill', 'flipper'], cells: (i) => [i * 10, i + 0.5] });
  assert.deepEqual(section.table?.columns, ['query', 'role', 'row', 'label', 'score', 'bill', 'flipper']);
  assert.equal(section.table?.rows.length, 6);
  assert.deepEqual(section.table?.rows[2], [0, 'opponent', 1, 'class 1', -0.5, 10, 1.5]);
  assert.match(section.text ?? '', /6 examples\. Sign: positive: proponent\./);
  assert.equal(section.figures, undefined);
  const uri = pngDataUri(examplesGallery(tracin, { image: (i) => grey(i / 20) }));
  const html = renderReport({ title: 'gallery', sections: [examplesSection(tracin, { galleryUri: uri })] });
  assert.ok(html.includes(uri), 'the gallery is inlined');
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, 'no external resources');
});
