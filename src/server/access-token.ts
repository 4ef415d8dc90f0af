/**
 * The access token of `lumen serve`, as the Jupyter server does it: a random token printed in the
 * URL; the first request that brings it gets an HttpOnly, SameSite=Strict cookie and a redirect to
 * the same URL without the token, so the token leaves the address bar and the browser history.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The cookie holding the token. */
export const TOKEN_COOKIE = 'lumen-token';

/** A new random token: 32 bytes as hex (crypto.randomBytes). */
export function newToken(): string {
  return randomBytes(32).toString('hex');
}

/** Compares two tokens in constant time (different lengths are simply unequal). */
export function sameToken(given: string | undefined | null, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The cookies of a request, by name (first value wins). */
export function requestCookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

/** How a request stands with the token: it brings the cookie, the token in `?token=` (or `Authorization: token …`), or neither. */
export function tokenState(req: IncomingMessage, url: URL, token: string): 'cookie' | 'query' | 'header' | 'none' {
  if (sameToken(requestCookies(req).get(TOKEN_COOKIE), token)) return 'cookie';
  if (sameToken(url.searchParams.get('token'), token)) return 'query';
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && /^token\s+/i.test(auth) && sameToken(auth.replace(/^token\s+/i, ''), token)) return 'header';
  return 'none';
}

/** The Set-Cookie value that stores the token: HttpOnly, SameSite=Strict, for the whole site. */
export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** `url` without its `token` query parameter (the redirect target), as a path and query. */
export function withoutToken(url: URL): string {
  const params = new URLSearchParams(url.searchParams);
  params.delete('token');
  const q = params.toString();
  return `${url.pathname}${q ? `?${q}` : ''}`;
}
