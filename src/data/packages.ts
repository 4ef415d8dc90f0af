import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { LumenError } from '../core/errors.js';

/**
 * The installed directory of an npm package (works when its `exports` hide package.json): resolves
 * the package's entry point, then walks up to the package.json naming it.
 */
export function packageDir(name: string, caller: string): string {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    throw new LumenError('file', `${caller}: expected the '${name}' package in node_modules; found it not installed (run npm install)`);
  }
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === name) return dir;
      } catch {
        // not a readable package.json: keep walking up
      }
    }
  }
  throw new LumenError('file', `${caller}: expected a package.json for '${name}' above ${entry}; found none`);
}
