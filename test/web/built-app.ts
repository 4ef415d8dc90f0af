/**
 * The built dashboard (dist/web/) for the browser tests: `npm test` builds it (`npm run build:web`)
 * right before the tests; a lone run rebuilds it when it is missing or older than any file of web/
 * or src/ (the worker bundles the library's sources), so a test never checks a stale app. Builds
 * are serialised by a lock folder (two test files may ask at once).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoPath } from '../helpers.js';

/** The newest modification time of the files under `dir`. */
function newest(dir: string): number {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function fresh(index: string): boolean {
  return existsSync(index) && statSync(index).mtimeMs >= Math.max(newest(repoPath('web')), newest(repoPath('src')));
}

const sleep = (ms: number): void => { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms); };

/** Makes sure dist/web holds a build of the current web/ and src/; returns its folder. */
export function ensureBuilt(): string {
  const index = repoPath('dist', 'web', 'index.html');
  const lock = repoPath('dist', 'web.lock');
  for (let waited = 0; !fresh(index); waited += 200) {
    try {
      mkdirSync(lock);
    } catch {
      assert.ok(waited < 180_000, `another build of dist/web holds ${lock} for 3 min (remove it if no build runs)`);
      sleep(200);
      continue;
    }
    try {
      if (fresh(index)) break;
      const r = spawnSync(process.execPath, [repoPath('node_modules', 'vite', 'bin', 'vite.js'), 'build', '-c', repoPath('web', 'vite.config.ts'), '--logLevel', 'error'], { cwd: repoPath(), encoding: 'utf8' });
      assert.equal(r.status, 0, `vite build failed: ${r.stderr}${r.stdout}`);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return repoPath('dist', 'web');
}
