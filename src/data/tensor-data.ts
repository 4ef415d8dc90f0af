import { readFileSync } from 'node:fs';
import { LumenError } from '../core/errors.js';

/** A dense float32 array in C (row-major) order with its shape: what the readers return. */
export interface TensorData {
  readonly data: Float32Array;
  readonly shape: number[];
}

/** Product of the dimensions (1 for a scalar shape `[]`). */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Reads a whole file, turning a missing or unreadable file into LumenError('file'). */
export function readBytes(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const found = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'a directory' : err.message;
    throw new LumenError('file', `${file}: expected ${what}; found ${found}`);
  }
}

/** Shows the first bytes of a file for error messages (hex). */
export function describeBytes(bytes: Uint8Array, n = 8): string {
  if (bytes.length === 0) return 'an empty file';
  const head = Array.from(bytes.subarray(0, n), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `${bytes.length} bytes starting ${head}`;
}
