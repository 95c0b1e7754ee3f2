/**
 * Fault injection (npm run test:faults): a bulk run on a private Redis and a private Postgres while
 * worker processes are killed with SIGKILL over and over, Redis is killed and restarted from its
 * append-only file, and Postgres is stopped for a while. Afterwards every submitted document must be
 * published or dead-lettered — none twice, none lost, none stuck — reconciled from Postgres.
 *
 * Sizes and timings: FAULTS_DOCUMENTS (80), FAULTS_CHAOS_MS (how long the chaos loop runs, 45000),
 * FAULTS_WAIT_MS (how long to wait for the pipeline to drain afterwards, 90000), FAULTS_SEED.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openRuntime, type Runtime } from '../../cli/runtime';
import { sha256Of } from '../../shared/blob-store';
import { loadConfig } from '../../shared/config';
import { describeSource } from '../../shared/record';
import { submitFile } from '../../shared/submissions';
import { extractDocument } from '../../workers/ingest/core';
import { normalizeDocument } from '../../workers/normalize/core';
import { parseReport } from '../../workers/parse/core';
import { startCli } from '../support/cli';
import { sampleFiles } from '../support/environment';
import { PrivatePostgres, PrivateRedis } from './servers';

const DOCUMENTS = Number(process.env.FAULTS_DOCUMENTS || 80);
const CHAOS_MS = Number(process.env.FAULTS_CHAOS_MS || 45_000);
const WAIT_MS = Number(process.env.FAULTS_WAIT_MS || 90_000);
const WORKERS = 2;
const POSTGRES_DOWN_MS = 5_000;

jest.setTimeout(60_000 + CHAOS_MS + WAIT_MS + 60_000);

/** A small seeded PRNG (mulberry32) so a failing run can be replayed with FAULTS_SEED. */
const SEED = Number(process.env.FAULTS_SEED || Math.floor(Math.random() * 2 ** 31));
let state = SEED;
function random(): number {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** The cells publish must write for these bytes, from the same pure cores the workers run. */
async function expectedCells(bytes: Buffer, fileName: string): Promise<number> {
  const extracted = await extractDocument({ bytes, fileName }, { maxPages: 500 });
  const normalized = normalizeDocument(extracted);
  const parsed = parseReport(normalized, describeSource({ sha256: sha256Of(bytes), fileName, mediaType: extracted.mediaType }, extracted.pages));
  return parsed.cells.length;
}

describe('faults', () => {
  let root: string;
  let redis: PrivateRedis | undefined;
  let postgres: PrivatePostgres | undefined;
  let runtime: Runtime | undefined;
  let env: NodeJS.ProcessEnv;
  const children: ChildProcess[] = [];
  const logs: string[] = [];
  /** Workers' own reports that dead-lettering a document failed (it is then neither retried nor recorded). */
  const deadLetterFailures: string[] = [];

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-faults-'));
    [redis, postgres] = await Promise.all([PrivateRedis.create(root), PrivatePostgres.create()]);
    env = {
      GONGKAI_DATA_DIR: path.join(root, 'data'),
      REDIS_URL: redis.url,
      DATABASE_URL: postgres.url,
      GONGKAI_DB_SCHEMA: `faults_${randomBytes(4).toString('hex')}`,
      GONGKAI_QUEUE_PREFIX: 'faults',
      GONGKAI_LOCK_MS: '2000',
      GONGKAI_ATTEMPTS: '8',
      GONGKAI_BACKOFF_MS: '200',
    };
    runtime = await openRuntime(loadConfig(env));
    // The test's own queues lose Redis during the restart too; that is expected, not worth a log line.
    for (const queue of runtime.queues.all()) queue.on('error', () => undefined);
  });

  afterAll(async () => {
    for (const child of children) if (alive(child)) child.kill('SIGKILL');
    await Promise.all(children.map(exited));
    await runtime?.close().catch(() => undefined);
    await redis?.kill();
    await postgres?.destroy();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  function startWorker(): ChildProcess {
    const child = startCli(['workers'], env);
    const tag = `[worker ${child.pid}]`;
    let tail = '';
    const keep = (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      for (const line of text.split('\n')) if (/could not dead-letter/.test(line)) deadLetterFailures.push(`${tag} ${line.trim()}`);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', (code, signal) => {
      if (signal !== 'SIGKILL') logs.push(`${tag} exited code=${code} signal=${signal}: ${tail.trim().split('\n').filter((line) => /Error|error:|^\s+at /.test(line)).slice(0, 6).join(' | ')}`);
    });
    children.push(child);
    return child;
  }

  test('kill -9 workers, restart Redis, stop Postgres: every document published or dead-lettered exactly once', async () => {
    const started = Date.now();
    const db = runtime!.db;
    const seeds = sampleFiles().filter((file) => file.endsWith('.txt'));
    const ids: string[] = [];
    const expected = new Map<string, number>();
    for (let index = 0; index < DOCUMENTS; index++) {
      // A distinct trailing line gives each copy its own sha256, so each is a separate document.
      const seed = seeds[index % seeds.length];
      const bytes = Buffer.concat([fs.readFileSync(seed), Buffer.from(`\n副本 ${index}\n`)]);
      const fileName = `copy-${index}-${path.basename(seed)}`;
      const submission = await submitFile(runtime!, { bytes, fileName });
      expect(submission.created).toBe(true);
      ids.push(submission.documentId);
      expected.set(submission.documentId, await expectedCells(bytes, fileName));
    }

    const counts = async () => {
      const rows = await db.selectFrom('documents').select('status').select((eb) => eb.fn.countAll<number>().as('n')).groupBy('status').execute();
      return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)])) as Record<string, number>;
    };
    const finished = async () => {
      try {
        const byStatus = await counts();
        return (byStatus.published ?? 0) + (byStatus.dead_lettered ?? 0) === DOCUMENTS;
      } catch {
        return false; // Postgres is down.
      }
    };

    let workers: ChildProcess[] = [];
    for (let index = 0; index < WORKERS; index++) workers.push(startWorker());

    // The chaos loop: a kill -9 every 1–2 s, Redis killed and restarted once, Postgres stopped once.
    let kills = 0;
    let replacements = 0;
    let redisRestarted = false;
    let postgresStopped = false;
    const redisAt = Math.min(5_000, CHAOS_MS / 4);
    const postgresAt = Math.min(14_000, CHAOS_MS / 2);
    const chaosStart = Date.now();
    let publishedBeforeChaosEnd = 0;
    while (Date.now() - chaosStart < CHAOS_MS) {
      await sleep(1000 + random() * 1000);
      const elapsed = Date.now() - chaosStart;
      if (!redisRestarted && elapsed >= redisAt) {
        redisRestarted = true;
        await redis!.kill();
        await sleep(1000);
        await redis!.start();
      } else if (!postgresStopped && elapsed >= postgresAt) {
        postgresStopped = true;
        await postgres!.stop();
        await sleep(POSTGRES_DOWN_MS);
        await postgres!.start();
      } else {
        const victims = workers.filter(alive);
        if (victims.length > 0) {
          const victim = victims[Math.floor(random() * victims.length)];
          victim.kill('SIGKILL');
          await exited(victim);
          kills++;
        }
      }
      // Replace the killed worker, and any that died by itself (one started while Postgres was down).
      const survivors = workers.filter(alive);
      while (survivors.length < WORKERS) {
        survivors.push(startWorker());
        replacements++;
      }
      workers = survivors;
      // Keep the faults coming while there is work: stop early only once every fault has happened.
      if (redisRestarted && postgresStopped && kills >= 10 && (await finished())) break;
    }
    const chaosMs = Date.now() - chaosStart;
    publishedBeforeChaosEnd = (await counts()).published ?? 0;

    // Let the pipeline drain, bounded; workers that die on their own are still replaced.
    const deadline = Date.now() + WAIT_MS;
    while (Date.now() < deadline && !(await finished())) {
      workers = workers.filter(alive);
      while (workers.length < WORKERS) workers.push(startWorker());
      await sleep(500);
    }
    // Give late duplicates (stalled jobs re-run after their lock expired) time to do any harm.
    await sleep(3_000);

    // Reconcile from Postgres.
    const documents = await db.selectFrom('documents').select(['id', 'status', 'current_stage', 'error']).execute();
    const byStatus = await counts();
    const published = documents.filter((doc) => doc.status === 'published').map((doc) => doc.id);
    const deadLettered = documents.filter((doc) => doc.status === 'dead_lettered').map((doc) => doc.id);
    const stuck = documents.filter((doc) => doc.status === 'queued' || doc.status === 'processing');
    const reports = await db.selectFrom('reports').select('document_id').execute();
    const cellRows = await db
      .selectFrom('cells')
      .select('document_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .groupBy('document_id')
      .execute();
    const cells = new Map(cellRows.map((row) => [row.document_id, Number(row.n)]));
    const letters = await db
      .selectFrom('dead_letters')
      .select('document_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('resolved_at', 'is', null)
      .groupBy('document_id')
      .execute();
    const letterCount = new Map(letters.map((row) => [row.document_id, Number(row.n)]));
    const publishedSet = new Set(published);
    const wrongCells = published.filter((id) => (cells.get(id) ?? 0) !== expected.get(id)).map((id) => `${id}: ${cells.get(id) ?? 0}/${expected.get(id)}`);
    const reportsOfUnpublished = reports.filter((row) => !publishedSet.has(row.document_id)).map((row) => row.document_id);
    const publishedAndLettered = published.filter((id) => letterCount.has(id));
    const letteredTwice = [...letterCount].filter(([, n]) => n > 1).map(([id, n]) => `${id}×${n}`);
    const deadWithoutLetter = deadLettered.filter((id) => !letterCount.has(id));
    const lost = ids.filter((id) => !documents.some((doc) => doc.id === id));
    const [{ interrupted }] = (await sql<{ interrupted: number }>`select count(*)::int as interrupted from stage_runs where outcome = 'running'`.execute(db)).rows;
    const deadLetterQueue = await runtime!.queues.deadLetter.getJobCounts();
    const failedJobs = await Promise.all(Object.values(runtime!.queues.stages).map((queue) => queue.getJobCounts('failed')));
    const failedInBull = failedJobs.reduce((sum, jobCounts) => sum + (jobCounts.failed ?? 0), 0);

    console.log(
      `faults: seed=${SEED} documents=${DOCUMENTS} published=${published.length} dead-lettered=${deadLettered.length} ` +
        `stuck=${stuck.length} lost=${lost.length} reports=${reports.length} wrong-cells=${wrongCells.length} ` +
        `published+dead-lettered=${publishedAndLettered.length} dead-lettered-twice=${letteredTwice.length} ` +
        `worker-kills=${kills} replacements=${replacements} redis-restarts=${redisRestarted ? 1 : 0} postgres-stops=${postgresStopped ? 1 : 0} ` +
        `published-at-chaos-end=${publishedBeforeChaosEnd} stage-runs-cut-off=${interrupted} bull-failed=${failedInBull} ` +
        `dlq-jobs=${JSON.stringify(deadLetterQueue)} chaos=${Math.round(chaosMs / 1000)}s total=${Math.round((Date.now() - started) / 1000)}s`,
    );
    if (stuck.length > 0) console.log(`faults: stuck: ${stuck.slice(0, 10).map((doc) => `${doc.id} ${doc.status}@${doc.current_stage} ${doc.error ?? ''}`).join('; ')}`);
    if (deadLettered.length > 0) {
      const reasons = await db.selectFrom('dead_letters').select(['stage', 'error_code', 'message']).where('resolved_at', 'is', null).limit(5).execute();
      console.log(`faults: dead letters: ${reasons.map((row) => `${row.stage} ${row.error_code} ${row.message.slice(0, 120)}`).join('; ')}`);
    }
    if (wrongCells.length > 0) console.log(`faults: wrong cell counts (found/expected): ${wrongCells.slice(0, 8).join("; ")}`);
    if (reportsOfUnpublished.length > 0) console.log(`faults: reports of unpublished documents: ${documents.filter((doc) => reportsOfUnpublished.includes(doc.id)).map((doc) => `${doc.id} ${doc.status}@${doc.current_stage}`).join("; ")}`);
    if (deadLetterFailures.length > 0) console.log(`faults: dead-lettering failed ${deadLetterFailures.length}×: ${deadLetterFailures.slice(0, 5).join('; ')}`);
    const queuedLetters = (await runtime!.queues.deadLetter.getJobs(['waiting'])).map((job) => `${job.id} (${documents.find((doc) => doc.id === job.data.documentId)?.status})`);
    if (queuedLetters.length > 0) console.log(`faults: dead-letter queue: ${queuedLetters.slice(0, 10).join('; ')}`);
    if (logs.length > 0) console.log(`faults: workers that died by themselves:\n${logs.slice(0, 5).join('\n')}`);

    expect(redisRestarted && postgresStopped).toBe(true);
    expect(kills).toBeGreaterThanOrEqual(10);
    expect(lost).toEqual([]);
    expect(documents).toHaveLength(DOCUMENTS);
    expect(stuck.map((doc) => `${doc.id} ${doc.status}@${doc.current_stage}`)).toEqual([]);
    expect(published.length + deadLettered.length).toBe(DOCUMENTS);
    expect(byStatus.published ?? 0).toBe(published.length);
    expect(reports).toHaveLength(published.length);
    expect(reportsOfUnpublished).toEqual([]);
    expect(wrongCells).toEqual([]);
    expect(publishedAndLettered).toEqual([]);
    expect(letteredTwice).toEqual([]);
    expect(deadWithoutLetter).toEqual([]);
  });
});
