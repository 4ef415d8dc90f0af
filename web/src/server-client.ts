/**
 * The page's side of `lumen serve`'s API (src/server/): whether a server stands behind the page
 * (`lumen-serve.json`; the static build answers `{server: false}`), and POST /api/explain on rows
 * of the server's dataset, run in the Node process through the same registry, its NDJSON progress
 * read as it streams. Aborting the request closes the connection, which cancels the job there.
 */
import type { AttributionExplanation } from '../../src/core/explanation.js';

/** What `lumen-serve.json` says. */
export interface ServerInfo {
  readonly server: boolean;
  readonly models?: readonly string[];
  /** The server's `--data` file, or null: the bundled models' own held-out rows. */
  readonly data?: string | null;
}

/** A server job's result. */
export interface ServerResult {
  readonly explanation: AttributionExplanation;
  readonly targetNames: readonly string[] | null;
  readonly ms: number;
}

/** Whether the page is served by `lumen serve` (false on a static host or when the file is missing). */
export async function serverInfo(): Promise<ServerInfo> {
  try {
    const r = await fetch(new URL('lumen-serve.json', document.baseURI), { cache: 'no-store' });
    return r.ok ? ((await r.json()) as ServerInfo) : { server: false };
  } catch {
    return { server: false };
  }
}

/** Row indices from text: `0-9`, `3, 5, 8` or a mix (`0-3, 10`); an Error names what is wrong. */
export function parseRows(text: string): number[] {
  const rows: number[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) throw new Error(`rows: expected indices like 0-9 or 3, 5, 8; found '${part}'`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new Error(`rows: the range ${part} runs backwards`);
    for (let i = a; i <= b; i++) rows.push(i);
  }
  if (rows.length === 0) throw new Error('rows: name at least one row');
  return rows;
}

/** POST /api/explain `{model, method, options, target, dataset: {rows}}`; resolves with the explanation. */
export async function explainOnServer(
  request: { model: string; method: string; options: Readonly<Record<string, unknown>>; target: 'predicted' | number; rows: readonly number[] },
  onProgress: (done: number, total: number) => void, signal: AbortSignal,
): Promise<ServerResult> {
  const { rows, ...rest } = request;
  const r = await fetch(new URL('api/explain', document.baseURI), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...rest, dataset: { rows } }), signal,
  });
  if (!r.ok || !r.body) {
    const body = (await r.json().catch(() => ({}))) as { error?: { message?: string } };
    throw new Error(body.error?.message ?? `POST api/explain: HTTP ${r.status}`);
  }
  const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffer += value;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffer.slice(0, nl)) as { progress?: { done: number; total: number }; error?: { code: string; message: string } } & Partial<ServerResult>;
      buffer = buffer.slice(nl + 1);
      if (line.progress) onProgress(line.progress.done, line.progress.total);
      if (line.error) throw Object.assign(new Error(line.error.message), { code: line.error.code });
      if (line.explanation) return { explanation: line.explanation, targetNames: line.targetNames ?? null, ms: line.ms ?? 0 };
    }
    if (done) throw new Error('POST api/explain: the server closed the answer before the result');
  }
}
