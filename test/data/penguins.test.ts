import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  encodePenguins, loadPenguins, penguinFeaturesFromTable, penguinSplit, penguinStandardization,
  PENGUIN_CLASSES, PENGUIN_FEATURES, PENGUIN_HELD_OUT,
} from '../../src/data/penguins.js';
import { parseCsv } from '../../src/data/csv.js';
import { lumenError } from './helpers.js';

test('loadPenguins keeps the 333 complete rows with named features and classes', () => {
  const d = loadPenguins();
  assert.equal(d.count, 333);
  assert.deepEqual(PENGUIN_CLASSES, ['Adelie', 'Chinstrap', 'Gentoo']);
  assert.equal(PENGUIN_FEATURES.length, 9);
  assert.equal(PENGUIN_FEATURES[0], 'Beak Length (mm)');
  assert.ok(PENGUIN_FEATURES.includes('Island=Dream') && PENGUIN_FEATURES.includes('Sex=MALE'));
  assert.deepEqual([0, 1, 2].map((c) => d.labels.filter((l) => l === c).length), [146, 68, 119]);
});

test('the split is seeded and the train-split statistics standardise the train measurements', () => {
  const d = loadPenguins();
  const s = penguinSplit(d);
  assert.equal(s.heldOut.length, PENGUIN_HELD_OUT);
  assert.deepEqual(penguinSplit(d).train, s.train);
  const stats = penguinStandardization(d, s.train);
  const x = encodePenguins(Array.from(s.train, (k) => d.rows[k]), stats);
  for (let j = 0; j < 4; j++) {
    let mean = 0;
    let sq = 0;
    for (let i = 0; i < s.train.length; i++) mean += x[i * 9 + j] / s.train.length;
    for (let i = 0; i < s.train.length; i++) sq += (x[i * 9 + j] - mean) ** 2 / s.train.length;
    assert.ok(Math.abs(mean) < 1e-5 && Math.abs(sq - 1) < 1e-4, `feature ${j}: mean ${mean}, var ${sq}`);
  }
  for (let i = 0; i < s.train.length; i++) {
    assert.equal(x[i * 9 + 4] + x[i * 9 + 5] + x[i * 9 + 6], 1);
    assert.equal(x[i * 9 + 7] + x[i * 9 + 8], 1);
  }
});

test('a CSV with the dataset columns encodes like the dataset rows', () => {
  const d = loadPenguins();
  const stats = penguinStandardization(d, penguinSplit(d).train);
  const table = parseCsv('species,island,Beak Length (mm),Beak Depth (mm),Flipper Length (mm),Body Mass (g),sex\n'
    + 'Adelie,Torgersen,39.1,18.7,181,3750,male\n', 'p.csv');
  assert.deepEqual(penguinFeaturesFromTable(table, stats, 'p.csv'), encodePenguins([d.rows[0]], stats));
  const missing = parseCsv('island,sex\nDream,MALE\n');
  assert.throws(() => penguinFeaturesFromTable(missing, stats, 'p.csv'), lumenError('input', /p\.csv: expected a column 'Beak Length \(mm\)'/, /found columns island, sex/));
  const bad = parseCsv('Island,Sex,Beak Length (mm),Beak Depth (mm),Flipper Length (mm),Body Mass (g)\nMars,MALE,1,2,3,4\n');
  assert.throws(() => penguinFeaturesFromTable(bad, stats, 'p.csv'), lumenError('input', /row 1, column 'Island': expected one of Biscoe, Dream, Torgersen; found 'Mars'/));
});
