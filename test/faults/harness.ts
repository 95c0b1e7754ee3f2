/**
 * The fault suite's shared machinery: one isolated pipeline per scenario (its own private Redis and
 * Postgres, data directory, schema and prefix), worker processes to start, kill -9 and replace, the
 * documents to submit, the drain (bounded, no manual step) and the reconciliation from Postgres that
 * every scenario ends with.
 *
 * Every scenario runs at the project's defaults: nothing here sets GONGKAI_ATTEMPTS,
 * GONGKAI_BACKOFF_MS, GONGKAI_LOCK_MS, GONGKAI_INFRA_RETRY_MINUTES or GONGKAI_RECONCILE_SECONDS, and
 * variables of that kind in the caller's environment are removed before workers start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openRuntime, type Runtime } from '../../cli/runtime';
import { sha256Of } from '../../shared/blob-store';
import { loadConfig } from '../../shared/config';
import { stageJobId, isStage } from '../../shared/pipeline';
import { describeSource } from '../../shared/record';
import { submitFile } from '../../shared/submissions';
import { extractDocument } from '../../workers/ingest/core';
import { normalizeDocument } from '../../workers/normalize/core';
import { parseReport } from '../../workers/parse/core';
import { GONGKAI_BIN } from '../support/cli';
import { REPO_ROOT, sampleFiles } from '../support/environment';
import { PrivatePostgres, PrivateRedis } from './servers';

function numberSetting(name: string, full: number, ci: number): number {
  const value = process.env[name];
  if (value !== undefined && value !== '') {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`${name} must be a non-negative number, got '${value}'`);
    return parsed;
  }
  return CI ? ci : full;
}

/** FAULTS_CI=1: the bounded sizes CI runs; every size can still be set on its own. */
const CI = process.env.FAULTS_CI === '1' || process.env.FAULTS_CI === 'true';

export const SETTINGS = {
  /** Documents each scenario submits before its workers start. */
  documents: numberSetting('FAULTS_DOCUMENTS', 100, 40),
  /** kill -9 of a random worker, each replaced at once. */
  kills: numberSetting('FAULTS_KILLS', 50, 12),
  /** Documents submitted before each kill, so the kills keep landing on work in flight. */
  documentsPerKill: numberSetting('FAULTS_DOCUMENTS_PER_KILL', 2, 2),
  /** Time between kills: this, plus up to as much again at random (a worker takes about 3 s to start). */
  killIntervalMs: numberSetting('FAULTS_KILL_INTERVAL_MS', 1500, 1500),
  postgresDownMs: numberSetting('FAULTS_POSTGRES_DOWN_S', 60, 20) * 1000,
  blobsDownMs: numberSetting('FAULTS_BLOBS_DOWN_S', 30, 10) * 1000,
  /** How long Redis stays down before it is started again (from its append-only file, or empty). */
  redisDownMs: numberSetting('FAULTS_REDIS_DOWN_S', 2, 2) * 1000,
  /** The bound on the drain after the last fault; a scenario that has not settled by then fails. */
  drainMs: numberSetting('FAULTS_DRAIN_S', 300, 180) * 1000,
  workers: numberSetting('FAULTS_WORKERS', 2, 2),
  /** FAULTS_SCENARIOS=kills,postgres runs only those scenarios (all by default). */
  scenarios: (process.env.FAULTS_SCENARIOS || '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean),
  /**
   * FAULTS_CONCURRENT=1 runs the scenarios at the same time (each has its own servers; jest's
   * --maxConcurrency caps how many). Off by default: every worker starts sandbox processes, and a dozen
   * workers starting at once on two cores starve each other for minutes.
   */
  concurrent: process.env.FAULTS_CONCURRENT === '1',
  /** FAULTS_KEEP_LOGS=1 keeps every scenario's worker logs (a failing scenario's are always kept). */
  keepLogs: process.env.FAULTS_KEEP_LOGS === '1',
  seed: Number(process.env.FAULTS_SEED || Math.floor(Math.random() * 2 ** 31)),
};

/** Settings a scenario must not inherit from the shell: the suite runs at the project's defaults, on its own blob store. */
const IGNORED_SHELL_SETTINGS = ['GONGKAI_ATTEMPTS', 'GONGKAI_BACKOFF_MS', 'GONGKAI_LOCK_MS', 'GONGKAI_INFRA_RETRY_MINUTES', 'GONGKAI_RECONCILE_SECONDS', 'GONGKAI_BLOB_DIR'];

/** How long worker processes may take to boot before a scenario gives up on them (they take about 3 s alone). */
export const WORKER_BOOT_MS = 120_000;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A small seeded PRNG (mulberry32) so a failing run can be replayed with FAULTS_SEED. */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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

interface WorkerProcess {
  child: ChildProcess;
  /** The process said its workers run (it got past opening Postgres and Redis). */
  ready: boolean;
}

/** An unprivileged account for workers that must really be unable to read a directory (root reads anything). */
export interface WorkerAccount {
  uid: number;
  gid: number;
}

/** `gongkai workers` processes, kept at a fixed number; their output goes to one log file each. */
class WorkerPool {
  private processes: WorkerProcess[] = [];
  /** Workers that exited without being killed by the suite, with the last lines they wrote. */
  readonly diedByThemselves: string[] = [];
  readonly deadLetterFailures: string[] = [];
  started = 0;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly size: number,
    private readonly logDir: string,
    private readonly account?: WorkerAccount,
  ) {}

  start(): WorkerProcess {
    const child = spawn(process.execPath, [GONGKAI_BIN, 'workers'], {
      cwd: REPO_ROOT,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(this.account ?? {}),
    });
    const worker: WorkerProcess = { child, ready: false };
    const log = fs.createWriteStream(path.join(this.logDir, `worker-${child.pid}.log`));
    let tail = '';
    const keep = (chunk: Buffer) => {
      const text = chunk.toString();
      log.write(text);
      tail = (tail + text).slice(-4000);
      if (/workers running for/.test(text)) worker.ready = true;
      for (const line of text.split('\n')) if (/could not dead-letter/.test(line)) this.deadLetterFailures.push(`[worker ${child.pid}] ${line.trim()}`);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', (code, signal) => {
      log.end();
      if (signal !== 'SIGKILL') {
        const lines = tail.trim().split('\n').filter((line) => /Error|error|^\s+at /.test(line)).slice(0, 4);
        this.diedByThemselves.push(`[worker ${child.pid}] exited code=${code} signal=${signal}: ${lines.join(' | ')}`);
      }
    });
    this.processes.push(worker);
    this.started++;
    return worker;
  }

  living(): WorkerProcess[] {
    this.processes = this.processes.filter((worker) => alive(worker.child));
    return this.processes;
  }

  /** Starts workers until the pool is full again (after kills, or workers that died by themselves). */
  replenish(): void {
    while (this.living().length < this.size) this.start();
  }

  /** kill -9 of one random worker that is running jobs (waits, bounded, for one to be ready). */
  async killRandom(random: () => number): Promise<boolean> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const ready = this.living().filter((worker) => worker.ready);
      if (ready.length > 0) {
        const victim = ready[Math.floor(random() * ready.length)];
        victim.child.kill('SIGKILL');
        await exited(victim.child);
        return true;
      }
      this.replenish();
      await sleep(100);
    }
    return false;
  }

  async killAll(): Promise<number> {
    const victims = this.living();
    for (const worker of victims) worker.child.kill('SIGKILL');
    await Promise.all(victims.map((worker) => exited(worker.child)));
    return victims.length;
  }

  async untilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !this.living().some((worker) => worker.ready)) {
      this.replenish();
      await sleep(100);
    }
  }
}

export interface Outcome {
  scenario: string;
  ingested: number;
  published: number;
  deadLettered: number;
  stuck: string[];
  lost: string[];
  /** Published documents whose cell count is not what their file gives (a stage's work written twice, or partly). */
  duplicateCells: string[];
  reportsOfUnpublished: string[];
  publishedAndLettered: string[];
  letteredTwice: string[];
  deadWithoutLetter: string[];
  /** Stage runs still 'running' once everything settled: nobody closed the run of a killed worker. */
  runningStageRuns: number;
  interruptedStageRuns: number;
  kills: number;
  /** Documents not yet finished when the (last) fault struck: the fault hit work in flight. */
  inFlightAtFault: number;
  tookMs: number;
  /** Dead letters grouped by stage, code and message, most frequent first. */
  deadLetterReasons: string[];
  line: string;
}

export interface ScenarioOptions {
  /** Run the workers as this account (the blob scenario, so that chmod 000 stops them). */
  workerAccount?: WorkerAccount;
}

/** One scenario's pipeline: servers, runtime, documents and workers, and its settling and reconciliation. */
export class Scenario {
  readonly random: () => number;
  readonly ids: string[] = [];
  private readonly expected = new Map<string, number>();
  private readonly seeds = sampleFiles().filter((file) => file.endsWith('.txt'));
  kills = 0;
  inFlightAtFault = 0;
  private readonly started = Date.now();

  private constructor(
    readonly name: string,
    readonly root: string,
    readonly redis: PrivateRedis,
    readonly postgres: PrivatePostgres,
    readonly runtime: Runtime,
    readonly pool: WorkerPool,
    readonly logDir: string,
  ) {
    this.random = seededRandom(SETTINGS.seed ^ [...name].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) | 0, 7));
  }

  static async open(name: string, options: ScenarioOptions = {}): Promise<Scenario> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `gongkai-faults-${name}-`));
    // Readable by an unprivileged worker account (mkdtemp makes it private to root).
    fs.chmodSync(root, 0o755);
    const [redis, postgres] = await Promise.all([PrivateRedis.create(root), PrivatePostgres.create()]);
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const variable of IGNORED_SHELL_SETTINGS) delete env[variable];
    Object.assign(env, {
      GONGKAI_DATA_DIR: path.join(root, 'data'),
      REDIS_URL: redis.url,
      DATABASE_URL: postgres.url,
      GONGKAI_DB_SCHEMA: `faults_${name.replace(/[^a-z0-9]/g, '_')}_${randomBytes(3).toString('hex')}`,
      GONGKAI_QUEUE_PREFIX: `faults-${name}`,
    });
    const runtime = await openRuntime(loadConfig(env));
    // The test's own queues lose Redis when a scenario kills it; expected, not worth a log line.
    for (const queue of runtime.queues.all()) queue.on('error', () => undefined);
    if (options.workerAccount) {
      for (const dir of [runtime.config.dataDir, runtime.config.blobDir]) {
        fs.mkdirSync(dir, { recursive: true });
        fs.chownSync(dir, options.workerAccount.uid, options.workerAccount.gid);
      }
    }
    const logDir = path.join(os.tmpdir(), `gongkai-faults-logs-${name}-${Date.now()}`);
    fs.mkdirSync(logDir, { recursive: true });
    const pool = new WorkerPool(env, SETTINGS.workers, logDir, options.workerAccount);
    return new Scenario(name, root, redis, postgres, runtime, pool, logDir);
  }

  get db() {
    return this.runtime.db;
  }

  /** Sample reports, each made unique by a trailing line so every copy is its own document. */
  async submit(count: number): Promise<void> {
    for (let made = 0; made < count; made++) {
      const index = this.ids.length;
      const seed = this.seeds[index % this.seeds.length];
      const bytes = Buffer.concat([fs.readFileSync(seed), Buffer.from(`\n副本 ${index}\n`)]);
      const fileName = `copy-${index}-${path.basename(seed)}`;
      const submission = await submitFile(this.runtime, { bytes, fileName });
      if (!submission.created) throw new Error(`${fileName} was not a new document`);
      this.ids.push(submission.documentId);
      this.expected.set(submission.documentId, await expectedCells(bytes, fileName));
    }
  }

  /** Documents per status (throws while Postgres is down). */
  async counts(): Promise<Record<string, number>> {
    const rows = await this.db.selectFrom('documents').select('status').select((eb) => eb.fn.countAll<number>().as('n')).groupBy('status').execute();
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
  }

  async unfinished(): Promise<number> {
    const byStatus = await this.counts();
    return this.ids.length - (byStatus.published ?? 0) - (byStatus.dead_lettered ?? 0);
  }

  /**
   * Waits (bounded) until the workers are well into the run, so the fault lands on documents spread
   * over the stages: at least this many published, or (pastIngest) moved past ingest.
   */
  async untilUnderway(when: { published: number } | { pastIngest: number }, timeoutMs = 120_000): Promise<void> {
    // The bound starts once a worker runs: six scenarios' workers and their sandboxes booting at once on two
    // cores can take minutes, and booting is not what the scenarios test.
    await this.pool.untilReady(WORKER_BOOT_MS);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      this.pool.replenish();
      let query = this.db.selectFrom('documents').select((eb) => eb.fn.countAll<number>().as('n'));
      query = 'published' in when ? query.where('status', '=', 'published') : query.where((eb) => eb.or([eb('current_stage', '!=', 'ingest'), eb('status', 'in', ['published', 'dead_lettered'])]));
      const [{ n }] = await query.execute();
      if (Number(n) >= ('published' in when ? when.published : when.pastIngest)) return;
      await sleep(100);
    }
    const ready = this.pool.living().filter((worker) => worker.ready).length;
    const died = this.pool.diedByThemselves.slice(0, 2).join('; ') || 'none';
    throw new Error(
      `[${this.name}] the workers did not get underway (${JSON.stringify(when)}) within ${timeoutMs} ms: documents ${JSON.stringify(await this.counts())}, ` +
        `${ready} of ${SETTINGS.workers} workers running, ${this.pool.started} started, died by themselves: ${died}`,
    );
  }

  /** Documents queued for or processing at this stage. */
  async waitingAt(stage: string): Promise<number> {
    const [{ n }] = await this.db
      .selectFrom('documents')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('current_stage', '=', stage)
      .where('status', 'in', ['queued', 'processing'])
      .execute();
    return Number(n);
  }

  /** Remembers how much work the fault hit. */
  async markFault(): Promise<void> {
    this.inFlightAtFault = await this.unfinished();
  }

  /**
   * Waits, with no manual step, until every document is published or dead-lettered and no stage run
   * is left 'running', replacing workers that die; bounded by FAULTS_DRAIN_S.
   */
  async drain(): Promise<void> {
    const deadline = Date.now() + SETTINGS.drainMs;
    while (Date.now() < deadline) {
      this.pool.replenish();
      try {
        if ((await this.unfinished()) === 0 && (await this.runningStageRuns()) === 0) break;
      } catch {
        // Postgres is still away.
      }
      await sleep(1000);
    }
    // Give late duplicates (stalled jobs re-run after their lock expired) a moment to do any harm.
    await sleep(3000);
  }

  private async runningStageRuns(): Promise<number> {
    const [{ running }] = (await sql<{ running: number }>`select count(*)::int as running from stage_runs where outcome = 'running'`.execute(this.db)).rows;
    return running;
  }

  /** Everything from Postgres (and the document's BullMQ job where one is stuck), printed as one line and details. */
  async reconcile(): Promise<Outcome> {
    const db = this.db;
    const documents = await db.selectFrom('documents').select(['id', 'status', 'current_stage', 'round', 'error', 'updated_at']).execute();
    const published = documents.filter((doc) => doc.status === 'published').map((doc) => doc.id);
    const deadLettered = documents.filter((doc) => doc.status === 'dead_lettered').map((doc) => doc.id);
    const stuckRows = documents.filter((doc) => doc.status !== 'published' && doc.status !== 'dead_lettered');
    const reports = await db.selectFrom('reports').select('document_id').execute();
    const cellRows = await db.selectFrom('cells').select('document_id').select((eb) => eb.fn.countAll<number>().as('n')).groupBy('document_id').execute();
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
    const runs = (
      await sql<{ outcome: string; n: number }>`select outcome, count(*)::int as n from stage_runs group by outcome`.execute(db)
    ).rows.reduce<Record<string, number>>((all, row) => ({ ...all, [row.outcome]: row.n }), {});
    const reasonRows = (
      await sql<{ stage: string; error_code: string; message: string; n: number }>`
        select stage, error_code, left(message, 160) as message, count(*)::int as n from dead_letters
        where resolved_at is null group by stage, error_code, left(message, 160) order by n desc limit 8`.execute(db)
    ).rows;

    const outcome: Omit<Outcome, 'line'> = {
      scenario: this.name,
      ingested: this.ids.length,
      published: published.length,
      deadLettered: deadLettered.length,
      stuck: await Promise.all(stuckRows.map((doc) => this.describeStuck(doc))),
      lost: this.ids.filter((id) => !documents.some((doc) => doc.id === id)),
      duplicateCells: published.filter((id) => (cells.get(id) ?? 0) !== this.expected.get(id)).map((id) => `${id}: ${cells.get(id) ?? 0}/${this.expected.get(id)}`),
      reportsOfUnpublished: reports.filter((row) => !publishedSet.has(row.document_id)).map((row) => row.document_id),
      publishedAndLettered: published.filter((id) => letterCount.has(id)),
      letteredTwice: [...letterCount].filter(([, n]) => n > 1).map(([id, n]) => `${id}×${n}`),
      deadWithoutLetter: deadLettered.filter((id) => !letterCount.has(id)),
      runningStageRuns: runs.running ?? 0,
      interruptedStageRuns: runs.interrupted ?? 0,
      kills: this.kills,
      inFlightAtFault: this.inFlightAtFault,
      tookMs: Date.now() - this.started,
      deadLetterReasons: reasonRows.map((row) => `${row.n}× ${row.stage} ${row.error_code} ${row.message}`),
    };
    const line =
      `faults[${this.name}]: ingested=${outcome.ingested} published=${outcome.published} dead-lettered=${outcome.deadLettered} ` +
      `stuck=${outcome.stuck.length} duplicate-cells=${outcome.duplicateCells.length} kills=${outcome.kills} took=${Math.round(outcome.tookMs / 1000)}s ` +
      `| lost=${outcome.lost.length} in-flight-at-fault=${outcome.inFlightAtFault} stage-runs-running=${outcome.runningStageRuns} ` +
      `interrupted=${outcome.interruptedStageRuns} workers-started=${this.pool.started} seed=${SETTINGS.seed}`;
    const details = [line];
    if (outcome.stuck.length > 0) details.push(`  stuck (${outcome.stuck.length}):\n    ${outcome.stuck.slice(0, 12).join('\n    ')}`);
    if (outcome.deadLetterReasons.length > 0) details.push(`  dead letters: ${outcome.deadLetterReasons.join('; ')}`);
    if (outcome.duplicateCells.length > 0) details.push(`  wrong cell counts (found/expected): ${outcome.duplicateCells.slice(0, 8).join('; ')}`);
    if (outcome.reportsOfUnpublished.length > 0) details.push(`  reports of unpublished documents: ${outcome.reportsOfUnpublished.slice(0, 8).join('; ')}`);
    if (this.pool.deadLetterFailures.length > 0) details.push(`  dead-lettering failed ${this.pool.deadLetterFailures.length}×: ${this.pool.deadLetterFailures.slice(0, 3).join('; ')}`);
    if (this.pool.diedByThemselves.length > 0) details.push(`  workers that died by themselves (${this.pool.diedByThemselves.length}): ${this.pool.diedByThemselves.slice(0, 4).join('\n    ')}`);
    details.push(`  worker logs: ${this.logDir}`);
    console.log(details.join('\n'));
    return { ...outcome, line };
  }

  /** A stuck document's state: its row, its last stage run, and its current stage's BullMQ job. */
  private async describeStuck(doc: { id: string; status: string; current_stage: string; round: number; error: string | null; updated_at: Date | string }): Promise<string> {
    const lastRun = await this.db
      .selectFrom('stage_runs')
      .select(['stage', 'attempt', 'outcome', 'worker', 'started_at', 'error'])
      .where('document_id', '=', doc.id)
      .orderBy('started_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    let job = 'no job';
    if (isStage(doc.current_stage)) {
      const id = stageJobId(doc.current_stage, { documentId: doc.id, round: doc.round });
      const found = await this.runtime.queues.stages[doc.current_stage].getJob(id).catch(() => undefined);
      if (found) job = `job ${id} ${await found.getState()} attemptsMade=${found.attemptsMade}`;
      else job = `no job ${id}`;
    }
    const run = lastRun ? `last run ${lastRun.stage}#${lastRun.attempt} ${lastRun.outcome} by ${lastRun.worker} at ${new Date(lastRun.started_at).toISOString()}${lastRun.error ? ` (${lastRun.error.slice(0, 100)})` : ''}` : 'no stage run';
    return `${doc.id} ${doc.status}@${doc.current_stage} round ${doc.round} updated ${new Date(doc.updated_at).toISOString()}${doc.error ? ` error "${doc.error.slice(0, 100)}"` : ''}; ${run}; ${job}`;
  }

  async close(keepLogs: boolean): Promise<void> {
    await this.pool.killAll();
    await this.runtime.close().catch(() => undefined);
    await this.redis.kill();
    await this.postgres.destroy();
    fs.rmSync(this.root, { recursive: true, force: true });
    if (!keepLogs && !SETTINGS.keepLogs) fs.rmSync(this.logDir, { recursive: true, force: true });
  }
}

/** The issue's settlement: every document published or dead-lettered exactly once, none stuck or lost, no cell written twice. */
export function expectSettled(outcome: Outcome): void {
  expect(outcome.lost).toEqual([]);
  expect(outcome.stuck).toEqual([]);
  expect(outcome.published + outcome.deadLettered).toBe(outcome.ingested);
  expect(outcome.duplicateCells).toEqual([]);
  expect(outcome.reportsOfUnpublished).toEqual([]);
  expect(outcome.publishedAndLettered).toEqual([]);
  expect(outcome.letteredTwice).toEqual([]);
  expect(outcome.deadWithoutLetter).toEqual([]);
  // A killed worker's run is closed (as interrupted), never left 'running' for ever.
  expect(outcome.runningStageRuns).toBe(0);
  expect(outcome.inFlightAtFault).toBeGreaterThan(0);
}
