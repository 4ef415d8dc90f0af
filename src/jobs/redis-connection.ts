import { LumenError } from '../core/errors.js';

/** Where BullMQ finds Redis: host, port, database (ioredis options). */
export interface RedisAddress {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly password?: string;
  readonly username?: string;
  /** null: a command waits for Redis to come back (a restarted Redis loses no worker). */
  readonly maxRetriesPerRequest: null;
}

/** Parses `--redis redis://[user:password@]host[:port][/db]` (port 6379 and db 0 by default). */
export function redisAddress(url: string): RedisAddress {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new LumenError('option', `--redis: expected a URL such as redis://127.0.0.1:6379; found '${url}'`);
  }
  if (u.protocol !== 'redis:') throw new LumenError('option', `--redis: expected a redis:// URL; found '${url}'`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new LumenError('option', `--redis: expected a database number after the slash; found '${u.pathname.slice(1)}'`);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    db,
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    maxRetriesPerRequest: null,
  };
}
