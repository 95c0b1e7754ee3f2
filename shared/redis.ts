/**
 * Redis for BullMQ: the server at REDIS_URL, or a private redis-server started from PATH in the data
 * directory (append-only, so queued jobs survive a restart). A second gongkai process on the same data
 * directory reuses the private server the first one started.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { RedisOptions } from 'bullmq';
import IORedis from 'ioredis';
import type { Config } from './config';
import { describeError } from './errors';

export interface RedisEndpoint {
  url: string;
  /** Stops the private server if this process started it. */
  release(): Promise<void>;
}

export const REDIS_INSTALL_HINT = [
  'gongkai needs Redis. Either point REDIS_URL at a running server, or install redis-server so gongkai can start a private one:',
  '  Debian/Ubuntu:  sudo apt-get install redis-server',
  '  macOS:          brew install redis',
  '  Docker:         docker compose up -d redis   (then REDIS_URL=redis://127.0.0.1:6379)',
].join('\n');

/**
 * Connection options for BullMQ, which then owns (and closes) its connections. Workers need commands
 * that wait for Redis forever instead of failing after N retries.
 */
export function redisOptions(url: string): RedisOptions {
  return { url, maxRetriesPerRequest: null };
}

/** Why Redis at url does not answer PONG (refused, down, still loading its append-only file), or null when it does. */
export async function probeRedis(url: string, connectTimeoutMs = 1000): Promise<string | null> {
  const client = new IORedis(url, { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null, connectTimeout: connectTimeoutMs });
  // The 'error' event names the cause (ECONNREFUSED…); the rejected connect() only says the connection closed.
  let cause: unknown;
  client.on('error', (error) => (cause ??= error));
  try {
    await client.connect();
    const answer = await client.ping();
    return answer === 'PONG' ? null : `answered ${answer}`;
  } catch (error) {
    return describeError(cause ?? error);
  } finally {
    // Disconnecting a client that already ended arms a timer that holds the process up for seconds.
    if (client.status !== 'end') client.disconnect();
  }
}

/** True when a Redis answers PONG at url (false while it is down or still loading its append-only file). */
export async function ping(url: string): Promise<boolean> {
  return (await probeRedis(url)) === null;
}

/** A server address fit to print: any password in it is masked. */
export function printableUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/**
 * How long a command waits at start for Redis and Postgres before it gives up:
 * GONGKAI_CONNECT_WAIT_MS, default 5000 (a Redis still loading its append-only file gets that long).
 */
export function connectWaitMs(env: NodeJS.ProcessEnv = process.env): number {
  const asked = Number(env.GONGKAI_CONNECT_WAIT_MS);
  return Number.isFinite(asked) && asked >= 0 ? asked : 5000;
}

/** A server a command needs did not answer within the start-up wait; the message is all the user needs. */
export class ServiceUnreachableError extends Error {
  constructor(service: 'Redis' | 'Postgres', url: string, reason: string) {
    super(`无法连接 ${service}（${printableUrl(url)}）：${reason} / ${service} is unreachable at ${printableUrl(url)}: ${reason}`);
    this.name = 'ServiceUnreachableError';
  }
}

/** Retries until Redis answers or `waitMs` has passed, then throws ServiceUnreachableError. */
export async function waitForRedis(url: string, waitMs: number = connectWaitMs()): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const reason = await probeRedis(url, Math.max(200, Math.min(1000, waitMs)));
    if (reason === null) return;
    if (Date.now() >= deadline) throw new ServiceUnreachableError('Redis', url, reason);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Reports a lost Redis once per outage, not once per reconnect attempt, and says when it is back.
 * ioredis reconnects for ever on its own; this only keeps the log readable meanwhile.
 */
export class RedisOutageLog {
  private watch: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly pollMs = 1000,
  ) {}

  get isDown(): boolean {
    return this.watch !== null;
  }

  lost(error: unknown): void {
    if (this.watch) return;
    const where = printableUrl(this.url);
    console.error(`Redis 连接中断（${where}）：${describeError(error)}；正在重连… / lost Redis at ${where}: ${describeError(error)}; reconnecting…`);
    // Polled rather than read from the connections' events: whichever of them reconnects first, this says so once.
    this.watch = setInterval(() => void this.checkBack(), this.pollMs).unref();
  }

  private async checkBack(): Promise<void> {
    if (!this.watch || !(await ping(this.url))) return;
    clearInterval(this.watch);
    this.watch = null;
    console.error(`Redis 已重新连接（${printableUrl(this.url)}）/ Redis is back at ${printableUrl(this.url)}`);
  }

  /** Stops watching (the connections are closing). */
  close(): void {
    if (this.watch) clearInterval(this.watch);
    this.watch = null;
  }
}

/** Deletes every key matching a pattern (a run's BullMQ prefix, say), scanning so Redis never blocks. */
export async function deleteKeysMatching(url: string, pattern: string): Promise<void> {
  const redis = new IORedis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function startPrivateRedis(dataDir: string): Promise<RedisEndpoint> {
  const dir = path.join(dataDir, 'redis');
  fs.mkdirSync(dir, { recursive: true });
  const portFile = path.join(dir, 'port');
  if (fs.existsSync(portFile)) {
    const url = `redis://127.0.0.1:${fs.readFileSync(portFile, 'utf8').trim()}`;
    if (await ping(url)) return { url, release: async () => undefined };
  }
  if (!redisServerAvailable()) throw new Error(REDIS_INSTALL_HINT);

  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--logfile', 'redis.log'],
    { stdio: 'ignore', detached: false },
  );
  for (let waited = 0; waited < 10_000; waited += 100) {
    if (await ping(url)) break;
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}; see ${path.join(dir, 'redis.log')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!(await ping(url))) throw new Error(`redis-server did not answer on ${url}; see ${path.join(dir, 'redis.log')}`);
  fs.writeFileSync(portFile, String(port));

  return {
    url,
    release: async () => {
      const client = new IORedis(url, { maxRetriesPerRequest: 1 });
      client.on('error', () => undefined);
      try {
        // SHUTDOWN rewrites nothing with --save ""; the append-only file already holds every write.
        await client.shutdown();
      } catch {
        // The connection closes as the server exits.
      } finally {
        client.disconnect();
        fs.rmSync(portFile, { force: true });
      }
    },
  };
}

export async function resolveRedis(config: Config): Promise<RedisEndpoint> {
  if (config.redisUrl) return { url: config.redisUrl, release: async () => undefined };
  return startPrivateRedis(config.dataDir);
}
