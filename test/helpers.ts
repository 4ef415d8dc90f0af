import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Absolute path of a file in the repository (tests run from dist/test, sources sit at the root). */
export function repoPath(...parts: string[]): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '..', '..', ...parts);
}

/**
 * A test that needs a system package (Debian's libonnx-testdata, python3-torch …). With the package
 * it runs; without it, it is skipped with `reason` on a developer's machine, but fails when the `CI`
 * environment variable is set: `.ci/run` installs the package, so its absence there is a CI defect.
 */
export function testNeedingPackage(name: string, present: boolean, reason: string, fn: () => void | Promise<void>): void {
  if (present) test(name, fn);
  else if (process.env.CI) test(name, () => assert.fail(`CI is set but ${reason}`));
  else test(name, { skip: reason }, fn);
}

/** max |a − b| / max |b|: the relative error of `a` against the reference `b` (same length, b not all zeros). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`relativeError: lengths differ (${a.length} vs ${b.length})`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  if (!(scale > 0)) throw new Error('relativeError: the reference is all zeros');
  return diff / scale;
}
