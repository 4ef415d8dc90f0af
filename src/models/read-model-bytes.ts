/**
 * The bytes of a model file named by a path (Node). Bundlers for the browser substitute
 * `read-model-bytes-browser.ts` (package.json `browser` field), which fetches a URL instead.
 */
import { readFile } from 'node:fs/promises';
import { LumenError } from '../core/errors.js';

/** Reads `source` (a file path); a LumenError('file') naming it when it cannot be read. */
export async function readModelBytes(source: string, caller: string): Promise<Uint8Array> {
  try {
    return await readFile(source);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new LumenError('file', `${caller}: cannot read '${source}' (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : (e as Error).message})`);
  }
}
