/**
 * Reads a request body up to a size limit. Above the limit the caller answers 413 with
 * `connection: close` and the rest of the body is drained (`req.resume()`), so the client reads
 * the 413 instead of a reset socket.
 */
import type { IncomingMessage } from 'node:http';

/** The body was larger than the limit (the server answers 413). */
export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`request body larger than ${limit} bytes`);
  }
}

/** Whether a request declares a body over `limit` bytes in its Content-Length. */
export function declaredTooLarge(req: IncomingMessage, limit: number): boolean {
  const n = Number(req.headers['content-length']);
  return Number.isFinite(n) && n > limit;
}

/** The body as bytes; rejects with BodyTooLarge (and drains the rest) once more than `limit` bytes arrive. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (declaredTooLarge(req, limit)) {
      req.resume();
      reject(new BodyTooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(new BodyTooLarge(limit));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!over) reject(e);
    });
  });
}
