/**
 * `npm run bench:pipeline` (issue 7): the whole pipeline on text and HTML reports, measured against a
 * baseline in the same run, because absolute times on a shared machine drift.
 *
 *   1. documents per second end to end with 1 and 2 `gongkai workers` processes, against the floor: the
 *      same stage cores called in process with one transaction per document (bench/in-process-worker.ts).
 *      That ratio is the headline (issue 15), measured in --rounds rounds that alternate which side runs
 *      first, so both sides of a round share the machine's minutes; the headline is the median round
 *      (this machine's speed drifts by 10–20 % within an hour). A raw BullMQ chain of six trivial stages
 *      (bench/raw-chain-worker.ts) on the same Redis shows what the queues alone cost;
 *   2. scaling from one worker process to two, for all three, and the cost per document of each: CPU of
 *      workers, Postgres and Redis, Postgres transactions and bytes;
 *   3. cost growth at each --sizes: throughput, Redis memory per queued document, Postgres bytes per document;
 *   4. where the time goes: stage run durations per stage, from stage_runs.
 *
 *   npm run bench:pipeline                                                  # 500 documents, 3 rounds; sizes 1000
 *   npm run bench:pipeline -- --documents 60 --rounds 1 --sizes 100,200     # CI size
 *   npm run bench:pipeline -- --sizes 1000,5000,10000            # the full cost curve
 *
 * Every scenario gets its own Postgres schema and BullMQ prefix on the servers in DATABASE_URL and
 * REDIS_URL (default: the test servers at 127.0.0.1), removed afterwards. Documents are submitted while
 * the ingest queue is paused and the clock starts when it is resumed with every worker listening, so
 * the figures are the pipeline's drain rate, not process start-up. Results: bench/results/pipeline.{json,md}.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { sql } from 'kysely';
import { openRuntime, type Runtime } from '../cli/runtime';
import { loadConfig } from '../shared/config';
import { dropSchema, openDatabase } from '../shared/db/connect';
import { STAGES, type StageJob } from '../shared/pipeline';
import { deleteKeysMatching, redisOptions } from '../shared/redis';
import { submitFile } from '../shared/submissions';
import { benchCorpus, benchFile } from './pipeline-corpus';
import { RAW_CHAIN_DONE_KEY } from './raw-chain-worker';

const REPO_ROOT = path.resolve(__dirname, '..');
const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const TSX = require.resolve('tsx/cjs');
/** Documents each baseline process has in flight, so reading one overlaps writing another. */
const IN_PROCESS_CONCURRENCY = 4;

interface Options {
  documents: number;
  /** Floor-and-gongkai rounds per process count. */
  rounds: number;
  sizes: number[];
  outDir: string;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { documents: 500, rounds: 3, sizes: [1000], outDir: path.join(__dirname, 'results') };
  const positive = (flag: string, value: string | undefined): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1) throw new Error(`${flag} needs a positive integer, got ${value}`);
    return number;
  };
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index];
    if (flag === '--documents') options.documents = positive(flag, argv[++index]);
    else if (flag === '--rounds') options.rounds = positive(flag, argv[++index]);
    else if (flag === '--sizes') options.sizes = (argv[++index] ?? '').split(',').map((size) => positive(flag, size));
    else if (flag === '--out') options.outDir = path.resolve(argv[++index] ?? '');
    else throw new Error(`unknown option ${flag}`);
  }
  return options;
}

interface Scenario {
  id: string;
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

function scenario(): Scenario {
  const id = randomBytes(4).toString('hex');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `gongkai-bench-${id}-`));
  const env = { GONGKAI_DATA_DIR: dataDir, DATABASE_URL, GONGKAI_DB_SCHEMA: `gkbench_${id}`, REDIS_URL, GONGKAI_QUEUE_PREFIX: `gkbench-${id}` };
  return {
    id,
    env,
    async cleanup() {
      await dropSchema(DATABASE_URL, env.GONGKAI_DB_SCHEMA);
      await deleteKeysMatching(REDIS_URL, `${env.GONGKAI_QUEUE_PREFIX}:*`);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Bytes Redis holds for the keys under a prefix (MEMORY USAGE of each, exact for collections). */
async function prefixMemory(prefix: string): Promise<number> {
  const redis = new IORedis(REDIS_URL);
  try {
    let bytes = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.memory('USAGE', key, 'SAMPLES', 0);
      for (const [, usage] of (await pipeline.exec()) ?? []) bytes += Number(usage ?? 0);
      cursor = next;
    } while (cursor !== '0');
    return bytes;
  } finally {
    redis.disconnect();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function stopAll(children: ChildProcess[]): Promise<void> {
  return Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  ).then(() => undefined);
}

/** Waits until `processes` workers listen on every stage queue. */
async function waitForWorkers(queues: Queue[], processes: number): Promise<void> {
  for (;;) {
    const counts = await Promise.all(queues.map((queue) => queue.getWorkersCount()));
    if (counts.every((count) => count >= processes)) return;
    await sleep(100);
  }
}

interface RunFigures {
  documents: number;
  processes: number;
  seconds: number;
  documentsPerSecond: number;
  /** CPU ms per document of the worker processes, Postgres and Redis while the documents drained. */
  cpuMsPerDocument: CpuSample;
}

interface PipelineFigures extends RunFigures {
  /** Postgres transactions (each autocommitted statement is one) per document, from pg_stat_database. */
  postgresTransactionsPerDocument: number;
  published: number;
  deadLettered: number;
  redisBytesPerQueuedDocument: number;
  postgresBytesPerDocument: number;
  stages: Array<{ stage: string; runs: number; meanMs: number; p50Ms: number; p95Ms: number; shareOfTime: number }>;
}

async function stageBreakdown(runtime: Runtime, since: Date): Promise<PipelineFigures['stages']> {
  const rows = await runtime.db
    .selectFrom('stage_runs')
    .select((eb) => [
      'stage',
      eb.fn.countAll<number>().as('runs'),
      sql<number>`avg(duration_ms)`.as('mean'),
      sql<number>`percentile_cont(0.5) within group (order by duration_ms)`.as('p50'),
      sql<number>`percentile_cont(0.95) within group (order by duration_ms)`.as('p95'),
      sql<number>`sum(duration_ms)`.as('total'),
    ])
    .where('outcome', '=', 'completed')
    .where('started_at', '>=', since)
    .groupBy('stage')
    .execute();
  const total = rows.reduce((sum, row) => sum + Number(row.total), 0);
  return STAGES.flatMap((stage) => {
    const row = rows.find((candidate) => candidate.stage === stage);
    if (!row) return [];
    return [{ stage, runs: Number(row.runs), meanMs: round(Number(row.mean)), p50Ms: round(Number(row.p50)), p95Ms: round(Number(row.p95)), shareOfTime: round(Number(row.total) / total, 3) }];
  });
}

async function postgresTransactions(db: Runtime['db']): Promise<number> {
  const result = await sql<{ count: string }>`
    select xact_commit + xact_rollback as count from pg_stat_database where datname = current_database()`.execute(db);
  return Number(result.rows[0].count);
}

async function postgresBytes(db: Runtime['db'], schema: string): Promise<number> {
  const result = await sql<{ bytes: string }>`
    select coalesce(sum(pg_total_relation_size(c.oid)), 0) as bytes
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${schema} and c.relkind = 'r'`.execute(db);
  return Number(result.rows[0].bytes);
}

/**
 * Copies of the corpus each process reads before the clock starts, in the floor and in gongkai alike.
 * Two were too few: a worker's code, and its sandbox children's (then six), were still being optimised well
 * into a 300-document run, which the floor (one process) finishes sooner.
 */
const WARM_UP_ROUNDS = 10;

const CLOCK_TICKS_PER_SECOND = 100;

interface ProcessTicks {
  pid: number;
  parent: number;
  name: string;
  ticks: number;
}

/** Every process's name, parent and CPU ticks so far (user + system), from Linux /proc. */
function processTicks(): ProcessTicks[] {
  const processes: ProcessTicks[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // After the command name: ppid is field 4 of /proc/<pid>/stat (index 1), utime and stime 14 and 15 (11 and 12).
      processes.push({ pid: Number(entry), parent: Number(fields[1]), name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The process ended between listing and reading.
    }
  }
  return processes;
}

/** CPU seconds used so far by processes with this command name, or by these pids and their descendants (a worker's sandbox processes). */
function cpuSeconds(match: { name?: string; pids?: number[] }): number {
  const processes = processTicks();
  const counted = new Set(match.pids ?? []);
  if (match.pids) {
    for (let grew = true; grew; ) {
      grew = false;
      for (const process of processes) {
        if (counted.has(process.parent) && !counted.has(process.pid)) {
          counted.add(process.pid);
          grew = true;
        }
      }
    }
  }
  const ticks = processes
    .filter((process) => (match.pids ? counted.has(process.pid) : process.name === match.name))
    .reduce((sum, process) => sum + process.ticks, 0);
  return ticks / CLOCK_TICKS_PER_SECOND;
}

interface CpuSample {
  workers: number;
  postgres: number;
  redis: number;
}

function sampleCpu(workerPids: number[]): CpuSample {
  return { workers: cpuSeconds({ pids: workerPids }), postgres: cpuSeconds({ name: 'postgres' }), redis: cpuSeconds({ name: 'redis-server' }) };
}

/** CPU milliseconds per document spent by each side between two samples. */
function cpuPerDocument(before: CpuSample, after: CpuSample, documents: number): CpuSample {
  const perDocument = (key: keyof CpuSample) => round(((after[key] - before[key]) * 1000) / documents);
  return { workers: perDocument('workers'), postgres: perDocument('postgres'), redis: perDocument('redis') };
}

function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * Polls until this many documents are published or dead-lettered; returns the counts per status. A
 * count over the schema, not cli/wait.ts's per-id look-up, which would send 10,000 ids to Postgres
 * several times a second while it is being measured.
 */
async function waitUntilFinished(runtime: Runtime, total: number, polls = { count: 0 }): Promise<Array<{ status: string; count: number }>> {
  for (;;) {
    polls.count++;
    const rows = await runtime.db
      .selectFrom('documents')
      .select(['status', (eb) => eb.fn.countAll<number>().as('count')])
      .where('status', 'in', ['published', 'dead_lettered'])
      .groupBy('status')
      .execute();
    if (rows.reduce((sum, row) => sum + Number(row.count), 0) >= total) return rows;
    await sleep(100);
  }
}

async function runPipeline(documents: number, processes: number): Promise<PipelineFigures> {
  const setup = scenario();
  const runtime = await openRuntime(loadConfig(setup.env));
  const children: ChildProcess[] = [];
  try {
    const ingest = runtime.queues.stages.ingest;
    const makers = benchCorpus();
    // The processes share this machine's cores, and are told so as an operator would tell them (README, Sizing).
    const env = { GONGKAI_WORKER_PROCESSES: String(processes), ...process.env, ...setup.env };
    for (let index = 0; index < processes; index++) {
      children.push(fork(path.join(REPO_ROOT, 'cli/main.ts'), ['workers'], { execArgv: ['--require', TSX], env, stdio: 'ignore' }));
    }
    await waitForWorkers(Object.values(runtime.queues.stages), processes);
    // Warm-up: the workers (and their sandbox children) load, compile and optimise every stage's code on first use; that is start-up, not throughput.
    const warmUp = makers.length * WARM_UP_ROUNDS * processes;
    for (let copy = 0; copy < warmUp; copy++) await submitFile(runtime, benchFile(makers, -1 - copy));
    await waitUntilFinished(runtime, warmUp);

    await ingest.pause();
    const prefix = setup.env.GONGKAI_QUEUE_PREFIX!;
    const memoryBefore = await prefixMemory(prefix);
    for (let copy = 0; copy < documents; copy++) await submitFile(runtime, benchFile(makers, copy));
    const queuedBytes = (await prefixMemory(prefix)) - memoryBefore;
    const startedAt = new Date();
    const polls = { count: 0 };
    const { result: finished, figures } = await measureDrain(
      runtime.db,
      children,
      documents,
      async () => {
        await ingest.resume();
        return waitUntilFinished(runtime, warmUp + documents, polls);
      },
      () => polls.count,
    );
    await stopAll(children);
    const count = (status: string) => Number(finished.find((row) => row.status === status)?.count ?? 0);
    const bytes = await postgresBytes(runtime.db, setup.env.GONGKAI_DB_SCHEMA!);
    return {
      ...figures,
      processes,
      published: count('published') - warmUp,
      deadLettered: count('dead_lettered'),
      redisBytesPerQueuedDocument: Math.round(queuedBytes / documents),
      postgresBytesPerDocument: Math.round(bytes / (warmUp + documents)),
      stages: await stageBreakdown(runtime, startedAt),
    };
  } finally {
    await stopAll(children);
    await runtime.close();
    await setup.cleanup();
  }
}

interface DrainFigures {
  documents: number;
  seconds: number;
  documentsPerSecond: number;
  cpuMsPerDocument: CpuSample;
  postgresTransactionsPerDocument: number;
}

/**
 * Times `drain` (the documents flowing through), with the CPU of `children` and their descendants,
 * Postgres and Redis, and Postgres transactions: those of the harness's own queries (`harnessTransactions`,
 * its polls for the end) are not the system's, and are left out.
 */
async function measureDrain<T>(
  db: Runtime['db'],
  children: ChildProcess[],
  documents: number,
  drain: () => Promise<T>,
  harnessTransactions: () => number = () => 0,
): Promise<{ result: T; figures: DrainFigures }> {
  const workerPids = children.map((child) => child.pid!);
  // pg_stat_database is updated when a backend reports, at most once a second: the warm-up's last transactions first.
  await sleep(1500);
  const cpuBefore = sampleCpu(workerPids);
  const transactionsBefore = await postgresTransactions(db);
  const started = performance.now();
  const result = await drain();
  const seconds = (performance.now() - started) / 1000;
  const cpuMsPerDocument = cpuPerDocument(cpuBefore, sampleCpu(workerPids), documents);
  await sleep(1500);
  // The read of the count before is one of the harness's too.
  const postgresTransactionsPerDocument = round(((await postgresTransactions(db)) - transactionsBefore - 1 - harnessTransactions()) / documents);
  return { result, figures: { documents, seconds: round(seconds, 2), documentsPerSecond: round(documents / seconds, 2), cpuMsPerDocument, postgresTransactionsPerDocument } };
}

interface InProcessFigures extends RunFigures {
  postgresTransactionsPerDocument: number;
  postgresBytesPerDocument: number;
}

/** Resolves with the child's first message of this kind; rejects if it exits first. */
function messageFrom(child: ChildProcess, expected: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`in-process baseline exited with ${code} before '${expected}'`));
    child.once('exit', onExit);
    child.on('message', (message) => {
      if (message !== expected) return;
      child.off('exit', onExit);
      resolve();
    });
  });
}

/**
 * The floor (bench/in-process-worker.ts): the same documents through the stage cores called directly,
 * one transaction per document, split over `processes` processes as the pipeline's are over its workers.
 */
async function runInProcess(documents: number, processes: number): Promise<InProcessFigures> {
  const setup = scenario();
  const database = await openDatabase(loadConfig(setup.env));
  const children: ChildProcess[] = [];
  try {
    const warmUp = benchCorpus().length * WARM_UP_ROUNDS;
    for (let index = 0; index < processes; index++) {
      const copies = Array.from({ length: documents }, (_, copy) => copy).filter((copy) => copy % processes === index);
      const task = {
        databaseUrl: DATABASE_URL,
        schema: setup.env.GONGKAI_DB_SCHEMA,
        copies,
        warmUp: Array.from({ length: warmUp }, (_, copy) => -1 - copy - index * warmUp),
        concurrency: IN_PROCESS_CONCURRENCY,
      };
      children.push(fork(path.join(__dirname, 'in-process-worker.ts'), [JSON.stringify(task)], { execArgv: ['--require', TSX], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
    }
    await Promise.all(children.map((child) => messageFrom(child, 'ready')));
    const finished = children.map((child) => messageFrom(child, 'done'));
    const { figures } = await measureDrain(database.db, children, documents, async () => {
      for (const child of children) child.send('go');
      await Promise.all(finished);
    });
    const bytes = await postgresBytes(database.db, setup.env.GONGKAI_DB_SCHEMA!);
    return {
      ...figures,
      processes,
      postgresBytesPerDocument: Math.round(bytes / (warmUp * processes + documents)),
    };
  } finally {
    await stopAll(children);
    await database.close();
    await setup.cleanup();
  }
}

async function runRawChain(documents: number, processes: number): Promise<RunFigures> {
  const setup = scenario();
  const prefix = setup.env.GONGKAI_QUEUE_PREFIX!;
  const connection = redisOptions(REDIS_URL);
  const queues = STAGES.map((stage) => new Queue(stage, { connection, prefix }));
  const counter = new IORedis(REDIS_URL);
  const children: ChildProcess[] = [];
  try {
    const [first] = queues;
    await first.pause();
    const jobs: StageJob[] = Array.from({ length: documents }, (_, index) => ({ documentId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`, round: 0 }));
    for (let start = 0; start < jobs.length; start += 1000) {
      await first.addBulk(jobs.slice(start, start + 1000).map((job) => ({ name: 'ingest', data: job, opts: { jobId: `${job.documentId}.ingest.0`, removeOnComplete: true } })));
    }
    for (let index = 0; index < processes; index++) {
      children.push(
        fork(path.join(__dirname, 'raw-chain-worker.ts'), [JSON.stringify({ redisUrl: REDIS_URL, prefix })], { execArgv: ['--require', TSX], stdio: 'ignore' }),
      );
    }
    await waitForWorkers(queues, processes);
    const workerPids = children.map((child) => child.pid!);
    const cpuBefore = sampleCpu(workerPids);
    const started = performance.now();
    await first.resume();
    while (Number((await counter.get(`${prefix}:${RAW_CHAIN_DONE_KEY}`)) ?? 0) < documents) await sleep(20);
    const seconds = (performance.now() - started) / 1000;
    const cpuMsPerDocument = cpuPerDocument(cpuBefore, sampleCpu(workerPids), documents);
    return { documents, processes, seconds: round(seconds, 2), documentsPerSecond: round(documents / seconds, 2), cpuMsPerDocument };
  } finally {
    await stopAll(children);
    await Promise.all(queues.map((queue) => queue.close()));
    counter.disconnect();
    await setup.cleanup();
  }
}

function markdown(results: BenchResults): string {
  const lines = [
    `# Pipeline benchmark`,
    '',
    `${results.date}, ${results.machine.cpus} × ${results.machine.cpuModel}, Node ${results.machine.node}. Command: \`${results.command}\`.`,
    '',
    `## End to end against the in-process floor (${results.options.documents} text and HTML reports)`,
    '',
    'The floor runs the same stage cores directly and writes each document in one transaction (bench/in-process-worker.ts);',
    'the raw chain hands a payload through six BullMQ queues and does nothing else (bench/raw-chain-worker.ts).',
    '',
    `Floor and gongkai ran in ${results.options.rounds} round(s) per row, alternating which went first; each round's ratio is gongkai ÷ the floor`,
    'of that round, and the row shows the median round (for an even count, the lower of the middle two) with every ratio beside it.',
    '',
    '| worker processes | in-process floor, docs/s | gongkai, docs/s | ratio gongkai / floor | ratio per round | raw BullMQ chain, docs/s |',
    '|---|---|---|---|---|---|',
    ...results.headline.map(
      (row) =>
        `| ${row.processes} | ${row.floor.documentsPerSecond} | ${row.gongkai.documentsPerSecond} | **${row.ratio}** | ${row.rounds.map((each) => each.ratio).join(', ')} | ${row.raw.documentsPerSecond} |`,
    ),
    '',
    `Scaling from 1 to 2 worker processes: gongkai ×${results.scaling.gongkai}, floor ×${results.scaling.floor}, raw chain ×${results.scaling.raw}.`,
    '',
    'Cost per document while the documents drained, in the median round (CPU in ms; the machine has ' + results.machine.cpus + ' cores for workers, Postgres, Redis and this harness together):',
    '',
    '| run | worker processes | workers CPU | Postgres CPU | Redis CPU | Postgres transactions | Postgres bytes |',
    '|---|---|---|---|---|---|---|',
    ...results.headline.flatMap((row) => [
      `| in-process floor | ${row.processes} | ${row.floor.cpuMsPerDocument.workers} | ${row.floor.cpuMsPerDocument.postgres} | ${row.floor.cpuMsPerDocument.redis} | ${row.floor.postgresTransactionsPerDocument} | ${row.floor.postgresBytesPerDocument} |`,
      `| gongkai | ${row.processes} | ${row.gongkai.cpuMsPerDocument.workers} | ${row.gongkai.cpuMsPerDocument.postgres} | ${row.gongkai.cpuMsPerDocument.redis} | ${row.gongkai.postgresTransactionsPerDocument} | ${row.gongkai.postgresBytesPerDocument} |`,
      `| raw chain | ${row.processes} | ${row.raw.cpuMsPerDocument.workers} | ${row.raw.cpuMsPerDocument.postgres} | ${row.raw.cpuMsPerDocument.redis} | – | – |`,
    ]),
    '',
    '## Cost growth (2 worker processes)',
    '',
    '| documents | docs/s | reports/hour | Redis bytes per queued document | Postgres bytes per document | Postgres transactions per document |',
    '|---|---|---|---|---|---|',
    ...results.growth.map(
      (row) =>
        `| ${row.documents} | ${row.documentsPerSecond} | ${Math.round(row.documentsPerSecond * 3600)} | ${row.redisBytesPerQueuedDocument} | ${row.postgresBytesPerDocument} | ${row.postgresTransactionsPerDocument} |`,
    ),
    '',
    `## Where the time goes (${results.options.documents} documents, 1 worker process)`,
    '',
    '| stage | runs | mean ms | p50 ms | p95 ms | share of stage time |',
    '|---|---|---|---|---|---|',
    ...results.headline[0].gongkai.stages.map((row) => `| ${row.stage} | ${row.runs} | ${row.meanMs} | ${row.p50Ms} | ${row.p95Ms} | ${Math.round(row.shareOfTime * 100)}% |`),
    '',
  ];
  return lines.join('\n');
}

interface BenchResults {
  date: string;
  command: string;
  machine: { cpus: number; cpuModel: string; node: string };
  options: Options;
  headline: Array<{ processes: number; floor: InProcessFigures; raw: RunFigures; gongkai: PipelineFigures; ratio: number; rounds: Round[] }>;
  scaling: { gongkai: number; floor: number; raw: number };
  growth: PipelineFigures[];
}

interface Round {
  floor: InProcessFigures;
  gongkai: PipelineFigures;
  ratio: number;
}

/** One floor run and one gongkai run back to back; `floorFirst` alternates between rounds. */
async function runRound(documents: number, processes: number, floorFirst: boolean): Promise<Round> {
  const runFloor = async () => {
    const floor = await runInProcess(documents, processes);
    console.error(`in-process floor, ${processes} process(es): ${floor.documentsPerSecond} docs/s`);
    return floor;
  };
  const runGongkai = async () => {
    const gongkai = await runPipeline(documents, processes);
    console.error(`gongkai, ${processes} process(es): ${gongkai.documentsPerSecond} docs/s (${gongkai.published} published, ${gongkai.deadLettered} dead-lettered)`);
    return gongkai;
  };
  const floor = floorFirst ? await runFloor() : null;
  const gongkai = await runGongkai();
  const floorFigures = floor ?? (await runFloor());
  return { floor: floorFigures, gongkai, ratio: round(gongkai.documentsPerSecond / floorFigures.documentsPerSecond, 3) };
}

/** The round with the median ratio; for an even count, the lower of the middle two. */
function medianRound(rounds: Round[]): Round {
  return [...rounds].sort((a, b) => a.ratio - b.ratio)[Math.floor((rounds.length - 1) / 2)];
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const headline: BenchResults['headline'] = [];
  for (const processes of [1, 2]) {
    const raw = await runRawChain(options.documents, processes);
    console.error(`raw chain, ${processes} process(es): ${raw.documentsPerSecond} docs/s`);
    const rounds: Round[] = [];
    for (let index = 0; index < options.rounds; index++) rounds.push(await runRound(options.documents, processes, index % 2 === 0));
    const median = medianRound(rounds);
    headline.push({ processes, raw, ...median, rounds });
  }
  const growth: PipelineFigures[] = [];
  for (const size of options.sizes) {
    const figures = await runPipeline(size, 2);
    console.error(`gongkai, ${size} documents, 2 processes: ${figures.documentsPerSecond} docs/s`);
    growth.push(figures);
  }
  const results: BenchResults = {
    date: new Date().toISOString(),
    command: ['npm run bench:pipeline --', ...process.argv.slice(2)].join(' '),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', node: process.version },
    options,
    headline,
    scaling: {
      gongkai: round(headline[1].gongkai.documentsPerSecond / headline[0].gongkai.documentsPerSecond, 2),
      floor: round(headline[1].floor.documentsPerSecond / headline[0].floor.documentsPerSecond, 2),
      raw: round(headline[1].raw.documentsPerSecond / headline[0].raw.documentsPerSecond, 2),
    },
    growth,
  };
  fs.mkdirSync(options.outDir, { recursive: true });
  fs.writeFileSync(path.join(options.outDir, 'pipeline.json'), `${JSON.stringify(results, null, 2)}\n`);
  const report = markdown(results);
  fs.writeFileSync(path.join(options.outDir, 'pipeline.md'), report);
  console.log(report);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
