/**
 * `npm run bench:export` (issue 12 §4): the cells export of N reports (default 10,000) as CSV and as
 * XLSX from a real `gongkai serve`, while a probe asks /healthz every 100 ms, against the same probe
 * with no export running (the baseline, same run, same server).
 *
 *   npm run bench:export                    # 10,000 reports ≈ 2,000,000 cells
 *   npm run bench:export -- --reports 500   # CI size
 *
 * The reports are seeded straight into a fresh Postgres schema with SQL (no pipeline run): each with
 * every cell of the 2021 template (≈ 200: tables 二, 三 and 四), a division code from GB/T 2260, some
 * findings naming cells, and 2% of them second copies of an agency-year (so the counted flag has
 * work). The export asked for is every copy (`counted=0`), so all N reports are in it. Figures: probe
 * latency (worst, p99, p50), the server's peak RSS (VmRSS of its process and any children, sampled
 * every 100 ms), bytes, rows, durations; written to bench/results/export.{json,md}. The schema and
 * the queue prefix are removed afterwards.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../shared/config';
import { dropSchema, openDatabase } from '../shared/db/connect';
import { childDivisions, provinces, type Division } from '../shared/divisions';
import { deleteKeysMatching, freePort } from '../shared/redis';
import { MATRIX_TABLES, MATRIX_TEMPLATES, templateCells } from '../shared/template/templates';

const REPO_ROOT = path.resolve(__dirname, '..');
const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const TSX = require.resolve('tsx/cjs');
const VIEWER_TOKEN = `bench-${randomBytes(8).toString('hex')}`;
const PROBE_INTERVAL_MS = 100;
const IDLE_SECONDS = 10;

interface Options {
  reports: number;
  outDir: string;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { reports: 10_000, outDir: path.join(__dirname, 'results') };
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index];
    if (flag === '--reports') {
      options.reports = Number(argv[++index]);
      if (!Number.isInteger(options.reports) || options.reports < 1) throw new Error(`--reports needs a positive integer, got ${argv[index]}`);
    } else if (flag === '--out') options.outDir = path.resolve(argv[++index] ?? '');
    else throw new Error(`unknown option ${flag}`);
  }
  return options;
}

function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Every county-level division, for the seeded agencies' places. */
function counties(): Division[] {
  const found: Division[] = [];
  const walk = (division: Division) => {
    const children = childDivisions(division.code);
    if (division.level === 'county') found.push(division);
    children.forEach(walk);
  };
  provinces().forEach(walk);
  return found;
}

/**
 * N published reports with every cell of the 2021 template, a few findings each third report, 2% of
 * them later copies of another report's agency and year. Plain SQL over generate_series and arrays.
 */
async function seed(env: NodeJS.ProcessEnv, reports: number): Promise<{ cells: number; findings: number }> {
  const handle = await openDatabase(loadConfig(env));
  const { db } = handle;
  try {
    const model = MATRIX_TEMPLATES['2021'];
    const keys = MATRIX_TABLES.flatMap((table) => templateCells(model, table, undefined)).map((key) => {
      const [table, ...rest] = key.split('.');
      return { table, row: rest.slice(0, -1).join('.'), column: rest.at(-1)! };
    });
    const places = counties();
    const copies = Math.floor(reports * 0.02);
    const originals = reports - copies;
    // Agency i reports for the years 2021–2025; copy k repeats report k's agency and year, submitted later.
    await sql`
      insert into documents (sha256, file_name, media_type, size_bytes, status, current_stage, submitted_at, updated_at, published_at)
      select md5('bench' || n) || md5('report' || n), 'bench-' || n || '.txt', 'text/plain', 40000, 'published', 'publish',
        now() - make_interval(secs => ${reports} - n), now(), now()
      from generate_series(1, ${reports}) n`.execute(db);
    await sql`
      with numbered as (select id, row_number() over (order by submitted_at) as n from documents),
      assigned as (select id, n, case when n > ${originals} then n - ${originals} else n end as original from numbered),
      placed as (select id, n, original, (original - 1) / 5 as agency, 2021 + (original - 1) % 5 as year,
        (${places.map((place) => place.code)}::text[])[(1 + ((original - 1) / 5) % ${places.length})::int] as division_code,
        (${places.map((place) => place.fullName)}::text[])[(1 + ((original - 1) / 5) % ${places.length})::int] as place from assigned)
      insert into reports (document_id, schema_version, agency, agency_key, division_code, agency_full_name, year, template, script, published_on, record, round, pipeline_version)
      select id, 2, place || '第' || agency || '局', division_code || ':第' || agency || '局', division_code, place || '第' || agency || '局', year, '2021', 'simplified',
        year + 1 || '-01-20', '{}'::jsonb, 0, 1
      from placed`.execute(db);
    const keyColumns = sql`unnest(${keys.map((key) => key.table)}::text[], ${keys.map((key) => key.row)}::text[], ${keys.map((key) => key.column)}::text[])`;
    await sql`insert into cell_keys (table_name, row_key, column_key) select * from ${keyColumns} on conflict do nothing`.execute(db);
    await sql`
      insert into cell_values (document_id, key_id, position, page, line, value, raw, unit)
      select d.id, c.id, k.position - 1, 2, 10,
        case when k.column_key = 'amountWan' then (abs(hashtext(d.id::text || k.row_key)) % 100000) / 100.0
             when (abs(hashtext(d.id::text || k.row_key || k.column_key)) % 20) = 0 then null
             else abs(hashtext(d.id::text || k.row_key || k.column_key)) % 500 end,
        case when (abs(hashtext(d.id::text || k.row_key || k.column_key)) % 20) = 0 and k.column_key <> 'amountWan' then '/'
             else '' end,
        case when k.column_key = 'amountWan' then '万元' end
      from documents d
      cross join ${keyColumns} with ordinality as k(table_name, row_key, column_key, position)
      join cell_keys c on c.table_name = k.table_name and c.row_key = k.row_key and c.column_key = k.column_key`.execute(db);
    // What was printed: the number itself, where it is not a placeholder.
    await sql`update cell_values set raw = value::text where raw = ''`.execute(db);
    await sql`
      insert into findings (document_id, rule, severity, message, message_en, cells)
      select d.id, f.rule, f.severity, f.message, f.message_en, f.cells
      from (select id, row_number() over (order by submitted_at) as n from documents) d
      cross join (values
        ('APPLICATIONS_BALANCE', 'error', '一、本年新收 + 二、上年结转 ≠ (七)总计 + 四、结转下年度继续办理（自然人）', 'received + carried over ≠ handled + carried forward (natural persons)',
          '["applications.newReceived.naturalPerson", "applications.carriedOver.naturalPerson", "applications.totalHandled.naturalPerson", "applications.carriedForward.naturalPerson"]'::jsonb),
        ('SECTION_MISSING', 'warning', '缺少“五、存在的主要问题及改进情况”', 'section 五 missing', '[]'::jsonb)
      ) as f(rule, severity, message, message_en, cells)
      where d.n % 3 = 0`.execute(db);
    await sql`analyze`.execute(db);
    const count = async (table: 'cells' | 'findings') => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('count')).executeTakeFirstOrThrow()).count);
    return { cells: await count('cells'), findings: await count('findings') };
  } finally {
    await handle.close();
  }
}

/** Resident memory (kB) of a process and all its descendants, from /proc. */
function treeRssKb(rootPid: number): number {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process ended between listing and reading.
    }
  }
  const tree = new Set([rootPid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (!tree.has(parent) || tree.has(pid)) continue;
      tree.add(pid);
      grew = true;
    }
  }
  let kb = 0;
  for (const pid of tree) {
    try {
      const match = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      kb += match ? Number(match[1]) : 0;
    } catch {
      // Gone.
    }
  }
  return kb;
}

function get(url: string, onData?: (chunk: Buffer) => void): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { authorization: `Bearer ${VIEWER_TOKEN}` } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => (onData ? onData(chunk) : chunks.push(chunk)));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

/** Asks /healthz every 100 ms (a new ask only when the last has answered) and samples the server's RSS as often. */
class Probe {
  readonly latencies: number[] = [];
  readonly rssKb: number[] = [];
  private running = true;
  private readonly done: Promise<void>;

  constructor(base: string, serverPid: number) {
    const health = (async () => {
      while (this.running) {
        const started = performance.now();
        const answer = await get(`${base}/healthz`);
        if (answer.status !== 200) throw new Error(`/healthz answered ${answer.status}`);
        const latency = performance.now() - started;
        this.latencies.push(latency);
        await sleep(Math.max(0, PROBE_INTERVAL_MS - latency));
      }
    })();
    const memory = (async () => {
      while (this.running) {
        this.rssKb.push(treeRssKb(serverPid));
        await sleep(PROBE_INTERVAL_MS);
      }
    })();
    this.done = Promise.all([health, memory]).then(() => undefined);
  }

  async stop(): Promise<ProbeFigures> {
    this.running = false;
    await this.done;
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const percentile = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
    return {
      probes: sorted.length,
      worstMs: round(sorted.at(-1)!),
      p99Ms: round(percentile(99)),
      p50Ms: round(percentile(50)),
      over200Ms: sorted.filter((latency) => latency > 200).length,
      peakRssMb: round(Math.max(...this.rssKb) / 1024),
    };
  }
}

interface ProbeFigures {
  probes: number;
  worstMs: number;
  p99Ms: number;
  p50Ms: number;
  /** Probes that took longer than the 200 ms target. */
  over200Ms: number;
  /** The server's peak resident memory while the phase ran (its process and any children). */
  peakRssMb: number;
}

interface DownloadFigures extends ProbeFigures {
  format: 'csv' | 'xlsx';
  seconds: number;
  bytes: number;
  /** Data rows (CSV: lines after the header; XLSX: the same query, so the same count). */
  rows: number | null;
  firstByteMs: number;
}

async function download(base: string, serverPid: number, format: 'csv' | 'xlsx'): Promise<DownloadFigures> {
  const probe = new Probe(base, serverPid);
  const started = performance.now();
  let firstByteMs = 0;
  let bytes = 0;
  let lines = 0;
  let head = Buffer.alloc(0);
  const answer = await get(`${base}/api/export/cells.${format}?counted=0`, (chunk) => {
    if (bytes === 0) firstByteMs = performance.now() - started;
    if (head.length < 4) head = Buffer.concat([head, chunk]).subarray(0, 4);
    bytes += chunk.length;
    if (format === 'csv') for (let index = chunk.indexOf(10); index !== -1; index = chunk.indexOf(10, index + 1)) lines++;
  });
  const seconds = (performance.now() - started) / 1000;
  const figures = await probe.stop();
  if (answer.status !== 200) throw new Error(`cells.${format} answered ${answer.status}`);
  if (format === 'xlsx' && head.subarray(0, 2).toString() !== 'PK') throw new Error('the workbook is not a zip');
  return { format, seconds: round(seconds, 2), bytes, rows: format === 'csv' ? lines - 1 : null, firstByteMs: round(firstByteMs), ...figures };
}

function markdown(results: BenchResults): string {
  const { idle, csv, xlsx } = results;
  const row = (label: string, figures: ProbeFigures, extra: string) =>
    `| ${label} | ${figures.probes} | ${figures.p50Ms} | ${figures.p99Ms} | ${figures.worstMs} | ${figures.over200Ms} | ${figures.peakRssMb} | ${extra} |`;
  return [
    '# Export benchmark',
    '',
    `${results.date}, ${results.machine.cpus} × ${results.machine.cpuModel}, Node ${results.machine.node}, load average at start ${results.machine.loadAverage}. Command: \`${results.command}\`.`,
    '',
    `${results.seed.reports} reports, ${results.seed.cells} cells, ${results.seed.findings} findings (seeded in ${results.seed.seconds} s). Exported: every copy (\`counted=0\`).`,
    '',
    '| phase | probes | /healthz p50 ms | p99 ms | worst ms | probes > 200 ms | server peak RSS MB | download |',
    '|---|---|---|---|---|---|---|---|',
    row('idle (baseline)', idle, ''),
    row('cells CSV', csv, `${csv.rows} rows, ${round(csv.bytes / 1e6)} MB in ${csv.seconds} s (first byte ${csv.firstByteMs} ms)`),
    row('cells XLSX', xlsx, `${round(xlsx.bytes / 1e6)} MB in ${xlsx.seconds} s (first byte ${xlsx.firstByteMs} ms)`),
    '',
    `Against idle: p99 ×${results.ratios.csvP99} (CSV), ×${results.ratios.xlsxP99} (XLSX); peak RSS ×${results.ratios.csvRss} (CSV), ×${results.ratios.xlsxRss} (XLSX).`,
    '',
  ].join('\n');
}

interface BenchResults {
  date: string;
  command: string;
  machine: { cpus: number; cpuModel: string; node: string; loadAverage: string };
  seed: { reports: number; cells: number; findings: number; seconds: number };
  idle: ProbeFigures;
  csv: DownloadFigures;
  xlsx: DownloadFigures;
  ratios: { csvP99: number; xlsxP99: number; csvRss: number; xlsxRss: number };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const id = randomBytes(4).toString('hex');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `gongkai-bench-export-${id}-`));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    GONGKAI_DATA_DIR: dataDir,
    DATABASE_URL,
    GONGKAI_DB_SCHEMA: `gkbench_${id}`,
    REDIS_URL,
    GONGKAI_QUEUE_PREFIX: `gkbench-${id}`,
    GONGKAI_VIEWER_TOKEN: VIEWER_TOKEN,
    GONGKAI_WEB_PORT: String(port),
  };
  let server: ChildProcess | undefined;
  try {
    const loadAverage = os.loadavg().map((load) => load.toFixed(2)).join(' ');
    const seeding = performance.now();
    const seeded = await seed(env, options.reports);
    const seedSeconds = round((performance.now() - seeding) / 1000);
    console.error(`seeded ${options.reports} reports, ${seeded.cells} cells, ${seeded.findings} findings in ${seedSeconds} s`);

    server = fork(path.join(REPO_ROOT, 'cli/main.ts'), ['serve', '--workers', 'never'], { execArgv: ['--require', TSX], env: { ...process.env, ...env }, stdio: 'ignore' });
    const base = `http://127.0.0.1:${port}`;
    for (let ready = false; !ready; await sleep(200)) {
      if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}`);
      ready = await get(`${base}/readyz`).then((answer) => answer.status === 200, () => false);
    }
    // One small export first: the export code loads on first use; that is start-up, not the measurement.
    await get(`${base}/api/export/cells.csv?year=1900`);

    const idleProbe = new Probe(base, server.pid!);
    await sleep(IDLE_SECONDS * 1000);
    const idle = await idleProbe.stop();
    console.error(`idle: /healthz p99 ${idle.p99Ms} ms, worst ${idle.worstMs} ms; RSS ${idle.peakRssMb} MB`);
    const csv = await download(base, server.pid!, 'csv');
    console.error(`CSV: ${csv.rows} rows, ${csv.bytes} bytes in ${csv.seconds} s; /healthz p99 ${csv.p99Ms} ms, worst ${csv.worstMs} ms; peak RSS ${csv.peakRssMb} MB`);
    const xlsx = await download(base, server.pid!, 'xlsx');
    console.error(`XLSX: ${xlsx.bytes} bytes in ${xlsx.seconds} s; /healthz p99 ${xlsx.p99Ms} ms, worst ${xlsx.worstMs} ms; peak RSS ${xlsx.peakRssMb} MB`);
    if (csv.rows !== seeded.cells) throw new Error(`the CSV has ${csv.rows} rows for ${seeded.cells} cells`);

    const results: BenchResults = {
      date: new Date().toISOString(),
      command: ['npm run bench:export --', ...process.argv.slice(2)].join(' '),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', node: process.version, loadAverage },
      seed: { reports: options.reports, ...seeded, seconds: seedSeconds },
      idle,
      csv,
      xlsx,
      ratios: {
        csvP99: round(csv.p99Ms / idle.p99Ms, 2),
        xlsxP99: round(xlsx.p99Ms / idle.p99Ms, 2),
        csvRss: round(csv.peakRssMb / idle.peakRssMb, 2),
        xlsxRss: round(xlsx.peakRssMb / idle.peakRssMb, 2),
      },
    };
    fs.mkdirSync(options.outDir, { recursive: true });
    fs.writeFileSync(path.join(options.outDir, 'export.json'), `${JSON.stringify(results, null, 2)}\n`);
    const report = markdown(results);
    fs.writeFileSync(path.join(options.outDir, 'export.md'), report);
    console.log(report);
  } finally {
    if (server) await stop(server);
    await dropSchema(DATABASE_URL, env.GONGKAI_DB_SCHEMA!);
    await deleteKeysMatching(REDIS_URL, `${env.GONGKAI_QUEUE_PREFIX}:*`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
