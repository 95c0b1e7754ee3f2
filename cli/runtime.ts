/** Wires configuration, Postgres, Redis, the queues and the blob store for one CLI process. */
import { Client } from 'pg';
import { DirectoryBlobStore, type BlobStore } from '../shared/blob-store';
import { loadConfig, type Config } from '../shared/config';
import { openDatabase, type DatabaseHandle } from '../shared/db/connect';
import { PipelineQueues } from '../shared/queues';
import { describeError } from '../shared/errors';
import { connectWaitMs, ping, resolveRedis, ServiceUnreachableError, waitForRedis, type RedisEndpoint } from '../shared/redis';
import type { PipelineDeps } from '../shared/submissions';
import { startWorkers, type RunningWorkers } from '../workers';
import type { Stage } from '../shared/pipeline';
import { StageOutputStore } from '../shared/stage-outputs';

export interface Runtime extends PipelineDeps {
  config: Config;
  database: DatabaseHandle;
  redis: RedisEndpoint;
  blobs: BlobStore;
  outputs: StageOutputStore;
  startWorkers(stages?: readonly Stage[]): RunningWorkers;
  /** Aborts on SIGINT/SIGTERM: commands stop waiting, and close() lets active jobs finish first. */
  stopping: AbortSignal;
  close(): Promise<void>;
}

/** Retries until Postgres accepts a connection or `waitMs` has passed, then throws ServiceUnreachableError. */
async function waitForPostgres(url: string, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: Math.max(200, Math.min(2000, waitMs)) });
    client.on('error', () => undefined);
    let reason: string;
    try {
      await client.connect();
      await client.query('select 1');
      return;
    } catch (error) {
      reason = describeError(error);
    } finally {
      await client.end().catch(() => undefined);
    }
    if (Date.now() >= deadline) throw new ServiceUnreachableError('Postgres', url, reason);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** How often, once stopping, the CLI looks whether Redis went away and waiting for jobs became pointless. */
const STOP_CHECK_MS = 250;

/**
 * Opens everything a command needs. Redis and Postgres must answer within GONGKAI_CONNECT_WAIT_MS
 * (default 5 s) or the command fails with one clear message; later outages are waited out (and logged
 * once each) by the connections themselves.
 */
export async function openRuntime(config: Config = loadConfig()): Promise<Runtime> {
  const waitMs = connectWaitMs();
  const redis = await resolveRedis(config);
  let database: DatabaseHandle;
  try {
    await waitForRedis(redis.url, waitMs);
    if (config.databaseUrl) await waitForPostgres(config.databaseUrl, waitMs);
    database = await openDatabase(config);
  } catch (error) {
    await redis.release();
    throw error;
  }
  const queues = new PipelineQueues(redis.url, config.queuePrefix, config.policies);
  const blobs = new DirectoryBlobStore(config.blobDir);
  const outputs = new StageOutputStore(config.stageOutputDir);
  const running: RunningWorkers[] = [];
  const stop = new AbortController();
  // Active jobs cannot finish without Redis, and closing waits for it: with Redis gone, stop at once.
  const exitIfRedisLost = async (): Promise<void> => {
    if (queues.outage.isDown || !(await ping(redis.url))) {
      console.error('Redis 不可达，不再等待进行中的任务，立即退出 / Redis is unreachable; exiting without waiting for active jobs');
      process.exit(130);
    }
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stop.signal.aborted) {
      console.error(`${signal} again: 立即退出 / stopping now`);
      process.exit(130);
    }
    console.error(`${signal}: finishing active jobs, then stopping (send it again to stop at once)`);
    stop.abort();
    process.exitCode = 130;
    void exitIfRedisLost();
    setInterval(() => {
      if (queues.outage.isDown) void exitIfRedisLost();
    }, STOP_CHECK_MS).unref();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  return {
    config,
    database,
    redis,
    queues,
    blobs,
    outputs,
    db: database.db,
    stopping: stop.signal,
    startWorkers(stages) {
      const workers = startWorkers({ stages, context: { db: database.db, blobs, outputs, config }, queues, redisUrl: redis.url });
      running.push(workers);
      return workers;
    },
    async close() {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      await Promise.all(running.map((workers) => workers.close()));
      await queues.close();
      await database.close();
      await redis.release();
      outputs.close();
    },
  };
}
