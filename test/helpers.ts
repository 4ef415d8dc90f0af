import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Absolute path of a file in the repository (tests run from dist/test, sources sit at the root). */
export function repoPath(...parts: string[]): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '..', '..', ...parts);
}
