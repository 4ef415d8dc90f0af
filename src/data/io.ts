/**
 * One entry point for the inputs of `lumen explain` / `lumen predict`: the reader is chosen by the
 * file extension. Also writeFileAtomic for outputs (a crash never leaves a half-written file).
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LumenError } from '../core/errors.js';
import { readCsv, type CsvCell } from './csv.js';
import { readImage, type ImageOptions } from './image.js';
import { readJsonTensor } from './json-tensor.js';
import { readJsonTable } from './json-table.js';
import { readNpy } from './npy.js';

/** What a file holds: an image `[H, W, C]`, a tensor of any shape, or a table of named columns. */
export type InputData =
  | { readonly kind: 'image'; readonly file: string; readonly data: Float32Array; readonly shape: [number, number, number] }
  | { readonly kind: 'tensor'; readonly file: string; readonly data: Float32Array; readonly shape: number[] }
  | { readonly kind: 'table'; readonly file: string; readonly names: string[]; readonly rows: CsvCell[][] };

/** The extensions readInput understands. */
export const INPUT_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg', '.npy', '.json', '.csv'];

/**
 * Reads an input file: `.png`/`.jpg`/`.jpeg` → image (ImageOptions apply), `.npy`/`.json` → tensor,
 * `.csv` → table, `.json` records or columns → table. Any problem → LumenError('file') naming the file, what was expected and found.
 */
export function readInput(file: string, options: ImageOptions = {}): InputData {
  const ext = path.extname(file).toLowerCase();
  switch (ext) {
    case '.png':
    case '.jpg':
    case '.jpeg':
      return { kind: 'image', file, ...readImage(file, options) };
    case '.npy':
      return { kind: 'tensor', file, ...readNpy(file) };
    case '.json': {
      const table = readJsonTable(file);
      return table ? { kind: 'table', file, ...table } : { kind: 'tensor', file, ...readJsonTensor(file) };
    }
    case '.csv':
      return { kind: 'table', file, ...readCsv(file) };
    default:
      throw new LumenError('file', `${file}: expected an input file ending in ${INPUT_EXTENSIONS.join(', ')}; found ${ext ? `'${ext}'` : 'no extension'}`);
  }
}

function tmpName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`);
}

/** Writes `data` to a temporary file beside `file`, then renames it over `file` (parent dirs are created). */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = tmpName(file);
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new LumenError('file', `cannot write ${file}: ${(e as Error).message}`);
  }
}

/** Synchronous writeFileAtomic. */
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  const tmp = tmpName(file);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new LumenError('file', `cannot write ${file}: ${(e as Error).message}`);
  }
}
