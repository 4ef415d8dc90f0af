import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeNpy, parseNpy, readNpy } from '../../src/data/npy.js';
import { lumenError, tempDir } from './helpers.js';

/** A version-1.0 .npy file written by hand: magic, version, header length, header dict, data. */
function npy(header: string, data: Uint8Array, major = 1): Uint8Array {
  const lenBytes = major === 1 ? 2 : 4;
  const pre = 8 + lenBytes;
  let h = header;
  while ((pre + h.length + 1) % 64 !== 0) h += ' ';
  h += '\n';
  const out = new Uint8Array(pre + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const v = new DataView(out.buffer);
  if (major === 1) v.setUint16(8, h.length, true);
  else v.setUint32(8, h.length, true);
  for (let i = 0; i < h.length; i++) out[pre + i] = h.charCodeAt(i);
  out.set(data, pre + h.length);
  return out;
}

function bytesOf(values: number[], write: (v: DataView, at: number, x: number) => void, size: number): Uint8Array {
  const b = new Uint8Array(values.length * size);
  const v = new DataView(b.buffer);
  values.forEach((x, i) => write(v, i * size, x));
  return b;
}

test('a hand-written float32 .npy file reads back with its shape', () => {
  const file = path.join(tempDir(), 'x.npy');
  const values = [0.5, -1.25, 3, 4, 5, 6.75];
  writeFileSync(file, npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", bytesOf(values, (v, at, x) => v.setFloat32(at, x, true), 4)));
  const x = readNpy(file);
  assert.deepEqual(x.shape, [2, 3]);
  assert.equal(x.dtype, '<f4');
  assert.deepEqual(Array.from(x.data), values);
});

test('float64, int64, big-endian int32, uint8, bool, 1-d, scalar and version 2.0 files are read', () => {
  const f8 = parseNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", bytesOf([0.1, 0.2, 0.3], (v, at, x) => v.setFloat64(at, x, true), 8)));
  assert.deepEqual(f8.shape, [3]);
  assert.deepEqual(Array.from(f8.data), [0.1, 0.2, 0.3].map(Math.fround));
  const i8 = parseNpy(npy("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", bytesOf([-7, 9], (v, at, x) => v.setBigInt64(at, BigInt(x), true), 8)));
  assert.deepEqual(Array.from(i8.data), [-7, 9]);
  const be = parseNpy(npy("{'descr': '>i4', 'fortran_order': False, 'shape': (1, 2), }", bytesOf([1, -2], (v, at, x) => v.setInt32(at, x, false), 4)));
  assert.deepEqual(Array.from(be.data), [1, -2]);
  const u1 = parseNpy(npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 1, 1), }", new Uint8Array([0, 255])));
  assert.deepEqual(u1.shape, [2, 1, 1]);
  assert.deepEqual(Array.from(u1.data), [0, 255]);
  const b1 = parseNpy(npy("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", new Uint8Array([1, 0])));
  assert.deepEqual(Array.from(b1.data), [1, 0]);
  const scalar = parseNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", bytesOf([2.5], (v, at, x) => v.setFloat32(at, x, true), 4)));
  assert.deepEqual(scalar.shape, []);
  assert.deepEqual(Array.from(scalar.data), [2.5]);
  const v2 = parseNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", bytesOf([7], (v, at, x) => v.setFloat32(at, x, true), 4), 2));
  assert.deepEqual(Array.from(v2.data), [7]);
});

test('encodeNpy round-trips through parseNpy and aligns the header to 64 bytes', () => {
  const data = new Float32Array([1, 2, 3, 4, 5, 6]);
  const bytes = encodeNpy(data, [3, 2]);
  assert.equal((bytes.length - 24) % 64, 0);
  const x = parseNpy(bytes);
  assert.deepEqual(x.shape, [3, 2]);
  assert.deepEqual(x.data, data);
  assert.deepEqual(parseNpy(encodeNpy(new Float32Array([1]), [1])).shape, [1]);
});

test('malformed .npy files give LumenError naming the file, expected and found', () => {
  const dir = tempDir();
  const put = (name: string, bytes: Uint8Array | string): string => {
    const f = path.join(dir, name);
    writeFileSync(f, bytes);
    return f;
  };
  const four = new Uint8Array(16);
  assert.throws(() => readNpy(put('a.npy', 'not numpy at all')), lumenError('file', /a\.npy: expected a \.npy file \(magic \\x93NUMPY\); found 16 bytes starting 6e 6f 74/));
  assert.throws(() => readNpy(put('f.npy', npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", four))),
    lumenError('file', /f\.npy: expected C order \(fortran_order: False\); found fortran_order: True/));
  assert.throws(() => readNpy(put('c.npy', npy("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", four))),
    lumenError('file', /c\.npy: expected dtype float32\/float64.*; found '<c8'/));
  assert.throws(() => readNpy(put('s.npy', npy("{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(12)))),
    lumenError('file', /found '<U3'/));
  assert.throws(() => readNpy(put('t.npy', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", four))),
    lumenError('file', /t\.npy: expected 24 bytes of data for shape \(2, 3\) and dtype <f4; found 16 bytes/));
  assert.throws(() => readNpy(put('h.npy', npy("{'descr': '<f4'}", four))),
    lumenError('file', /h\.npy: expected a header dict with 'descr', 'fortran_order' and 'shape'/));
  assert.throws(() => readNpy(path.join(dir, 'none.npy')), lumenError('file', /none\.npy: expected a \.npy file; found no such file/));
});
