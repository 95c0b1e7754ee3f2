/**
 * Fault injection at the project's default settings (npm run test:faults). Each scenario runs its own
 * pipeline on a private Redis and Postgres, submits sample reports, starts worker processes, strikes
 * while documents are in flight, then waits — with no manual step — for every document to be published
 * or dead-lettered exactly once, none stuck or lost and no cell written twice, reconciled from Postgres.
 * Each prints `faults[<scenario>]: ingested=… published=… dead-lettered=… stuck=… duplicate-cells=… kills=… took=…s`.
 *
 * Sizes (full by default, FAULTS_CI=1 for CI's bounded run; see harness.ts): FAULTS_DOCUMENTS,
 * FAULTS_KILLS, FAULTS_POSTGRES_DOWN_S, FAULTS_BLOBS_DOWN_S, FAULTS_REDIS_DOWN_S, FAULTS_DRAIN_S,
 * FAULTS_SCENARIOS (a comma list), FAULTS_CONCURRENT (with jest's --maxConcurrency), FAULTS_KEEP_LOGS,
 * FAULTS_SEED.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { expectSettled, SETTINGS, Scenario, sleep, WORKER_BOOT_MS, type Outcome, type ScenarioOptions, type WorkerAccount } from './harness';

/** Opening the servers, submitting, booting the workers, the first documents moving, and the reconciliation. */
const OVERHEAD_MS = 120_000 + WORKER_BOOT_MS;

interface ScenarioDefinition {
  /** How long the fault itself lasts, for the test's timeout. */
  faultMs: number;
  /** Strikes while documents are in flight, and returns once the fault is over. */
  run: (s: Scenario) => Promise<void>;
  /** Checks of this scenario beyond the settlement every scenario must reach. */
  check: (outcome: Outcome) => void;
  /** When to strike: by default once a tenth of the documents is published, so the rest are spread over the stages. */
  strikeWhen?: { published: number } | { pastIngest: number };
  options?: () => ScenarioOptions;
}

function scenario(name: string, { faultMs, run, check, strikeWhen, options }: ScenarioDefinition): void {
  const selected = SETTINGS.scenarios.length === 0 || SETTINGS.scenarios.includes(name);
  const define = !selected ? test.skip : SETTINGS.concurrent ? test.concurrent : test;
  define(
    name,
    async () => {
      const s = await Scenario.open(name, options?.() ?? {});
      let settled = false;
      try {
        await s.submit(SETTINGS.documents);
        s.pool.replenish();
        await s.untilUnderway(strikeWhen ?? { published: Math.ceil(SETTINGS.documents / 10) });
        await run(s);
        await s.drain();
        const outcome = await s.reconcile();
        expectSettled(outcome);
        check(outcome);
        settled = true;
      } finally {
        await s.close(!settled);
      }
    },
    OVERHEAD_MS + faultMs + SETTINGS.drainMs,
  );
}

/**
 * Dead letters a fault may not cause: every sample publishes when nothing goes wrong, and an outage of
 * Redis, Postgres or the blob store is the infrastructure's fault, not the document's (it is waited out).
 */
function noDeadLetters(outcome: Outcome): void {
  expect(outcome.deadLetterReasons).toEqual([]);
  expect(outcome.deadLettered).toBe(0);
}

/** Sets Redis down, optionally wiping what it had, while the workers keep running (or are all killed with it). */
async function restartRedis(s: Scenario, options: { wipe: boolean; killWorkers: boolean }): Promise<void> {
  await s.markFault();
  const [killed] = await Promise.all([options.killWorkers ? s.pool.killAll() : Promise.resolve(0), s.redis.kill()]);
  s.kills += killed;
  if (options.wipe) s.redis.wipe();
  await sleep(SETTINGS.redisDownMs);
  await s.redis.start();
  s.pool.replenish();
}

/** The unprivileged account the blob scenario's workers run as (root would read a chmod 000 directory anyway). */
function nobody(): WorkerAccount {
  const id = (flag: string) => Number(spawnSync('id', [flag, 'nobody'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

const runningAsRoot = typeof process.getuid === 'function' && process.getuid() === 0;

describe('faults at default settings', () => {
  scenario('kills', {
    faultMs: SETTINGS.kills * (SETTINGS.killIntervalMs * 2 + 5_000),
    run: async (s) => {
      for (let kill = 0; kill < SETTINGS.kills; kill++) {
        // More documents before each kill, so there is always work in flight for the kill to cut off.
        await s.submit(SETTINGS.documentsPerKill);
        await sleep(SETTINGS.killIntervalMs * (1 + s.random()));
        await s.markFault();
        if (await s.pool.killRandom(s.random)) s.kills++;
        s.pool.replenish();
      }
    },
    check: (outcome) => expect(outcome.kills).toBe(SETTINGS.kills),
  });

  scenario('redis-aof', {
    faultMs: SETTINGS.redisDownMs,
    run: (s) => restartRedis(s, { wipe: false, killWorkers: false }),
    check: noDeadLetters,
  });

  scenario('redis-wiped', {
    faultMs: SETTINGS.redisDownMs,
    run: (s) => restartRedis(s, { wipe: true, killWorkers: false }),
    check: noDeadLetters,
  });

  scenario('redis-wiped-workers-killed', {
    faultMs: SETTINGS.redisDownMs,
    run: (s) => restartRedis(s, { wipe: true, killWorkers: true }),
    check: (outcome) => {
      expect(outcome.kills).toBe(SETTINGS.workers);
      noDeadLetters(outcome);
    },
  });

  scenario('postgres', {
    faultMs: SETTINGS.postgresDownMs,
    run: async (s) => {
      await s.markFault();
      await s.postgres.stop();
      // Like a supervisor restarting crashed services: a worker that dies while Postgres is away is replaced.
      const until = Date.now() + SETTINGS.postgresDownMs;
      while (Date.now() < until) {
        s.pool.replenish();
        await sleep(Math.min(1000, until - Date.now()));
      }
      await s.postgres.start();
    },
    check: noDeadLetters,
  });

  // Only ingest reads the blob store, so the fault strikes while documents still wait at ingest. The
  // workers run as an unprivileged account, for whom chmod 000 really makes the blobs unreadable (EACCES).
  scenario('blobs', {
    faultMs: SETTINGS.blobsDownMs,
    strikeWhen: { pastIngest: 1 },
    run: async (s) => {
      const blobDir = s.runtime.config.blobDir;
      s.inFlightAtFault = await s.waitingAt('ingest');
      fs.chmodSync(blobDir, 0o000);
      try {
        await sleep(SETTINGS.blobsDownMs);
      } finally {
        fs.chmodSync(blobDir, 0o755);
      }
    },
    check: noDeadLetters,
    options: () => (runningAsRoot ? { workerAccount: nobody() } : {}),
  });
});
