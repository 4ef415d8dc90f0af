/**
 * The JSON API of `lumen serve`: GET /api/methods (the registry catalogue: ids, kinds, option
 * specs), GET /api/models (what the server can load), GET /api/jobs (running jobs), POST
 * /api/explain (explain-job.ts). Errors are `{error: {code, message}}` with 400 for a LumenError.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LumenError } from '../core/errors.js';
import { methodsJson } from '../cli/methods.js';
import { parseJson } from '../data/parse-json.js';
import { runExplainJob, type JobTable } from './explain-job.js';
import { parseExplainRequest } from './explain-request.js';
import type { ModelCatalogue } from './model-catalogue.js';
import { BodyTooLarge, readBody } from './request-body.js';

/** What the API handlers share. */
export interface ApiContext {
  readonly catalogue: ModelCatalogue;
  readonly jobs: JobTable;
  /** Largest request body in bytes. */
  readonly maxUpload: number;
}

/** Sends `value` as JSON with `status`. */
export function sendJson(res: ServerResponse, status: number, value: unknown, extra: Record<string, string> = {}): void {
  const body = `${JSON.stringify(value)}\n`;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...extra });
  res.end(body);
}

/** The 413 answer: `connection: close`, and the rest of the body drained so the client reads it. */
export function sendTooLarge(req: IncomingMessage, res: ServerResponse, limit: number): void {
  req.resume();
  sendJson(res, 413, { error: { code: 'input', message: `request body larger than the server's --max-upload-mb (${(limit / 2 ** 20).toFixed(1)} MiB)` } }, { connection: 'close' });
}

function sendError(res: ServerResponse, e: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (e instanceof LumenError) sendJson(res, 400, { error: { code: e.code, message: e.message } });
  else {
    process.stderr.write(`lumen serve: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    sendJson(res, 500, { error: { code: 'internal', message: 'internal error (see the server log)' } });
  }
}

/** Answers an /api/… request; resolves when the answer is sent. */
export async function handleApi(req: IncomingMessage, res: ServerResponse, pathname: string, ctx: ApiContext): Promise<void> {
  const method = req.method ?? 'GET';
  try {
    if (pathname === '/api/methods' && method === 'GET') return sendJson(res, 200, { methods: methodsJson() });
    if (pathname === '/api/models' && method === 'GET') return sendJson(res, 200, { models: ctx.catalogue.entries });
    if (pathname === '/api/jobs' && method === 'GET') return sendJson(res, 200, { running: ctx.jobs.list(), ended: ctx.jobs.ended });
    if (pathname === '/api/explain' && method === 'POST') {
      const type = req.headers['content-type'] ?? '';
      if (!/^application\/json\b/i.test(type)) {
        req.resume();
        return sendJson(res, 415, { error: { code: 'input', message: 'POST /api/explain: expected Content-Type: application/json' } });
      }
      const body = await readBody(req, ctx.maxUpload);
      const request = parseExplainRequest(parseJson(body.toString('utf8'), 'POST /api/explain', 'a JSON object'));
      return await runExplainJob(request, ctx.catalogue, ctx.jobs, res);
    }
    const known = ['/api/methods', '/api/models', '/api/jobs', '/api/explain'].includes(pathname);
    req.resume();
    return sendJson(res, known ? 405 : 404, { error: { code: 'input', message: known ? `${method} ${pathname}: method not allowed` : `${pathname}: no such API route` } });
  } catch (e) {
    if (e instanceof BodyTooLarge) return sendTooLarge(req, res, ctx.maxUpload);
    sendError(res, e);
  }
}
