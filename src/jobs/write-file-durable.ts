import { open, rename, rm, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { LumenError } from '../core/errors.js';

/**
 * Writes `data` to `file` so that a crash at any moment leaves either the old file or the whole new
 * one: a temporary file beside it is written and fsync'd, renamed over `file`, and the folder is
 * fsync'd so the rename itself survives a power cut.
 */
export async function writeFileDurable(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
    const folder = await open(dir, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new LumenError('file', `${file}: could not be written (${e instanceof Error ? e.message : String(e)})`);
  }
}
