/**
 * The rows of the CLI's bundled datasets (`--data bundled:mnist`, `bundled:penguins`), as the
 * build writes them (web/bundled-assets.ts: datasets/index.json, datasets/mnist.bin), so an
 * example gallery loaded from CLI JSON shows the rows it names: digit thumbnails, penguin fields.
 */

/** One bundled dataset as datasets/index.json describes it. */
interface IndexEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly count: number;
  readonly labels: readonly number[];
  readonly classNames: readonly string[];
  readonly file?: string;
  readonly rows?: readonly (readonly string[])[];
  readonly columns?: readonly string[];
}

/** Rows a gallery can show: an image `[H, W, C]` in [0, 1] or a table row's fields, and the label. */
export interface RowSource {
  readonly name: string;
  readonly count: number;
  readonly shape: readonly number[];
  readonly columns?: readonly string[];
  label(i: number): string;
  image?(i: number): Float32Array;
  fields?(i: number): readonly string[];
}

let index: Promise<IndexEntry[]> | undefined;

async function fetchOk(file: string): Promise<Response> {
  const r = await fetch(new URL(file, document.baseURI));
  if (!r.ok) throw new Error(`${file}: HTTP ${r.status}`);
  return r;
}

/** The names of the bundled datasets the build carries. */
export async function bundledRowNames(): Promise<string[]> {
  index ??= fetchOk('datasets/index.json').then((r) => r.json() as Promise<IndexEntry[]>);
  return (await index).map((e) => e.name);
}

/** Loads one bundled dataset's rows (an image set's bytes are fetched once, on first use). */
export async function loadRowSource(name: string): Promise<RowSource> {
  index ??= fetchOk('datasets/index.json').then((r) => r.json() as Promise<IndexEntry[]>);
  const e = (await index).find((x) => x.name === name);
  if (!e) throw new Error(`no bundled dataset '${name}'; the build carries ${(await index).map((x) => x.name).join(', ')}`);
  const label = (i: number): string => e.classNames[e.labels[i]!] ?? String(e.labels[i]);
  if (e.file) {
    const bytes = new Uint8Array(await (await fetchOk(`datasets/${e.file}`)).arrayBuffer());
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (bytes.length !== size * e.count) throw new Error(`datasets/${e.file}: expected ${size * e.count} bytes; found ${bytes.length}`);
    return { name, count: e.count, shape: e.shape, label, image: (i) => Float32Array.from(bytes.subarray(i * size, (i + 1) * size), (b) => b / 255) };
  }
  return { name, count: e.count, shape: e.shape, columns: e.columns, label, fields: (i) => e.rows?.[i] ?? [] };
}
