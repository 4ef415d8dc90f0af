import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readInput } from '../../src/data/io.js';
import { isJsonTable, jsonToTable } from '../../src/data/json-table.js';

test('jsonToTable reads records and columns into named columns (first record\'s key order)', () => {
  assert.deepEqual(jsonToTable([{ a: 1, b: 'x' }, { b: null, a: 2.5 }]), { names: ['a', 'b'], rows: [[1, 'x'], [2.5, null]] });
  assert.deepEqual(jsonToTable({ a: [1, 2], b: ['x', 'y'] }), { names: ['a', 'b'], rows: [[1, 'x'], [2, 'y']] });
});

test('isJsonTable tells tables from tensors', () => {
  assert.equal(isJsonTable([{ a: 1 }]), true);
  assert.equal(isJsonTable({ a: [1, 2] }), true);
  assert.equal(isJsonTable([[1, 2], [3, 4]]), false);
  assert.equal(isJsonTable({ shape: [2], data: [1, 2] }), false);
  assert.equal(isJsonTable([]), false);
});

test('jsonToTable refuses ragged records and columns and non-scalar cells, naming the place', () => {
  assert.throws(() => jsonToTable([{ a: 1, b: 2 }, { a: 1 }], 'x.json'), /x\.json: expected every record to have the columns a, b; found record 1 with a/);
  assert.throws(() => jsonToTable({ a: [1, 2], b: [1] }, 'x.json'), /columns of equal length/);
  assert.throws(() => jsonToTable([{ a: [1] }], 'x.json'), /numbers, strings or null/);
});

test('readInput reads a .json table as a table (named columns) and a .json tensor as a tensor', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-json-'));
  const table = path.join(dir, 't.json');
  const tensor = path.join(dir, 'x.json');
  writeFileSync(table, JSON.stringify([{ 'Beak Length (mm)': 39.1, Island: 'Biscoe' }]));
  writeFileSync(tensor, JSON.stringify([[1, 2], [3, 4]]));
  const t = readInput(table);
  assert.equal(t.kind, 'table');
  if (t.kind === 'table') assert.deepEqual(t.names, ['Beak Length (mm)', 'Island']);
  assert.equal(readInput(tensor).kind, 'tensor');
});
