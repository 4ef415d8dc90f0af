/**
 * One entry point for the inputs of `lumen explain` / `lumen predict`: the reader is chosen by the
 * file extension. Also writeFileAtomic for outputs (a crash never leaves a half-written file).
 */
import { accessSync, constants, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
  | { readonly kind: 'tensor'; readonly file: string; readonly data: Float32Array; readonly shape: number[]; readonly dtype?: string }
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

/** Temporary files being written now: removed if the process is interrupted (SIGINT, SIGTERM, SIGHUP). */
const pending = new Set<string>();
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const EXIT_STATUS: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

function onSignal(signal: NodeJS.Signals): void {
  for (const tmp of pending) rmSync(tmp, { force: true });
  pending.clear();
  process.exit(EXIT_STATUS[signal] ?? 1);
}

/** Registers `tmp` for removal on a signal (the handlers are installed while any write is pending). */
function track(tmp: string): void {
  if (pending.size === 0) for (const s of SIGNALS) if (!process.listeners(s).includes(onSignal)) process.on(s, onSignal);
  pending.add(tmp);
}

function untrack(tmp: string): void {
  pending.delete(tmp);
  if (pending.size === 0) for (const s of SIGNALS) process.off(s, onSignal);
}

/** "cannot write x: the disk is full" and the like, from a Node.js error code. */
function writeFailure(file: string, e: unknown): LumenError {
  const err = e as NodeJS.ErrnoException;
  const why: Record<string, string> = {
    ENOSPC: 'the disk is full', EDQUOT: 'the disk quota is exceeded', EROFS: 'the file system is read-only',
    EACCES: 'permission denied', EPERM: 'permission denied', ENOTDIR: 'a parent is not a directory', EISDIR: 'it is a directory',
  };
  return new LumenError('file', `cannot write ${file}: expected a writable location; found ${why[err.code ?? ''] ?? err.message}${err.code && why[err.code] ? ` (${err.code})` : ''}`);
}

/**
 * Writes `data` to a temporary file beside `file`, then renames it over `file` (parent dirs are
 * created). A failed write (read-only or full disk) is a LumenError('file') and leaves no temporary
 * file; so does a SIGINT/SIGTERM/SIGHUP during the write (the process then exits 130/143/129).
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = tmpName(file);
  track(tmp);
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw writeFailure(file, e);
  } finally {
    untrack(tmp);
  }
}

/** Synchronous writeFileAtomic (a signal during the write is handled after it, so no temporary file survives). */
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  const tmp = tmpName(file);
  track(tmp);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw writeFailure(file, e);
  } finally {
    untrack(tmp);
  }
}

/**
 * Creates `dir` if needed and checks that files can be written in it, before any long work: a
 * read-only or missing location is a LumenError naming `flag` and the directory.
 */
export function ensureWritableDir(dir: string, flag: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'EROFS' ? 'a read-only file system' : err.code === 'EACCES' || err.code === 'EPERM' ? 'no permission to write there' : err.code === 'EEXIST' || err.code === 'ENOTDIR' ? 'a file, not a directory' : err.message;
    throw new LumenError('file', `${flag} ${dir}: expected a directory Lumen can write to; found ${why}`);
  }
}
