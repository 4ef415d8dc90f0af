import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LumenError, type LumenErrorCode } from '../../src/core/errors.js';

/** A fresh temporary directory. */
export function tempDir(prefix = 'lumen-data-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Asserts a LumenError with `code` whose message matches every pattern. */
export function lumenError(code: LumenErrorCode, ...patterns: RegExp[]) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof LumenError, `a LumenError, not ${String(e)}`);
    assert.equal(e.code, code, e.message);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  };
}
