/**
 * Static files of the app (the `npm run build:web` output, dist/web/) with their MIME types, and
 * no way out of the web root: the raw request path is decoded once and refused when it holds a
 * `..` segment, a backslash, an encoded slash or a NUL; the resolved file must lie under the root.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.woff2': 'font/woff2',
  '.bin': 'application/octet-stream',
  '.onnx': 'application/octet-stream',
  '.gz': 'application/gzip',
};

/** The Content-Type of a file by its extension (application/octet-stream when unknown). */
export function mimeType(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file under `root` a raw request path names (`/` → index.html), or `'refused'` for a path that
 * tries to leave the root (`..` segments, literal or percent-encoded, backslashes, encoded slashes,
 * NUL bytes, bad percent-encoding), or `'missing'` when there is no such file.
 */
export function resolveStatic(root: string, rawPath: string): string | 'refused' | 'missing' {
  if (/%2f|%5c|%00/i.test(rawPath)) return 'refused';
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return 'refused';
  }
  if (decoded.includes('\0') || decoded.includes('\\') || decoded.split('/').some((s) => s === '..')) return 'refused';
  const base = path.resolve(root);
  const rel = decoded.endsWith('/') ? `${decoded}index.html` : decoded;
  const file = path.resolve(base, `.${rel}`);
  if (file !== base && !file.startsWith(base + path.sep)) return 'refused';
  if (!existsSync(file)) return 'missing';
  const st = statSync(file);
  if (st.isDirectory()) {
    const index = path.join(file, 'index.html');
    return existsSync(index) ? index : 'missing';
  }
  return st.isFile() ? file : 'missing';
}

/** Streams `file` with its MIME type and length (HEAD: the headers only). */
export function sendFile(res: ServerResponse, file: string, head: boolean): void {
  const size = statSync(file).size;
  res.writeHead(200, { 'content-type': mimeType(file), 'content-length': size, 'cache-control': 'no-cache' });
  if (head) {
    res.end();
    return;
  }
  createReadStream(file).on('error', () => res.destroy()).pipe(res);
}

/** The page served when the web root has not been built: it says how to build it. */
export function missingWebPage(root: string): string {
  const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lumen</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:4em auto;padding:0 1em;color:#1f2328}code{background:#f0f2f4;padding:2px 5px;border-radius:4px}</style>
</head><body><h1>Lumen</h1>
<p>The browser app is not built: <code>${esc(root)}</code> has no <code>index.html</code>.</p>
<p>Run <code>npm run build:web</code> in the Lumen checkout, then reload this page.</p>
<p>The JSON API works meanwhile: <code>GET /api/methods</code>, <code>GET /api/models</code>, <code>POST /api/explain</code>.</p>
</body></html>
`;
}
