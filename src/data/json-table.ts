/**
 * Tables in JSON with named columns: an array of records (`[{"bill_length_mm": 39.1, "island":
 * "Biscoe"}, …]`, every record with the same keys) or an object of equally long columns
 * (`{"bill_length_mm": [39.1, …], …}`). Cells are numbers, strings or null, as in CSV.
 */
import { LumenError } from '../core/errors.js';
import type { CsvCell, CsvTable } from './csv.js';
import { jsonDepth, MAX_JSON_DEPTH } from './parse-json.js';
import { readBytes } from './tensor-data.js';

/** Whether parsed JSON is a table (records or columns) rather than a tensor (nested arrays or {shape, data}). */
export function isJsonTable(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0 && value.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r));
  if (value === null || typeof value !== 'object' || ('shape' in value && 'data' in value)) return false;
  const cols = Object.values(value);
  return cols.length > 0 && cols.every((c) => Array.isArray(c));
}

/** Parsed JSON records or columns → `{names, rows}` (column order: the first record's keys); `source` names the file in errors. */
export function jsonToTable(value: unknown, source = 'json'): CsvTable {
  const fail = (expected: string, found: string): never => {
    throw new LumenError('file', `${source}: expected ${expected}; found ${found}`);
  };
  const cell = (v: unknown, where: string): CsvCell =>
    v === null || typeof v === 'number' || typeof v === 'string' ? v : fail(`numbers, strings or null in the table`, `${JSON.stringify(v)} at ${where}`);
  if (Array.isArray(value)) {
    const names = Object.keys(value[0] as object);
    const rows = value.map((r, i) => {
      const keys = Object.keys(r as object);
      if (keys.length !== names.length || !names.every((n) => keys.includes(n))) fail(`every record to have the columns ${names.join(', ')}`, `record ${i} with ${keys.join(', ')}`);
      return names.map((n) => cell((r as Record<string, unknown>)[n], `record ${i}, '${n}'`));
    });
    return { names, rows };
  }
  const columns = value as Record<string, unknown[]>;
  const names = Object.keys(columns);
  const length = columns[names[0]].length;
  for (const n of names) if (columns[n].length !== length) fail(`columns of equal length (${length}, as '${names[0]}')`, `'${n}' with ${columns[n].length}`);
  const rows = Array.from({ length }, (_, i) => names.map((n) => cell(columns[n][i], `'${n}'[${i}]`)));
  return { names, rows };
}

/** Reads a `.json` file as a table when it holds records or columns; null when it is something else (a tensor, or invalid JSON for the tensor reader to report). */
export function readJsonTable(file: string): CsvTable | null {
  const text = readBytes(file, 'a JSON table or tensor').toString('utf8');
  if (jsonDepth(text) > MAX_JSON_DEPTH) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return isJsonTable(value) ? jsonToTable(value, file) : null;
}
