/** Wires configuration, Postgres, Redis, the queues and the blob store for one CLI process. */
import { DirectoryBlobStore, type BlobStore } from '../shared/blob-store';
import { loadConfig, type Config } from '../shared/config';
import { openDatabase, type DatabaseHandle } from '../shared/db/connect';
import { PipelineQueues } from '../shared/queues';
import { resolveRedis, type RedisEndpoint } from '../shared/redis';
import type { PipelineDeps } from '../shared/submissions';
import { startWorkers, type RunningWorkers } from '../workers';
import type { Stage } from '../shared/pipeline';

export interface Runtime extends PipelineDeps {
  config: Config;
  database: DatabaseHandle;
  redis: RedisEndpoint;
  blobs: BlobStore;
  startWorkers(stages?: readonly Stage[]): RunningWorkers;
  /** Aborts on SIGINT/SIGTERM: commands stop waiting, and close() lets active jobs finish first. */
  stopping: AbortSignal;
  close(): Promise<void>;
}

export async function openRuntime(config: Config = loadConfig()): Promise<Runtime> {
  const redis = await resolveRedis(config);
  let database: DatabaseHandle;
  try {
    database = await openDatabase(config);
  } catch (error) {
    await redis.release();
    throw error;
  }
  const queues = new PipelineQueues(redis.url, config.queuePrefix, config.retryOverrides);
  const blobs = new DirectoryBlobStore(config.blobDir);
  const running: RunningWorkers[] = [];
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!stop.signal.aborted) console.error(`${signal}: finishing active jobs, then stopping`);
    stop.abort();
    process.exitCode = 130;
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  return {
    config,
    database,
    redis,
    queues,
    blobs,
    db: database.db,
    stopping: stop.signal,
    startWorkers(stages) {
      const workers = startWorkers({ stages, context: { db: database.db, blobs, config }, queues, redisUrl: redis.url });
      running.push(workers);
      return workers;
    },
    async close() {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      await Promise.all(running.map((workers) => workers.close()));
      await queues.close();
      await database.close();
      await redis.release();
    },
  };
}
