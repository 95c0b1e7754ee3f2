/**
 * Private, restartable servers for the fault suite: a redis-server (append-only) and a Postgres
 * cluster, each on a free port in a temp directory, so killing or stopping them never touches the
 * shared Redis (6379) and Postgres (5432) other tests use. Each fault scenario has its own pair.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort, ping } from '../../shared/redis';

const PG_BIN = process.env.FAULTS_PG_BIN || '/usr/lib/postgresql/15/bin';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

async function until(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await sleep(100);
  }
  throw new Error(`${what} did not come up within ${timeoutMs} ms`);
}

export class PrivateRedis {
  private child: ChildProcess | null = null;
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async create(root: string): Promise<PrivateRedis> {
    const dir = path.join(root, 'redis');
    fs.mkdirSync(dir, { recursive: true });
    const redis = new PrivateRedis(dir, await freePort());
    await redis.start();
    return redis;
  }

  async start(): Promise<void> {
    // The same persistence as shared/redis.ts (append-only, no RDB snapshots), with every write
    // fsynced so a kill -9 of the server loses nothing that was acknowledged.
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--logfile', 'redis.log'],
      { stdio: 'ignore' },
    );
    const child = this.child;
    await until(`redis-server on ${this.port}`, 15_000, async () => {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}; see ${path.join(this.dir, 'redis.log')}`);
      return this.ping();
    });
  }

  ping(): Promise<boolean> {
    return ping(this.url);
  }

  /** kill -9: the harshest stop; the append-only file is all that survives. */
  kill(): Promise<void> {
    return this.end('SIGKILL');
  }

  stop(): Promise<void> {
    return this.end('SIGTERM');
  }

  /**
   * Everything Redis had is gone, as after a disk loss or a new empty instance: the append-only
   * directory (and any snapshot) is deleted while the server is down. Call between kill() and start().
   */
  wipe(): void {
    if (this.child) throw new Error('wipe() needs the server stopped');
    for (const entry of fs.readdirSync(this.dir)) {
      if (entry !== 'redis.log') fs.rmSync(path.join(this.dir, entry), { recursive: true, force: true });
    }
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    if (!this.child) return;
    const child = this.child;
    this.child = null;
    child.kill(signal);
    await exited(child);
  }
}

export class PrivatePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  /** Postgres refuses to run as root, so the cluster belongs to (and runs as) the postgres user. */
  private run(args: string[]): void {
    const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const [command, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', ...args]] : [args[0], args.slice(1)];
    const result = spawnSync(command, argv, { encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0) throw new Error(`${args.join(' ')} failed (${result.status}): ${result.stderr || result.stdout}`);
  }

  static async create(): Promise<PrivatePostgres> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-faults-pg-'));
    fs.chmodSync(dir, 0o755);
    if (typeof process.getuid === 'function' && process.getuid() === 0) {
      const user = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
      const group = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
      fs.chownSync(dir, Number(user.stdout.trim()), Number(group.stdout.trim()));
    }
    const postgres = new PrivatePostgres(dir, await freePort());
    postgres.run([path.join(PG_BIN, 'initdb'), '-D', postgres.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    await postgres.start();
    return postgres;
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.dir} -c fsync=off -c max_connections=200`;
    this.run([path.join(PG_BIN, 'pg_ctl'), '-D', this.dataDir, '-l', path.join(this.dir, 'postgres.log'), '-o', options, '-w', '-t', '60', 'start']);
    await until(`postgres on ${this.port}`, 30_000, () => this.ping());
  }

  async ping(): Promise<boolean> {
    const client = new Client({ connectionString: this.url, connectionTimeoutMillis: 2000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** pg_ctl stop -m fast: clients are disconnected, new connections refused until start(). */
  async stop(): Promise<void> {
    this.run([path.join(PG_BIN, 'pg_ctl'), '-D', this.dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
  }

  async destroy(): Promise<void> {
    try {
      this.run([path.join(PG_BIN, 'pg_ctl'), '-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // Not running.
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
