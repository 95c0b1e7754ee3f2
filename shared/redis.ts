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

/** True when a Redis answers PONG at url (false while it is down or still loading its append-only file). */
export async function ping(url: string): Promise<boolean> {
  const client = new IORedis(url, { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
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
