/**
 * A tiny static file server for the browser tests: serves a folder on 127.0.0.1 (a free port)
 * with the app's strict Content-Security-Policy (web/README.md), GET only, no path outside it.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** The policy the dashboard must run under: no eval, wasm compile allowed, nothing from elsewhere. */
export const APP_CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.wasm': 'application/wasm', '.bin': 'application/octet-stream', '.onnx': 'application/octet-stream',
};

export async function serveFolder(root: string): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const base = path.resolve(root);
  const server = createServer((req, res) => {
    void (async () => {
      const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
      const file = path.resolve(base, `.${pathname.endsWith('/') ? `${pathname}index.html` : pathname}`);
      if (req.method !== 'GET' || (file !== base && !file.startsWith(base + path.sep))) {
        res.writeHead(req.method !== 'GET' ? 405 : 403).end();
        return;
      }
      try {
        const body = await readFile(file);
        res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-security-policy': APP_CSP }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { server, url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
