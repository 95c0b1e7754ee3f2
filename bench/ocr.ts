/**
 * `npm run bench:ocr` (issue 4): pages per minute of gongkai's OCR stage against the native `tesseract`
 * CLI on the same pages in the same run, reported as a ratio; pages per minute with 1 and 2 workers;
 * peak RSS per worker; numeric-cell accuracy on the scan fixtures. Figures go to bench/results/ocr.json
 * and bench/results/ocr.md (also printed). No timed assertions: the figures are the output.
 *
 *   npm run bench:ocr                          # every upright scanned fixture page (10), once
 *   npm run bench:ocr -- --pages 4 --repeat 1   # CI size: the table pages of 001-nonzero-scan and 003
 *   npm run bench:ocr -- --repeat 3             # three rounds; medians
 *
 * Options: --pages N (first N pages of the order below), --repeat R, --no-rotated (skip the rotated PDF
 * pass), --no-pool2 (skip the one-process, pool-of-2 variant), --out DIR (default bench/results).
 *
 * gongkai side, as the pipeline runs it: each worker is its own process (bench/ocr-worker.ts) with a
 * TesseractPool of size 1 (GONGKAI_OCR_THREADS=1, the default), taking one page at a time from a shared
 * queue, each through `readScannedPage` as an ocr-page job does. The pool-2 variant is one process with
 * GONGKAI_OCR_THREADS=2 (pool of 2, two pages at once). Native side: bench/ocr-native.ts,
 * one single-threaded `tesseract` process per page (PSM 6, the same best_int model), 1 or 2 at a time.
 * Both sides OCR one page untimed first. The rotated PDF (orientation detection) is gongkai-only,
 * since native PSM 6 cannot turn pages, and is reported separately.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NONZERO_APPLICATIONS } from '../test/fixtures/parse/nonzero';
import { closePdfReader, parsedCellAccuracy, tableCellAccuracy, type CellScore, type ParsedScore } from './ocr-accuracy';
import type { ChildMessage, PageJob, ParentMessage, PeakRssParts } from './ocr-worker';
import { bestIntModel, fixturePages, measureNativeTesseract, tableNumbersReadInOrder, type FixturePage, type NativeTesseractMeasurement } from './ocr-native';

const REPO_ROOT = path.resolve(__dirname, '..');
const SCANS_DIR = path.join(REPO_ROOT, 'test/fixtures/scans');
const WORKER_SCRIPT = path.join(__dirname, 'ocr-worker.ts');
const OCR_WORKER_ALLOCATOR = { MALLOC_MMAP_THRESHOLD_: '1048576', MALLOC_ARENA_MAX: '2' };

// ---------------------------------------------------------------------------------------------
// Options, tools, machine

interface Options {
  pages: number | null;
  repeat: number;
  rotated: boolean;
  pool2: boolean;
  outDir: string;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { pages: null, repeat: 1, rotated: true, pool2: true, outDir: path.join(__dirname, 'results') };
  const positive = (flag: string, value: string | undefined): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1) throw new Error(`${flag} needs a positive integer, got ${value}`);
    return number;
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--pages') options.pages = positive(arg, argv[++i]);
    else if (arg === '--repeat') options.repeat = positive(arg, argv[++i]);
    else if (arg === '--no-rotated') options.rotated = false;
    else if (arg === '--no-pool2') options.pool2 = false;
    else if (arg === '--out') options.outDir = path.resolve(argv[++i]);
    else throw new Error(`unknown option ${arg} (options: --pages N, --repeat R, --no-rotated, --no-pool2, --out DIR)`);
  }
  return options;
}

const hasCommand = (command: string): boolean => {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** Fails early and plainly when the baseline's tools are missing (a fresh CI machine). */
function requireTools(): void {
  const needed: Array<[string, string]> = [
    ['tesseract', 'tesseract-ocr'],
    ['pdfimages', 'poppler-utils'],
    ['convert', 'imagemagick'],
  ];
  const missing = needed.filter(([command]) => !hasCommand(command));
  if (missing.length > 0) {
    throw new Error(
      `bench:ocr compares against native tesseract and needs ${missing.map(([command]) => `\`${command}\``).join(', ')} on PATH.\n` +
        `Install: apt-get install -y ${missing.map(([, pkg]) => pkg).join(' ')}${fs.existsSync('/usr/bin/time') ? '' : ' time'}`,
    );
  }
}

interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  platform: string;
  tesseract: string;
  tesseractJs: string;
  git: string;
  loadAverageStart: number[];
  loadAverageEnd?: number[];
}

function machineInfo(): MachineInfo {
  const version = (run: () => string): string => {
    try {
      return run();
    } catch {
      return 'unknown';
    }
  };
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    tesseract: version(() => execFileSync('tesseract', ['--version'], { encoding: 'utf8' }).split('\n')[0].trim()),
    tesseractJs: version(() => (JSON.parse(fs.readFileSync(require.resolve('tesseract.js/package.json'), 'utf8')) as { version: string }).version),
    git: version(() => {
      const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
      const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim() !== '';
      return dirty ? `${head} (uncommitted changes)` : head;
    }),
    loadAverageStart: os.loadavg().map((value) => round(value, 2)),
  };
}

const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

// ---------------------------------------------------------------------------------------------
// Pages

interface ManifestPage {
  page: number;
  kind: 'scan' | 'text';
  rotationDegrees?: number;
  hasTable: boolean;
}
interface ManifestFixture {
  file: string;
  format: 'pdf' | 'tiff';
  source: string;
  pages: ManifestPage[];
}
const manifest = (): ManifestFixture[] => (JSON.parse(fs.readFileSync(path.join(SCANS_DIR, 'manifest.json'), 'utf8')) as { fixtures: ManifestFixture[] }).fixtures;

interface BenchPage extends FixturePage {
  format: 'pdf' | 'tiff';
}

/**
 * Table pages first, fixture by fixture (001-nonzero-scan, 003, mixed), then the pages without tables: a
 * small `--pages` keeps whole tables (4 = the table pages of 001-nonzero-scan and 003).
 */
function orderPages(pages: FixturePage[], fixtures: ManifestFixture[]): BenchPage[] {
  const rank = (page: FixturePage): number => ['001-nonzero-scan.pdf', '003-scan.tif', '001-nonzero-mixed.pdf'].indexOf(page.fixture);
  const format = (page: FixturePage): 'pdf' | 'tiff' => fixtures.find((fixture) => fixture.file === page.fixture)!.format;
  return [...pages]
    .sort((a, b) => Number(b.hasTable) - Number(a.hasTable) || rank(a) - rank(b) || a.page - b.page)
    .map((page) => ({ ...page, format: format(page) }));
}

const jobFor = (page: { fixture: string; format: 'pdf' | 'tiff'; page: number }, id: number): PageJob => ({ id, file: path.join(SCANS_DIR, page.fixture), format: page.format, page: page.page });

// ---------------------------------------------------------------------------------------------
// gongkai side: worker processes

interface GongkaiPage {
  fixture: string;
  page: number;
  ms: number;
  rotation: number;
  skewDegrees: number;
  text: string;
}

interface GongkaiMeasurement {
  engine: 'gongkai (tesseract.js, ocrPage)';
  processes: number;
  poolSizePerProcess: number;
  pagesInFlightPerProcess: number;
  pages: number;
  wallMs: number;
  pagesPerMinute: number;
  msPerPage: { median: number; mean: number };
  /** CPU time of the worker processes (all their threads) over the timed pages, per page. */
  cpuMsPerPage: number;
  /** Peak RSS (VmHWM) of each worker process, MB. */
  peakRssMbPerProcess: number[];
  /** What each worker's peak is made of, as far as the process sees (bench/ocr-worker.ts `PeakRssParts`). */
  peakRssPartsPerProcess: PeakRssParts[];
  workerStartMs: number[];
  perPage: GongkaiPage[];
}

type WorkerStats = Omit<Extract<ChildMessage, { type: 'stats' }>, 'type'>;

class WorkerProcess {
  readonly child: ChildProcess;
  private readonly waiting = new Map<number, { resolve: (message: ChildMessage) => void; reject: (error: Error) => void }>();
  private readonly ready: Promise<number>;
  private stats: Promise<WorkerStats>;
  private failure: Error | null = null;

  constructor(poolSize: number) {
    this.child = fork(WORKER_SCRIPT, [JSON.stringify({ poolSize })], {
      execArgv: ['--require', require.resolve('tsx/cjs')],
      // The allocator settings the image runs OCR workers with (infra/Dockerfile).
      env: { ...process.env, ...OCR_WORKER_ALLOCATOR },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let readyResolve!: (ms: number) => void;
    let statsResolve!: (stats: WorkerStats) => void;
    let fail!: (error: Error) => void;
    const readyPromise = new Promise<number>((resolve, reject) => {
      readyResolve = resolve;
      fail = reject;
    });
    this.ready = readyPromise;
    this.stats = new Promise((resolve) => (statsResolve = resolve));
    this.child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') readyResolve(message.startMs);
      else if (message.type === 'stats') statsResolve(message);
      else {
        const waiter = this.waiting.get(message.id);
        this.waiting.delete(message.id);
        if (message.type === 'failed') waiter?.reject(new Error(`OCR worker failed on page ${message.id}: ${message.message}`));
        else waiter?.resolve(message);
      }
    });
    this.child.on('exit', (code, signal) => {
      if (code === 0) return;
      this.failure = new Error(`OCR worker process exited (${signal ?? code})`);
      fail(this.failure);
      for (const waiter of this.waiting.values()) waiter.reject(this.failure);
      this.waiting.clear();
    });
    void readyPromise.catch(() => undefined);
  }

  whenReady(): Promise<number> {
    return this.ready;
  }

  read(job: PageJob): Promise<Extract<ChildMessage, { type: 'done' }>> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.set(job.id, { resolve: resolve as (message: ChildMessage) => void, reject });
      this.child.send({ type: 'page', job } satisfies ParentMessage);
    });
  }

  /** Stops the worker and returns its peak RSS. */
  async finish(): Promise<WorkerStats> {
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'exit' } satisfies ParentMessage);
    const stats = await this.stats;
    await exited;
    return stats;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

async function measureGongkai(pages: BenchPage[], processes: number, poolSize = 1, inFlight = 1): Promise<GongkaiMeasurement> {
  const workers = Array.from({ length: processes }, () => new WorkerProcess(poolSize));
  try {
    const workerStartMs = (await Promise.all(workers.map((worker) => worker.whenReady()))).map((ms) => round(ms, 0));
    // Untimed warm-up page per process (native does the same once): model pages, JIT, image thread.
    const cpuAtStart = (await Promise.all(workers.map((worker) => worker.read(jobFor(pages[0], -1))))).map((done) => done.cpuMs);
    const cpuLatest = [...cpuAtStart];

    const results: GongkaiPage[] = new Array(pages.length);
    let next = 0;
    const started = process.hrtime.bigint();
    const lane = async (worker: WorkerProcess): Promise<void> => {
      while (next < pages.length) {
        const index = next++;
        const done = await worker.read(jobFor(pages[index], index));
        const w = workers.indexOf(worker);
        cpuLatest[w] = Math.max(cpuLatest[w], done.cpuMs);
        results[index] = {
          fixture: pages[index].fixture,
          page: pages[index].page,
          ms: round(done.ms, 0),
          rotation: done.rotation,
          skewDegrees: done.skewDegrees,
          text: done.text,
        };
      }
    };
    await Promise.all(workers.flatMap((worker) => Array.from({ length: inFlight }, () => lane(worker))));
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const stats = await Promise.all(workers.map((worker) => worker.finish()));
    const times = results.map((page) => page.ms);
    return {
      engine: 'gongkai (tesseract.js, ocrPage)',
      processes,
      poolSizePerProcess: poolSize,
      pagesInFlightPerProcess: inFlight,
      pages: pages.length,
      wallMs: round(wallMs, 0),
      pagesPerMinute: round((pages.length * 60_000) / wallMs),
      msPerPage: { median: round(median(times), 0), mean: round(times.reduce((sum, ms) => sum + ms, 0) / times.length, 0) },
      cpuMsPerPage: round(cpuLatest.reduce((sum, cpu, w) => sum + cpu - cpuAtStart[w], 0) / pages.length, 0),
      peakRssMbPerProcess: stats.map((stat) => round(stat.peakRssKb / 1024)),
      peakRssPartsPerProcess: stats.map((stat) => stat.peakParts),
      workerStartMs,
      perPage: results,
    };
  } finally {
    for (const worker of workers) worker.kill();
  }
}

// ---------------------------------------------------------------------------------------------
// Accuracy

interface AccuracyReport {
  /** Numeric table cells read exactly and in order, per fixture with all its table pages in the run. */
  tableCells: Array<{ fixture: string; pages: number[] } & CellScore>;
  /** Through extract → normalize → parse, per fixture with all its scanned pages in the run. */
  parsedCells: Array<{ fixture: string } & ParsedScore>;
  /** 001-nonzero's 175-number applications table from whole-page text (tableNumbersReadInOrder), both engines. */
  applicationsInOrder: Array<{ fixture: string; engine: 'gongkai' | 'native'; correct: number; total: number; rowsExact: number; rows: number }>;
}

async function measureAccuracy(
  fixtures: ManifestFixture[],
  gongkaiText: (fixture: string, page: number) => string | undefined,
  nativeText: (fixture: string, page: number) => string | undefined,
): Promise<AccuracyReport> {
  const report: AccuracyReport = { tableCells: [], parsedCells: [], applicationsInOrder: [] };
  for (const fixture of fixtures) {
    const tablePages = fixture.pages.filter((page) => page.hasTable).map((page) => page.page);
    const tableTexts = tablePages.map((page) => gongkaiText(fixture.file, page));
    if (tableTexts.every((text): text is string => text !== undefined)) {
      report.tableCells.push({ fixture: fixture.file, pages: tablePages, ...tableCellAccuracy(fixture.source, tableTexts) });
      const applications = Object.values(NONZERO_APPLICATIONS);
      if (fixture.source.endsWith('001-nonzero.txt')) {
        report.applicationsInOrder.push({ fixture: fixture.file, engine: 'gongkai', ...tableNumbersReadInOrder(tableTexts.join('\n'), applications) });
        const nativeTexts = tablePages.map((page) => nativeText(fixture.file, page));
        if (nativeTexts.every((text): text is string => text !== undefined)) {
          report.applicationsInOrder.push({ fixture: fixture.file, engine: 'native', ...tableNumbersReadInOrder(nativeTexts.join('\n'), applications) });
        }
      }
    }
    const scanned = fixture.pages.filter((page) => page.kind === 'scan').map((page) => page.page);
    if (scanned.every((page) => gongkaiText(fixture.file, page) !== undefined)) {
      report.parsedCells.push({ fixture: fixture.file, ...(await parsedCellAccuracy(path.join(SCANS_DIR, fixture.file), fixture.source, (page) => gongkaiText(fixture.file, page))) });
    }
  }
  await closePdfReader();
  return report;
}

// ---------------------------------------------------------------------------------------------
// Report

type NativeRun = Omit<NativeTesseractMeasurement, 'perPage'> & { perPage: Array<Omit<NativeTesseractMeasurement['perPage'][number], 'text'>> };
type GongkaiRun = Omit<GongkaiMeasurement, 'perPage'> & { perPage: Array<Omit<GongkaiPage, 'text'>> };

interface Round {
  native: Record<string, NativeRun>;
  gongkai: Record<string, GongkaiRun>;
  /** gongkai pages/min ÷ native pages/min, same number of workers/processes, this round. */
  ratio: Record<string, number>;
  /** native CPU ms per page ÷ gongkai CPU ms per page, this round (1 and 2 workers pooled): the pages/min ratio an otherwise idle machine would show. */
  cpuRatio: number | null;
  /** Native with 2 processes was less than 1.5× as fast as with 1: something else was using a core. */
  busy: boolean;
}

interface BenchResult {
  benchmark: 'ocr';
  issue: 4;
  startedAt: string;
  durationS: number;
  command: string;
  machine: MachineInfo;
  options: { pages: number; repeat: number; rotated: boolean; pool2: boolean };
  pages: Array<{ fixture: string; page: number; hasTable: boolean }>;
  nativeCommand: string;
  nativeModel: ReturnType<typeof bestIntModel>;
  summary: {
    ratioAt2: number;
    ratioAt1: number;
    /** Median of the rounds' CPU-time ratios (see Round.cpuRatio). */
    cpuRatio: number | null;
    gongkaiCpuMsPerPage: number;
    nativeCpuMsPerPage: number | null;
    gongkaiPagesPerMinute: Record<string, number>;
    nativePagesPerMinute: Record<string, number>;
    gongkaiPeakRssMbPerWorker: { median: number; max: number };
    nativePeakRssMbPerProcess: { median: number; max: number };
    /** Page texts identical in every gongkai run (the engine is deterministic; a difference means a bug or a race). */
    gongkaiTextsStable: boolean;
  };
  rounds: Round[];
  rotated?: { fixture: string; run: GongkaiRun; rotations: Array<{ page: number; expected: number; detected: number; correct: boolean }> };
  accuracy: AccuracyReport;
}

const stripText = <T extends { text?: string }>(page: T): Omit<T, 'text'> => {
  const { text: _text, ...rest } = page;
  void _text;
  return rest;
};

function markdown(result: BenchResult): string {
  const { machine, summary } = result;
  const lines: string[] = [];
  const pct = (correct: number, total: number): string => `${correct} / ${total} (${total === 0 ? '–' : round((100 * correct) / total)} %)`;
  lines.push(`# OCR benchmark (\`npm run bench:ocr\`)`, '');
  lines.push(
    `${result.startedAt} · ${result.options.pages} pages × ${result.options.repeat} round${result.options.repeat > 1 ? 's' : ''} · ${result.durationS} s · \`${result.command}\``,
    '',
  );
  lines.push(
    `**gongkai ÷ native tesseract, pages per minute: ${summary.ratioAt2} with 2 workers/processes, ${summary.ratioAt1} with 1** (same pages, same run${result.options.repeat > 1 ? `, median of ${result.options.repeat} rounds` : ''}).`,
    '',
  );
  if (summary.cpuRatio !== null) {
    lines.push(
      `CPU time per page: gongkai ${summary.gongkaiCpuMsPerPage} ms, native ${summary.nativeCpuMsPerPage} ms — **ratio ${summary.cpuRatio}** (native ÷ gongkai; what pages/min would show with one worker per idle core, and much less sensitive to other load than wall clock).`,
      '',
    );
  }
  const busy = result.rounds.filter((r) => r.busy).length;
  if (busy > 0) {
    lines.push(
      `⚠ In ${busy} of ${result.rounds.length} round${result.rounds.length > 1 ? 's' : ''} native tesseract with 2 processes was under 1.5× its 1-process speed: other work was using a core, so the 2-worker figures of ${busy > 1 ? 'those rounds' : 'that round'} understate both sides unevenly. Prefer the CPU-time ratio, or re-run on a quiet machine.`,
      '',
    );
  }
  lines.push('| side | workers | pages/min | ms/page (median) | CPU ms/page | peak RSS per worker |', '|---|---|---|---|---|---|');
  const last = result.rounds;
  const rssList = (values: number[]): string => `${values.map((value) => `${value}`).join(', ')} MB`;
  const keys = Object.keys(last[0].gongkai);
  for (const processes of ['1', '2']) {
    const natives = last.map((r) => r.native[processes]).filter(Boolean);
    if (natives.length > 0) {
      lines.push(
        `| native tesseract (1 thread/process) | ${processes} | ${natives.map((n) => n.pagesPerMinute).join(', ')} | ${median(natives.map((n) => n.msPerPage.median))} | ${natives.map((n) => n.cpuMsPerPage ?? '–').join(', ')} | median ${median(natives.map((n) => n.peakRssMb.median))} MB, max ${Math.max(...natives.map((n) => n.peakRssMb.max))} MB |`,
      );
    }
    const gongkais = last.map((r) => r.gongkai[processes]).filter(Boolean);
    if (gongkais.length > 0) {
      lines.push(
        `| gongkai (process per worker, pool 1) | ${processes} | ${gongkais.map((g) => g.pagesPerMinute).join(', ')} | ${median(gongkais.map((g) => g.msPerPage.median))} | ${gongkais.map((g) => g.cpuMsPerPage).join(', ')} | ${rssList(gongkais.flatMap((g) => g.peakRssMbPerProcess))} |`,
      );
    }
  }
  for (const key of keys.filter((key) => key.startsWith('pool'))) {
    const runs = last.map((r) => r.gongkai[key]);
    lines.push(`| gongkai (1 process, GONGKAI_OCR_THREADS=2: pool 2, 2 pages at once) | 2 | ${runs.map((g) => g.pagesPerMinute).join(', ')} | ${median(runs.map((g) => g.msPerPage.median))} | ${runs.map((g) => g.cpuMsPerPage).join(', ')} | ${rssList(runs.flatMap((g) => g.peakRssMbPerProcess))} |`);
  }
  lines.push('');
  const parts = last.flatMap((r) => Object.values(r.gongkai)).flatMap((run) => run.peakRssPartsPerProcess);
  if (parts.length > 0) {
    const span = (pick: (part: PeakRssParts) => number): string => {
      const values = parts.map(pick);
      return `${Math.min(...values)}–${Math.max(...values)}`;
    };
    lines.push(
      `Peak RSS per gongkai worker, the parts the process sees (MB, range over the workers above): tesseract.js WebAssembly memory ${span((p) => p.wasmMb)}, ` +
        `main-thread JS heap ${span((p) => p.mainHeapMb)} and buffers ${span((p) => p.mainBuffersMb)} at the highest RSS sample, code and libraries ${span((p) => p.codeMb)}; ` +
        'the rest is the tesseract.js and PDF image threads\' heaps and what the native allocator holds.',
      '',
    );
  }
  if (result.options.repeat > 1) {
    lines.push(`Ratios per round: at 2 ${last.map((r) => r.ratio['2']).join(', ')}; at 1 ${last.map((r) => r.ratio['1']).join(', ')}; CPU ${last.map((r) => r.cpuRatio ?? '–').join(', ')}.`, '');
  }
  lines.push(
    `Pages/min is wall clock over all pages (after one untimed warm-up page per process); ms/page is per page as one worker sees it. gongkai's pages go through the ocr-page job's \`readScannedPage\` (page image out of the PDF/TIFF, then \`ocrPage\`); native reads pre-extracted PNGs. gongkai texts identical across runs: ${summary.gongkaiTextsStable ? 'yes' : '**no**'}.`,
    '',
  );

  lines.push('## Accuracy (gongkai)', '');
  lines.push('| fixture | table pages | numeric cells read exactly, in order | numeric cells output | whole sequence exact |', '|---|---|---|---|---|');
  for (const score of result.accuracy.tableCells) lines.push(`| ${score.fixture} | ${score.pages.join(', ')} | ${pct(score.correct, score.total)} | ${score.read} | ${score.exact ? 'yes' : 'no'} |`);
  if (result.accuracy.parsedCells.length > 0) {
    lines.push('', 'Through the pipeline (extract → OCR → normalize → parse), numeric table cells equal to the parse of the source text:', '');
    lines.push('| fixture | all tables | applications | active | review/litigation |', '|---|---|---|---|---|');
    for (const score of result.accuracy.parsedCells) {
      const t = score.perTable;
      lines.push(
        `| ${score.fixture} | ${pct(score.correct, score.total)}${score.error ? ` — parse failed: ${score.error}` : ''} | ${t.applications.correct} / ${t.applications.total} | ${t.active.correct} / ${t.active.total} | ${t.reviewLitigation.correct} / ${t.reviewLitigation.total} |`,
      );
    }
  }
  if (result.accuracy.applicationsInOrder.length > 0) {
    lines.push('', "Reference, both engines: 001-nonzero's applications table (175 numbers) from the table pages' text, numbers in order (`tableNumbersReadInOrder`; native = whole page, PSM 6):", '');
    lines.push('| fixture | engine | numbers right, in order | rows exact |', '|---|---|---|---|');
    for (const score of result.accuracy.applicationsInOrder) lines.push(`| ${score.fixture} | ${score.engine} | ${pct(score.correct, score.total)} | ${score.rowsExact} / ${score.rows} |`);
  }
  lines.push('');

  if (result.rotated) {
    const { run, rotations } = result.rotated;
    lines.push(`## Rotated pages (gongkai only; native PSM 6 does not turn pages)`, '');
    lines.push(
      `${result.rotated.fixture}, ${run.pages} pages, ${run.processes} workers: ${run.pagesPerMinute} pages/min, ms/page median ${run.msPerPage.median}, peak RSS ${rssList(run.peakRssMbPerProcess)}. ` +
        `Turns detected: ${rotations.map((r) => `p${r.page} ${r.detected}°${r.correct ? '' : ` (expected ${r.expected}°)`}`).join(', ')}.`,
      '',
    );
  }

  lines.push('## Machine', '');
  lines.push(
    `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, ${machine.platform}; Node ${machine.node}; tesseract.js ${machine.tesseractJs}; ${machine.tesseract}; git ${machine.git}.`,
    `Load average (1, 5, 15 min) at start ${machine.loadAverageStart.join(', ')}, at end ${machine.loadAverageEnd?.join(', ')}.`,
    '',
    `Native command per page: \`${result.nativeCommand}\` (model ${result.nativeModel.source}).`,
    '',
  );
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  requireTools();
  const startedAt = new Date();
  const machine = machineInfo();
  const fixtures = manifest();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-bench-ocr-'));
  try {
    const allPages = orderPages(fixturePages(workDir), fixtures);
    const pages = allPages.slice(0, options.pages ?? allPages.length);
    const model = bestIntModel();
    const log = (message: string): void => console.error(`[bench:ocr] ${message}`);
    log(`${pages.length} pages: ${pages.map((page) => `${page.fixture} p${page.page}`).join(', ')}`);

    const rounds: Round[] = [];
    const gongkaiTexts = new Map<string, Set<string>>();
    const nativeTexts = new Map<string, string>();
    const keep = (fixture: string, page: number, text: string): void => {
      const key = `${fixture}#${page}`;
      if (!gongkaiTexts.has(key)) gongkaiTexts.set(key, new Set());
      gongkaiTexts.get(key)!.add(text);
    };
    let nativeCommand = '';
    for (let repeat = 0; repeat < options.repeat; repeat += 1) {
      const round: Round = { native: {}, gongkai: {}, ratio: {}, cpuRatio: null, busy: false };
      // Alternate sides so neither always runs first (warmer caches, cooler machine).
      for (const processes of [1, 2]) {
        const nativeFirst = (repeat + processes) % 2 === 1;
        const runNative = async (): Promise<void> => {
          log(`round ${repeat + 1}: native tesseract, ${processes} process(es)`);
          const native = await measureNativeTesseract(
            pages.map((page) => page.file),
            processes,
            { model, keepText: true },
          );
          nativeCommand = native.command;
          native.perPage.forEach((page, index) => nativeTexts.set(`${pages[index].fixture}#${pages[index].page}`, page.text ?? ''));
          round.native[String(processes)] = { ...native, perPage: native.perPage.map(stripText) };
        };
        const runGongkai = async (): Promise<void> => {
          log(`round ${repeat + 1}: gongkai, ${processes} worker process(es)`);
          const gongkai = await measureGongkai(pages, processes);
          for (const page of gongkai.perPage) keep(page.fixture, page.page, page.text);
          round.gongkai[String(processes)] = { ...gongkai, perPage: gongkai.perPage.map(stripText) };
        };
        if (nativeFirst) {
          await runNative();
          await runGongkai();
        } else {
          await runGongkai();
          await runNative();
        }
        round.ratio[String(processes)] = round3(round.gongkai[String(processes)].pagesPerMinute / round.native[String(processes)].pagesPerMinute);
      }
      const nativeCpu = ['1', '2'].map((key) => round.native[key].cpuMsPerPage);
      if (nativeCpu.every((cpu): cpu is number => cpu !== null)) {
        round.cpuRatio = round3(median(nativeCpu) / median(['1', '2'].map((key) => round.gongkai[key].cpuMsPerPage)));
      }
      round.busy = round.native['2'].pagesPerMinute < 1.5 * round.native['1'].pagesPerMinute && pages.length >= 4;
      if (options.pool2) {
        log(`round ${repeat + 1}: gongkai, 1 process with a pool of 2`);
        const pooled = await measureGongkai(pages, 1, 2, 2);
        for (const page of pooled.perPage) keep(page.fixture, page.page, page.text);
        round.gongkai.pool2 = { ...pooled, perPage: pooled.perPage.map(stripText) };
      }
      rounds.push(round);
    }

    let rotated: BenchResult['rotated'];
    const rotatedFixture = fixtures.find((fixture) => fixture.pages.some((page) => (page.rotationDegrees ?? 0) !== 0));
    if (options.rotated && rotatedFixture) {
      const rotatedPages: BenchPage[] = rotatedFixture.pages
        .filter((page) => page.kind === 'scan')
        .slice(0, options.pages ?? Infinity)
        .map((page) => ({ file: '', fixture: rotatedFixture.file, page: page.page, hasTable: page.hasTable, format: rotatedFixture.format }));
      log(`gongkai, 2 worker processes, ${rotatedFixture.file} (${rotatedPages.length} pages)`);
      const run = await measureGongkai(rotatedPages, 2);
      for (const page of run.perPage) keep(page.fixture, page.page, page.text);
      rotated = {
        fixture: rotatedFixture.file,
        run: { ...run, perPage: run.perPage.map(stripText) },
        rotations: run.perPage.map((page) => {
          // The fixture turned the image clockwise by rotationDegrees; turning it back is the rest of the circle.
          const turned = rotatedFixture.pages.find((plan) => plan.page === page.page)?.rotationDegrees ?? 0;
          const expected = (360 - turned) % 360;
          return { page: page.page, expected, detected: page.rotation, correct: page.rotation === expected };
        }),
      };
    }

    log('accuracy');
    const textOf = (fixture: string, page: number): string | undefined => {
      const texts = gongkaiTexts.get(`${fixture}#${page}`);
      return texts === undefined ? undefined : [...texts][0];
    };
    const accuracy = await measureAccuracy(fixtures, textOf, (fixture, page) => nativeTexts.get(`${fixture}#${page}`));

    const gongkaiRuns = rounds.flatMap((r) => ['1', '2'].map((key) => r.gongkai[key]));
    const nativeRuns = rounds.flatMap((r) => Object.values(r.native));
    const gongkaiRss = gongkaiRuns.flatMap((run) => run.peakRssMbPerProcess);
    const nativeRss = nativeRuns.flatMap((run) => run.perPage.map((page) => page.peakRssMb));
    const medianRate = (pick: (r: Round) => { pagesPerMinute: number } | undefined): number =>
      round(median(rounds.map(pick).flatMap((run) => (run === undefined ? [] : [run.pagesPerMinute]))));
    machine.loadAverageEnd = os.loadavg().map((value) => round(value, 2));
    const result: BenchResult = {
      benchmark: 'ocr',
      issue: 4,
      startedAt: startedAt.toISOString(),
      durationS: round((Date.now() - startedAt.getTime()) / 1000, 0),
      command: ['npm run bench:ocr', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
      machine,
      options: { pages: pages.length, repeat: options.repeat, rotated: options.rotated, pool2: options.pool2 },
      pages: pages.map(({ fixture, page, hasTable }) => ({ fixture, page, hasTable })),
      nativeCommand,
      nativeModel: model,
      summary: {
        ratioAt2: round3(median(rounds.map((r) => r.ratio['2']))),
        ratioAt1: round3(median(rounds.map((r) => r.ratio['1']))),
        cpuRatio: rounds.every((r) => r.cpuRatio !== null) ? round3(median(rounds.map((r) => r.cpuRatio!))) : null,
        gongkaiCpuMsPerPage: round(median(gongkaiRuns.map((run) => run.cpuMsPerPage)), 0),
        nativeCpuMsPerPage: nativeRuns.every((run) => run.cpuMsPerPage !== null) ? round(median(nativeRuns.map((run) => run.cpuMsPerPage!)), 0) : null,
        gongkaiPagesPerMinute: Object.fromEntries(Object.keys(rounds[0].gongkai).map((key) => [key, medianRate((r) => r.gongkai[key])])),
        nativePagesPerMinute: Object.fromEntries(Object.keys(rounds[0].native).map((key) => [key, medianRate((r) => r.native[key])])),
        gongkaiPeakRssMbPerWorker: { median: round(median(gongkaiRss)), max: round(Math.max(...gongkaiRss)) },
        nativePeakRssMbPerProcess: { median: round(median(nativeRss)), max: round(Math.max(...nativeRss)) },
        gongkaiTextsStable: [...gongkaiTexts.values()].every((texts) => texts.size === 1),
      },
      rounds,
      ...(rotated ? { rotated } : {}),
      accuracy,
    };
    const report = markdown(result);
    fs.mkdirSync(options.outDir, { recursive: true });
    fs.writeFileSync(path.join(options.outDir, 'ocr.json'), `${JSON.stringify(result, null, 2)}\n`);
    fs.writeFileSync(path.join(options.outDir, 'ocr.md'), report);
    console.log(report);
    log(`wrote ${path.relative(process.cwd(), path.join(options.outDir, 'ocr.json'))} and ocr.md`);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

const round3 = (value: number): number => round(value, 3);

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
