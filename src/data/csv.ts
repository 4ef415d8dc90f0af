/**
 * CSV with a header row of column names (RFC 4180: comma-separated, `"…"` quoting with `""` for a
 * quote, CRLF or LF). Cells that look like numbers become numbers, empty cells null, others strings.
 */
import { LumenError } from '../core/errors.js';
import { readBytes } from './tensor-data.js';

export type CsvCell = number | string | null;

export interface CsvTable {
  /** Column names from the header row, in order. */
  readonly names: string[];
  /** One array per data row, one cell per column. */
  readonly rows: CsvCell[][];
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses CSV text; `source` (the file name) is named in error messages. */
export function parseCsv(text: string, source = 'csv'): CsvTable {
  const fail = (expected: string, found: string): never => {
    throw new LumenError('file', `${source}: expected ${expected}; found ${found}`);
  };
  const records = splitRecords(text.replace(/^\uFEFF/, ''), source);
  const lines = records.filter((r) => !(r.fields.length === 1 && r.fields[0].trim() === '' && !r.quoted));
  if (lines.length === 0) fail('a header row of column names', 'an empty file');
  const header = lines[0];
  const names = header.fields.map((n) => n.trim());
  names.forEach((n, i) => {
    if (n === '') fail('a name for every column in the header row', `column ${i + 1} unnamed (line ${header.line})`);
    if (NUMBER.test(n)) fail('a header row of column names', `'${n}' in column ${i + 1} (line ${header.line}) — add a header row`);
    if (names.indexOf(n) !== i) fail('unique column names', `'${n}' twice in the header row`);
  });
  const rows = lines.slice(1).map((r) => {
    if (r.fields.length !== names.length) fail(`${names.length} fields on line ${r.line} (as in the header)`, `${r.fields.length}`);
    return r.fields.map(toCell);
  });
  return { names, rows };
}

/** Reads a `.csv` file with a header row. */
export function readCsv(file: string): CsvTable {
  return parseCsv(readBytes(file, 'a CSV file with a header row').toString('utf8'), file);
}

/**
 * The table as a dense `[rows, columns]` float32 matrix (all cells must be numbers); `columns`
 * picks and orders columns by name (default: all).
 */
export function csvToMatrix(table: CsvTable, columns: readonly string[] = table.names, source = 'csv'): { data: Float32Array; shape: [number, number] } {
  const idx = columns.map((c) => {
    const k = table.names.indexOf(c);
    if (k < 0) throw new LumenError('input', `${source}: expected a column '${c}'; found columns ${table.names.join(', ')}`);
    return k;
  });
  const data = new Float32Array(table.rows.length * idx.length);
  table.rows.forEach((row, i) => idx.forEach((k, j) => {
    const v = row[k];
    if (typeof v !== 'number') {
      throw new LumenError('input', `${source}: expected a number in row ${i + 1}, column '${table.names[k]}'; found ${v === null ? 'an empty cell' : `'${v}'`}`);
    }
    data[i * idx.length + j] = v;
  }));
  return { data, shape: [table.rows.length, idx.length] };
}

function toCell(raw: string): CsvCell {
  const s = raw.trim();
  if (s === '') return null;
  return NUMBER.test(s) ? Number(s) : s;
}

interface CsvRecord {
  fields: string[];
  line: number;
  quoted: boolean;
}

function splitRecords(text: string, source: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let anyQuoted = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const endRecord = (): void => {
    fields.push(field);
    records.push({ fields, line: recordLine, quoted: anyQuoted });
    fields = [];
    field = '';
    anyQuoted = false;
  };
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      i++;
      continue;
    }
    if (ch === '"' && field.trim() === '') {
      quoted = true;
      anyQuoted = true;
      field = '';
    } else if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      endRecord();
      if (ch === '\r' && text[i + 1] === '\n') i++;
      line++;
      recordLine = line;
    } else {
      field += ch;
    }
    i++;
  }
  if (quoted) throw new LumenError('file', `${source}: expected a closing quote for the field opened on line ${recordLine}; found the end of the file`);
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}
