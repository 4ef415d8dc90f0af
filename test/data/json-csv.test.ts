import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { csvToMatrix, parseCsv, readCsv } from '../../src/data/csv.js';
import { jsonToTensor, readJsonTensor } from '../../src/data/json-tensor.js';
import { lumenError, tempDir } from './helpers.js';

test('JSON tensors: nested arrays and {shape, data}', () => {
  const nested = jsonToTensor([[[1], [2]], [[3], [4]]]);
  assert.deepEqual(nested.shape, [2, 2, 1]);
  assert.deepEqual(Array.from(nested.data), [1, 2, 3, 4]);
  const flat = jsonToTensor({ shape: [2, 3], data: [1, 2, 3, 4, 5, 6] });
  assert.deepEqual(flat.shape, [2, 3]);
  assert.deepEqual(Array.from(flat.data), [1, 2, 3, 4, 5, 6]);
  const nestedData = jsonToTensor({ shape: [1, 2], data: [[1, 2]] });
  assert.deepEqual(Array.from(nestedData.data), [1, 2]);
  assert.deepEqual(jsonToTensor([1.5, 2]).shape, [2]);
});

test('malformed JSON tensors give LumenError naming the file, expected and found', () => {
  const dir = tempDir();
  const put = (name: string, text: string): string => {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  assert.throws(() => readJsonTensor(put('bad.json', '[[1, 2], [3')), lumenError('file', /bad\.json: expected valid JSON.*found a syntax error/));
  assert.throws(() => readJsonTensor(put('ragged.json', '[[1, 2], [3]]')), lumenError('file', /ragged\.json: expected a rectangular array \(an array of 2 at \[1\], shape \[2, 2\]\); found an array of 1/));
  assert.throws(() => readJsonTensor(put('str.json', '[[1, "a"]]')), lumenError('file', /str\.json: expected a finite number at \[0\]\[1\]; found string "a"/));
  assert.throws(() => readJsonTensor(put('count.json', '{"shape": [2, 2], "data": [1, 2, 3]}')), lumenError('file', /count\.json: expected "data" to hold 4 numbers for shape \[2, 2\]; found 3 numbers/));
  assert.throws(() => readJsonTensor(put('obj.json', '{"values": [1]}')), lumenError('file', /obj\.json: expected nested arrays of numbers or \{"shape": \[\.\.\.\], "data": \[\.\.\.\]\}; found an object with keys values/));
  assert.throws(() => readJsonTensor(put('shape.json', '{"shape": [2, -1], "data": []}')), lumenError('file', /"shape" to be an array of non-negative integers; found \[2,-1\]/));
});

test('CSV keeps the column names; numbers, strings, empty cells and quotes are parsed', () => {
  const file = path.join(tempDir(), 'p.csv');
  writeFileSync(file, '\uFEFFname,"x, first",y\r\n"a ""quoted"" name",1.5,-2e3\r\nb,,7\r\n\r\n');
  const t = readCsv(file);
  assert.deepEqual(t.names, ['name', 'x, first', 'y']);
  assert.deepEqual(t.rows, [['a "quoted" name', 1.5, -2000], ['b', null, 7]]);
  const m = csvToMatrix(parseCsv('a,b\n1,2\n3,4\n'), ['b', 'a']);
  assert.deepEqual(m.shape, [2, 2]);
  assert.deepEqual(Array.from(m.data), [2, 1, 4, 3]);
  assert.throws(() => csvToMatrix(t, ['x, first'], 'p.csv'), lumenError('input', /p\.csv: expected a number in row 2, column 'x, first'; found an empty cell/));
});

test('malformed CSV files give LumenError naming the file, expected and found', () => {
  const dir = tempDir();
  const put = (name: string, text: string): string => {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  assert.throws(() => readCsv(put('empty.csv', '\n')), lumenError('file', /empty\.csv: expected a header row of column names; found an empty file/));
  assert.throws(() => readCsv(put('noheader.csv', '1,2\n3,4\n')), lumenError('file', /noheader\.csv: expected a header row of column names; found '1' in column 1/));
  assert.throws(() => readCsv(put('ragged.csv', 'a,b\n1,2\n3\n')), lumenError('file', /ragged\.csv: expected 2 fields on line 3 \(as in the header\); found 1/));
  assert.throws(() => readCsv(put('dup.csv', 'a,a\n1,2\n')), lumenError('file', /dup\.csv: expected unique column names; found 'a' twice/));
  assert.throws(() => readCsv(put('quote.csv', 'a,b\n"1,2\n')), lumenError('file', /quote\.csv: expected a closing quote for the field opened on line 2; found the end of the file/));
});
