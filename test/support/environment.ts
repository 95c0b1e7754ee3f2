/**
 * Integration tests run against the real Redis and Postgres, each run in its own Postgres schema and
 * BullMQ prefix so parallel or leftover runs never collide.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../shared/config';
import { dropSchema } from '../../shared/db/connect';
import { deleteKeysMatching } from '../../shared/redis';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';
export const REPO_ROOT = path.resolve(__dirname, '../..');
export const SAMPLES_DIR = path.join(REPO_ROOT, 'samples');

export interface TestEnvironment {
  config: Config;
  /** The same settings as environment variables, for subprocesses. */
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

export function createTestEnvironment(overrides: NodeJS.ProcessEnv = {}, options: { embeddedDatabase?: boolean } = {}): TestEnvironment {
  const id = randomBytes(4).toString('hex');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `gongkai-test-${id}-`));
  const env: NodeJS.ProcessEnv = {
    GONGKAI_DATA_DIR: dataDir,
    REDIS_URL: TEST_REDIS_URL,
    GONGKAI_QUEUE_PREFIX: `gktest-${id}`,
    ...(options.embeddedDatabase ? {} : { DATABASE_URL: TEST_DATABASE_URL, GONGKAI_DB_SCHEMA: `gktest_${id}` }),
    ...overrides,
  };
  const config = loadConfig(env);
  return {
    config,
    env,
    async cleanup() {
      if (config.databaseUrl) await dropSchema(config.databaseUrl, config.dbSchema);
      await deleteKeysMatching(config.redisUrl ?? TEST_REDIS_URL, `${config.queuePrefix}:*`);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function sampleFiles(): string[] {
  return fs
    .readdirSync(SAMPLES_DIR)
    .filter((name) => /\.(txt|pdf|html|docx)$/.test(name))
    .sort()
    .map((name) => path.join(SAMPLES_DIR, name));
}
