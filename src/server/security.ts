/**
 * The response headers every `lumen serve` response carries, and the `Host` check that defends a
 * local server against DNS rebinding (a foreign page whose name resolves to 127.0.0.1 still sends
 * its own name in `Host`; see the Jupyter notebook server's `allow_remote_access` check).
 */
import type { OutgoingHttpHeaders } from 'node:http';

/**
 * The Content-Security-Policy of the app: its own scripts only, WebAssembly compilation for the
 * tfjs wasm backend, workers from the app or blob: URLs, inline styles (Observable Plot sets
 * `style` attributes), images from the app, data: and blob: URLs, fetches to the app only, no
 * plugins, no <base>, and no framing.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The security headers of every response (CSP, no MIME sniffing, no referrer, no caching of API answers by proxies). */
export function securityHeaders(): OutgoingHttpHeaders {
  return {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
  };
}

/** Whether a request's `Host` header names this server: `127.0.0.1:PORT` or `localhost:PORT` (case-insensitive). */
export function hostAllowed(host: string | undefined, port: number): boolean {
  if (typeof host !== 'string') return false;
  const h = host.trim().toLowerCase();
  return h === `127.0.0.1:${port}` || h === `localhost:${port}`;
}
