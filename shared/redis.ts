/**
 * Redis for BullMQ: the server at REDIS_URL, a Redis Cluster named by a redis-cluster:// REDIS_URL, or a
 * private redis-server started from PATH in the data directory (append-only, so queued jobs survive a
 * restart). A second gongkai process on the same data directory reuses the private server the first one
 * started.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createIORedisClient, RedisConnection, type IRedisClient, type RedisOptions } from 'bullmq';
import IORedis, { Cluster, type RedisOptions as ClientOptions } from 'ioredis';
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
 * Connection options for BullMQ, which then owns (and closes) its connections, a Cluster's included
 * (see bullmqClient). Workers need commands that wait for Redis forever instead of failing after N retries.
 */
export function redisOptions(url: string): RedisOptions {
  if (redisClusterAddress(url)) RedisConnection.clientFactory = bullmqClient;
  return { url, maxRetriesPerRequest: null };
}

/**
 * BullMQ closes only the clients it built from options, and builds only single-node ones: a Cluster
 * handed to it as an instance would stay open after every queue closed. So once a cluster URL is in use,
 * BullMQ builds its clients here: a Cluster for a cluster URL, anything else exactly as BullMQ would.
 */
function bullmqClient({ url, ...options }: RedisOptions): IRedisClient {
  const cluster = url ? redisClusterAddress(url) : null;
  if (cluster) return createIORedisClient(openCluster(cluster, options));
  return createIORedisClient(url ? new IORedis(url, options) : new IORedis(options));
}

/** Where a Redis Cluster is: its seed nodes (any of its nodes; the rest are found from them) and credentials. */
export interface RedisClusterAddress {
  seeds: Array<{ host: string; port: number }>;
  username?: string;
  password?: string;
  tls: boolean;
}

const CLUSTER_SCHEME = /^(rediss?)-cluster:\/\//i;
const CLUSTER_URL_FORM = 'redis-cluster://[user:password@]host:port,host:port…';

/**
 * The cluster a `redis-cluster://[user:password@]host:port,host:port…` URL names (`rediss-cluster://`
 * over TLS), or null for any other URL. A cluster has only database 0, so the URL may end in `/0` at most.
 */
export function redisClusterAddress(url: string): RedisClusterAddress | null {
  const scheme = CLUSTER_SCHEME.exec(url);
  if (!scheme) return null;
  const rest = url.slice(scheme[0].length);
  const at = rest.lastIndexOf('@');
  const credentials = at < 0 ? null : rest.slice(0, at);
  const hosts = rest.slice(at + 1).replace(/\/0?$/, '');
  const seeds = hosts.split(',').map((seed) => /^(\[[0-9a-f:.]+\]|[^:[\]/?#@]+)(?::(\d{1,5}))?$/i.exec(seed.trim()));
  if (seeds.some((seed) => seed === null)) {
    throw new Error(`REDIS_URL 不是有效的 Redis Cluster 地址，应为 ${CLUSTER_URL_FORM}：${printableUrl(url)} / REDIS_URL is not a Redis Cluster address of the form ${CLUSTER_URL_FORM}: ${printableUrl(url)}`);
  }
  const colon = credentials?.indexOf(':') ?? -1;
  const username = credentials === null ? '' : percentDecoded(colon < 0 ? credentials : credentials.slice(0, colon));
  const password = credentials === null || colon < 0 ? '' : percentDecoded(credentials.slice(colon + 1));
  return {
    seeds: seeds.map((seed) => ({ host: seed![1].replace(/^\[|\]$/g, ''), port: Number(seed![2] ?? 6379) })),
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    tls: scheme[1].toLowerCase() === 'rediss',
  };
}

/** A password may hold a '%' that encodes nothing: it is then taken as written. */
function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The BullMQ prefix for the Redis at REDIS_URL. On a Redis Cluster it is a hash tag (`gongkai` becomes
 * `{gongkai}`), so that every key of every queue hashes to one slot, as BullMQ's scripts (several keys
 * at once) and the ocr jobs' page jobs (children in another queue) need; a prefix holding a hash tag of
 * its own is kept. On one Redis it is the prefix as given. A malformed cluster URL is refused here, at start.
 */
export function queuePrefixFor(redisUrl: string | undefined, prefix: string): string {
  if (!redisUrl || !redisClusterAddress(redisUrl)) return prefix;
  // Redis hashes the text between the first '{' and the next '}', when there is any.
  const open = prefix.indexOf('{');
  const close = open < 0 ? -1 : prefix.indexOf('}', open + 1);
  return close > open + 1 ? prefix : `{${prefix}}`;
}

/**
 * A client of gongkai's own (not BullMQ's) for url: one Redis, or a Cluster for a cluster URL, which
 * takes the same options: the connection-wide ones for the cluster, the rest for each node.
 */
export function openRedisClient(url: string, options: ClientOptions = {}): IORedis | Cluster {
  const cluster = redisClusterAddress(url);
  return cluster ? openCluster(cluster, options) : new IORedis(url, options);
}

function openCluster({ seeds, tls, ...credentials }: RedisClusterAddress, options: ClientOptions): Cluster {
  const { lazyConnect, retryStrategy, enableOfflineQueue, enableReadyCheck, ...nodeOptions } = options;
  return new Cluster(seeds, {
    lazyConnect,
    enableOfflineQueue,
    enableReadyCheck,
    // With no node reachable the whole cluster reconnects, as one connection would.
    clusterRetryStrategy: retryStrategy,
    redisOptions: { ...nodeOptions, ...credentials, ...(tls ? { tls: {} } : {}) },
  });
}

/** Why Redis at url does not answer PONG (refused, down, still loading its append-only file), or null when it does. */
export async function probeRedis(url: string, connectTimeoutMs = 1000): Promise<string | null> {
  const cluster = redisClusterAddress(url);
  if (cluster) return probeRedisCluster(cluster, connectTimeoutMs);
  return probeClient(new IORedis(url, probeOptions(connectTimeoutMs)));
}

function probeOptions(connectTimeoutMs: number): ClientOptions {
  return { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null, connectTimeout: connectTimeoutMs };
}

async function probeClient(client: IORedis): Promise<string | null> {
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

/**
 * Why a Redis Cluster cannot take BullMQ's work: no seed node answers, the cluster's state is not ok
 * (slots uncovered, a master lost), or a master does not answer PONG. Null when every master does.
 */
async function probeRedisCluster(address: RedisClusterAddress, connectTimeoutMs: number): Promise<string | null> {
  const { seeds, tls, ...credentials } = address;
  // The cluster client reads each node on a connection of its own and only says it closed; one node probed alone says why.
  const probeNode = async ({ host, port }: { host?: string; port?: number }) => {
    const reason = await probeClient(new IORedis({ host, port, ...credentials, ...(tls ? { tls: {} } : {}), ...probeOptions(connectTimeoutMs) }));
    return reason === null ? null : `${host}:${port}: ${reason}`;
  };
  // Its state is read below, where a failing one can be named; the ready check would only say "None of startup nodes is available".
  // A node that refused leaves ioredis a timer that holds the process up for its disconnectTimeout (2 s) unless that is 0.
  const cluster = openCluster(address, { ...probeOptions(connectTimeoutMs), enableReadyCheck: false, disconnectTimeout: 0 });
  // What a node that does answer says, such as a Redis without cluster support.
  let refusal: string | undefined;
  cluster.on('node error', (error: unknown, node: string) => (refusal ??= `${node}: ${describeError(error)}`));
  cluster.on('error', () => undefined);
  try {
    try {
      await cluster.connect();
    } catch (error) {
      const unreachable = (await Promise.all(seeds.map(probeNode))).filter((reason) => reason !== null);
      return unreachable.length > 0 ? unreachable.join('; ') : (refusal ?? describeError(error));
    }
    const state = /^cluster_state:(\w+)/m.exec(String(await cluster.cluster('INFO')))?.[1];
    if (state !== 'ok') return `cluster_state:${state ?? 'unknown'}`;
    for (const master of cluster.nodes('master')) {
      const reason = await probeNode(master.options);
      if (reason !== null) return reason;
    }
    return null;
  } catch (error) {
    return describeError(error);
  } finally {
    if (cluster.status !== 'end') cluster.disconnect();
  }
}

/** True when a Redis answers PONG at url (false while it is down or still loading its append-only file). */
export async function ping(url: string): Promise<boolean> {
  return (await probeRedis(url)) === null;
}

/** A server address fit to print: any password in it is masked. */
export function printableUrl(url: string): string {
  // The URL class refuses a cluster URL's list of hosts; its password is the text between the first ':' of the credentials and the last '@'.
  if (CLUSTER_SCHEME.test(url)) return url.replace(/^([^:]+:\/\/[^:@/]*:).*@/, '$1***@');
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
  const cluster = redisClusterAddress(url);
  if (cluster) return deleteClusterKeysMatching(cluster, pattern);
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

/**
 * On a cluster SCAN walks one node, so every master is scanned for the keys it holds; they are deleted
 * one per command, since a single DEL of keys in different slots is refused (CROSSSLOT).
 */
async function deleteClusterKeysMatching(address: RedisClusterAddress, pattern: string): Promise<void> {
  const cluster = openCluster(address, { lazyConnect: true });
  try {
    await cluster.connect();
    for (const master of cluster.nodes('master')) {
      let cursor = '0';
      do {
        const [next, keys] = await master.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        if (keys.length > 0) {
          const deletion = master.pipeline();
          for (const key of keys) deletion.del(key);
          await deletion.exec();
        }
        cursor = next;
      } while (cursor !== '0');
    }
  } finally {
    cluster.disconnect();
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
