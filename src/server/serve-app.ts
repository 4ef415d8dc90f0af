/**
 * The `lumen serve` HTTP server: bound to 127.0.0.1 only; every request must name this server in
 * `Host` (DNS-rebinding defence) and bring the access token (access-token.ts) — as a cookie, or
 * once in `?token=`, which sets the cookie and redirects to strip it; otherwise 403. Static files
 * come from the web root (static-files.ts), /api/… from api.ts; every answer carries the security
 * headers of security.ts. Only GET and HEAD reach static files; POST only the API.
 * `/lumen-serve.json` tells the app it runs under a server (its models, its `--data`), so it
 * offers dataset-scale work in this process; the static build carries `{"server": false}` there.
 */
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import { LumenError } from '../core/errors.js';
import { newToken, tokenCookie, tokenState, withoutToken } from './access-token.js';
import { handleApi, sendJson, sendTooLarge } from './api.js';
import { JobTable } from './explain-job.js';
import type { ModelCatalogue } from './model-catalogue.js';
import { declaredTooLarge } from './request-body.js';
import { hostAllowed, securityHeaders } from './security.js';
import { missingWebPage, resolveStatic, sendFile } from './static-files.js';

/** Options of `startServer`. */
export interface ServeOptions {
  readonly catalogue: ModelCatalogue;
  /** The built app (dist/web); a page saying how to build it is served when it has no index.html. */
  readonly webRoot: string;
  /** 0: a free port. */
  readonly port?: number;
  /** Largest request body, bytes (default 64 MiB). */
  readonly maxUploadBytes?: number;
  /** Check the Host header (default true). */
  readonly hostCheck?: boolean;
  /** The access token (default a new random one). */
  readonly token?: string;
}

/** A running server. */
export interface LumenServer {
  readonly port: number;
  readonly token: string;
  /** The URL to open: `http://127.0.0.1:PORT/?token=…`. */
  readonly url: string;
  readonly jobs: JobTable;
  readonly server: Server;
  /** Aborts running jobs, stops listening, closes connections and releases the models. */
  close(): Promise<void>;
}

function plain(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), ...extra });
  res.end(text);
}

function handler(o: Required<Omit<ServeOptions, 'port'>>, port: () => number, jobs: JobTable) {
  const hasApp = (): boolean => existsSync(path.join(o.webRoot, 'index.html'));
  return (req: IncomingMessage, res: ServerResponse): void => {
    for (const [k, v] of Object.entries(securityHeaders())) res.setHeader(k, v as string);
    const method = req.method ?? 'GET';
    if (o.hostCheck && !hostAllowed(req.headers.host, port())) {
      req.resume();
      return plain(res, 403, `403: Host ${JSON.stringify(req.headers.host ?? '')} is not this server (expected 127.0.0.1:${port()} or localhost:${port()})\n`);
    }
    const raw = req.url ?? '/';
    let url: URL;
    try {
      url = new URL(raw, `http://127.0.0.1:${port()}`);
    } catch {
      req.resume();
      return plain(res, 400, '400: bad request URL\n');
    }
    const auth = tokenState(req, url, o.token);
    if (auth === 'none') {
      req.resume();
      return plain(res, 403, '403: this Lumen server needs its access token: open the URL `lumen serve` printed (…/?token=…)\n');
    }
    if (auth === 'query' && (method === 'GET' || method === 'HEAD') && !url.pathname.startsWith('/api/')) {
      req.resume();
      res.writeHead(303, { location: withoutToken(url), 'set-cookie': tokenCookie(o.token), 'content-length': 0 });
      res.end();
      return;
    }
    if (declaredTooLarge(req, o.maxUploadBytes)) return sendTooLarge(req, res, o.maxUploadBytes);
    if (url.pathname.startsWith('/api/')) {
      void handleApi(req, res, url.pathname, { catalogue: o.catalogue, jobs, maxUpload: o.maxUploadBytes });
      return;
    }
    req.resume();
    if (method !== 'GET' && method !== 'HEAD') return plain(res, 405, `405: ${method} is not allowed here\n`, { allow: 'GET, HEAD' });
    const rawPath = raw.split('?')[0].split('#')[0];
    // The app asks whether a server stands behind it (the static build answers {"server": false}).
    if (rawPath === '/lumen-serve.json') return sendJson(res, 200, { server: true, models: o.catalogue.entries.map((e) => e.id), data: o.catalogue.data ?? null });
    if (!hasApp()) {
      if (rawPath === '/' || rawPath === '/index.html') {
        const page = missingWebPage(o.webRoot);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(page) });
        res.end(method === 'HEAD' ? undefined : page);
        return;
      }
    }
    const file = resolveStatic(o.webRoot, rawPath);
    if (file === 'refused') return plain(res, 403, '403: path outside the web root\n');
    if (file === 'missing') return plain(res, 404, `404: ${rawPath} not found\n`);
    sendFile(res, file, method === 'HEAD');
  };
}

/**
 * Starts the server on 127.0.0.1 (never another interface). Rejects with LumenError('option')
 * when the port is taken or not allowed.
 */
export async function startServer(options: ServeOptions): Promise<LumenServer> {
  const token = options.token ?? newToken();
  const jobs = new JobTable();
  let bound = options.port ?? 0;
  const o = { catalogue: options.catalogue, webRoot: path.resolve(options.webRoot), maxUploadBytes: options.maxUploadBytes ?? 64 * 2 ** 20, hostCheck: options.hostCheck ?? true, token };
  const server = createServer(handler(o, () => bound, jobs));
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      if (e.code === 'EADDRINUSE') reject(new LumenError('option', `--port ${options.port}: the port is in use (another lumen serve or program?); choose another with --port or 0 for a free one`));
      else if (e.code === 'EACCES') reject(new LumenError('option', `--port ${options.port}: not allowed to listen there (ports below 1024 need privileges); choose another`));
      else reject(e);
    };
    server.once('error', onError);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  bound = typeof address === 'object' && address ? address.port : bound;
  return {
    port: bound,
    token,
    url: `http://127.0.0.1:${bound}/?token=${token}`,
    jobs,
    server,
    async close(): Promise<void> {
      jobs.abortAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      options.catalogue.dispose();
    },
  };
}
