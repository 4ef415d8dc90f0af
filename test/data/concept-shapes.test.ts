import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conceptShapes, SHAPES_CONCEPTS, CONCEPT_SHAPES_SIZE, type ShapesConcept, type ConceptShapesData } from '../../src/data/concept-shapes.js';
import { LumenError } from '../../src/core/errors.js';

const PIXELS = CONCEPT_SHAPES_SIZE * CONCEPT_SHAPES_SIZE;

function present(data: ConceptShapesData, concept: ShapesConcept, i: number): boolean {
  return data.masks[concept].subarray(i * PIXELS, (i + 1) * PIXELS).some((v) => v === 1);
}

test('conceptShapes(n, {seed}) is reproducible and differs across seeds', () => {
  const a = conceptShapes(20, { seed: 3 });
  const b = conceptShapes(20, { seed: 3 });
  const c = conceptShapes(20, { seed: 4 });
  assert.deepEqual(a.images, b.images);
  assert.deepEqual(a.masks.stripes, b.masks.stripes);
  assert.notDeepEqual(a.images, c.images);
  assert.equal(a.images.length, 20 * PIXELS * 3);
  assert.ok(a.images.every((v) => v >= 0 && v <= 1));
});

test('the label is 1 exactly when an object is striped, and dots are as frequent but independent of it', () => {
  const n = 2000;
  const data = conceptShapes(n, { seed: 11 });
  let stripes = 0;
  let dots = 0;
  let both = 0;
  for (let i = 0; i < n; i++) {
    const s = present(data, 'stripes', i);
    const d = present(data, 'dots', i);
    assert.equal(data.labels[i], s ? 1 : 0, `image ${i}`);
    stripes += +s;
    dots += +d;
    both += +(s && d);
  }
  // binomial(2000, 0.5): sd ≈ 22; ±100 is over 4 sd
  assert.ok(Math.abs(stripes - n / 2) < 100, `stripes in ${stripes} images`);
  assert.ok(Math.abs(dots - n / 2) < 100, `dots in ${dots} images`);
  // independence: P(both) ≈ P(stripes)·P(dots) (sd of the count ≈ 19)
  assert.ok(Math.abs(both - (stripes * dots) / n) < 80, `both in ${both} images; ${(stripes * dots) / n} expected`);
});

test('each object pixel has one shape and one colour; textures lie inside objects', () => {
  const data = conceptShapes(50, { seed: 5 });
  for (let p = 0; p < 50 * PIXELS; p++) {
    const shapes = data.masks.circle[p] + data.masks.square[p];
    const colours = data.masks.red[p] + data.masks.green[p] + data.masks.blue[p];
    assert.ok(shapes <= 1 && shapes === colours, `pixel ${p}: ${shapes} shapes, ${colours} colours`);
    assert.ok(data.masks.stripes[p] + data.masks.dots[p] <= shapes);
  }
  for (const concept of SHAPES_CONCEPTS) assert.ok(data.masks[concept].some((v) => v === 1), `${concept} appears`);
});

test('conceptShapes(n, {containing}) puts the concept in every image', () => {
  for (const concept of SHAPES_CONCEPTS) {
    const data = conceptShapes(30, { seed: 8, containing: concept });
    for (let i = 0; i < 30; i++) assert.ok(present(data, concept, i), `${concept} in image ${i}`);
  }
  assert.ok(conceptShapes(30, { seed: 8, containing: 'stripes' }).labels.every((v) => v === 1));
});

test('conceptShapes refuses a bad count or concept with a LumenError', () => {
  assert.throws(() => conceptShapes(0), (e: unknown) => e instanceof LumenError && /count must be a positive integer; found 0/.test(e.message));
  assert.throws(() => conceptShapes(3, { containing: 'zigzag' as ShapesConcept }), /containing must be one of stripes, dots, circle, square, red, green, blue; found 'zigzag'/);
});
