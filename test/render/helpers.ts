import assert from 'node:assert/strict';
import { LumenError } from '../../src/core/errors.js';
import type { RgbaImage } from '../../src/render/image.js';

/** Asserts a LumenError with the given code whose message matches every pattern. */
export function lumenError(code: string, ...patterns: RegExp[]) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof LumenError, `a LumenError, not ${String(e)}`);
    assert.equal(e.code, code, e.message);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  };
}

/** The RGBA of pixel (x, y). */
export function pixel(img: RgbaImage, x: number, y: number): [number, number, number, number] {
  const i = (y * img.width + x) * 4;
  return [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!, img.data[i + 3]!];
}
