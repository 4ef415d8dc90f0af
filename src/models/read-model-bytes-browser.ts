/**
 * The browser's `read-model-bytes.ts` (swapped in by package.json's `browser` field): a model
 * named by a string is fetched as a URL, relative to the page.
 */
import { LumenError } from '../core/errors.js';

/** Fetches `source` (a URL); a LumenError('file') naming it when the response is not OK. */
export async function readModelBytes(source: string, caller: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(source);
  } catch (e) {
    throw new LumenError('file', `${caller}: cannot fetch '${source}' (${(e as Error).message})`);
  }
  if (!response.ok) throw new LumenError('file', `${caller}: cannot fetch '${source}' (HTTP ${response.status})`);
  return new Uint8Array(await response.arrayBuffer());
}
