import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../shared/config';

describe('configuration', () => {
  test('defaults to embedded services in ./.gongkai', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ databaseUrl: null, redisUrl: null, dbSchema: 'public', queuePrefix: 'gongkai' });
    expect(config.dataDir).toBe(path.resolve('.gongkai'));
    expect(config.blobDir).toBe(path.join(config.dataDir, 'blobs'));
  });

  test('reads servers, prefix and limits from the environment', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://x@h/db', REDIS_URL: 'redis://h:1', GONGKAI_QUEUE_PREFIX: 'p', GONGKAI_MAX_FILE_MB: '2' });
    expect(config).toMatchObject({ databaseUrl: 'postgres://x@h/db', redisUrl: 'redis://h:1', queuePrefix: 'p', maxFileBytes: 2 * 1024 * 1024 });
  });

  test('carries the queues’ policies with the environment’s overrides', () => {
    expect(loadConfig({}).policies.publish).toEqual({ attempts: 6, backoffMs: 1000, concurrency: 4 });
    expect(loadConfig({ GONGKAI_ATTEMPTS: '2', GONGKAI_BACKOFF_MS: '50' }).policies.publish).toEqual({ attempts: 2, backoffMs: 50, concurrency: 4 });
  });

  test('divides the cores among the worker processes sharing the machine: readers, and where parse runs', () => {
    const cores = os.availableParallelism();
    expect(loadConfig({}).readLimits).toMatchObject({ processes: cores, parseOnWorkerThread: cores < 2 });
    // A process with less than two cores of its own parses on its own thread; it keeps one reader for every other format.
    expect(loadConfig({ GONGKAI_WORKER_PROCESSES: String(cores) }).readLimits).toMatchObject({ processes: 1, parseOnWorkerThread: true });
    expect(loadConfig({ GONGKAI_WORKER_PROCESSES: String(cores * 4) }).readLimits).toMatchObject({ processes: 1, parseOnWorkerThread: true });
    expect(loadConfig({ GONGKAI_WORKER_PROCESSES: String(cores), GONGKAI_READER_PROCESSES: '3' }).readLimits.processes).toBe(3);
    expect(() => loadConfig({ GONGKAI_WORKER_PROCESSES: '0' })).toThrow('GONGKAI_WORKER_PROCESSES');
  });

  test('rejects nonsense limits with the variable name', () => {
    expect(() => loadConfig({ GONGKAI_MAX_PAGES: '-3' })).toThrow('GONGKAI_MAX_PAGES');
  });
});
