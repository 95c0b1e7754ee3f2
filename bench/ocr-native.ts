/**
 * Baseline for the OCR benchmark (issue 4): Debian's native `tesseract` CLI over the scan fixtures'
 * page images, one single-threaded process per page (OMP_THREAD_LIMIT=1), with 1 or N processes
 * running at once. Measures pages per minute and each process's peak RSS.
 *
 *   npx tsx bench/ocr-native.ts [--processes 1,2] [--repeat 1] [--dpi 300] [--debian-model] [--text] [page images…]
 *
 * Without page images it extracts them from test/fixtures/scans/ (see fixturePages()). Prints JSON.
 *
 * The model is the one tesseract.js loads: `@tesseract.js-data/chi_sim`'s `4.0.0_best_int`
 * traineddata, gunzipped into a temp directory and passed with --tessdata-dir. Debian's own
 * tesseract-ocr-chi-sim (1:4.1.0) file is a different model (same network spec, different LSTM
 * weights and config), so it is used only with --debian-model. `--oem 1` (LSTM only) matches
 * tesseract.js's OEM.LSTM_ONLY.
 *
 * Needs: apt-get install tesseract-ocr time poppler-utils imagemagick (GNU time for peak RSS;
 * without it RSS is sampled from /proc, which can miss a short peak).
 */
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { longestCommonSubsequence } from './ocr-accuracy';

const REPO_ROOT = path.resolve(__dirname, '..');
const SCANS_DIR = path.join(REPO_ROOT, 'test/fixtures/scans');
const NPM_MODEL = path.join(REPO_ROOT, 'node_modules/@tesseract.js-data/chi_sim/4.0.0_best_int/chi_sim.traineddata.gz');
const DEBIAN_TESSDATA = '/usr/share/tesseract-ocr/5/tessdata';
const GNU_TIME = '/usr/bin/time';

export interface TessdataModel {
  /** Directory passed as --tessdata-dir (null: tesseract's built-in default, Debian's file). */
  tessdataDir: string | null;
  source: string;
  sha256: string;
}

export interface NativeTesseractOptions {
  model?: TessdataModel;
  lang?: string;
  psm?: number;
  /** Passed as --dpi; by default tesseract reads the image's resolution or estimates it. */
  dpi?: number;
  /** OCR one page once before timing, so the binary and model are in the page cache. */
  warmUp?: boolean;
  /** Keep each page's recognised text in the result. */
  keepText?: boolean;
  tesseractPath?: string;
}

export interface NativePageResult {
  file: string;
  ms: number;
  peakRssMb: number;
  rssSource: 'gnu-time' | 'proc-sampling';
  /** User + system CPU time of the process (GNU time; null when sampling /proc). */
  cpuMs: number | null;
  text?: string;
}

export interface NativeTesseractMeasurement {
  engine: 'tesseract (native CLI)';
  tesseractVersion: string;
  model: TessdataModel;
  command: string;
  processes: number;
  pages: number;
  wallMs: number;
  pagesPerMinute: number;
  msPerPage: { median: number; mean: number };
  peakRssMb: { median: number; max: number };
  /** CPU time per page (user + system, GNU time), less sensitive than wall clock to other load; null without GNU time. */
  cpuMsPerPage: number | null;
  perPage: NativePageResult[];
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;
const sha256 = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** tesseract.js's chi_sim model (npm `4.0.0_best_int`), unpacked once into a temp tessdata dir. */
export function bestIntModel(): TessdataModel {
  const packed = fs.readFileSync(NPM_MODEL);
  const digest = crypto.createHash('sha256').update(packed).digest('hex');
  const dir = path.join(os.tmpdir(), `gongkai-tessdata-best_int-${digest.slice(0, 12)}`);
  const file = path.join(dir, 'chi_sim.traineddata');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    fs.writeFileSync(partial, zlib.gunzipSync(packed));
    fs.renameSync(partial, file);
  }
  return { tessdataDir: dir, source: path.relative(REPO_ROOT, NPM_MODEL), sha256: sha256(file) };
}

export function debianModel(): TessdataModel {
  return { tessdataDir: null, source: `${DEBIAN_TESSDATA}/chi_sim.traineddata (Debian tesseract-ocr-chi-sim)`, sha256: sha256(`${DEBIAN_TESSDATA}/chi_sim.traineddata`) };
}

function tesseractArgs(image: string, options: Required<Pick<NativeTesseractOptions, 'lang' | 'psm'>> & NativeTesseractOptions, model: TessdataModel): string[] {
  return [
    image,
    'stdout',
    ...(model.tessdataDir ? ['--tessdata-dir', model.tessdataDir] : []),
    '-l',
    options.lang,
    '--oem',
    '1',
    '--psm',
    String(options.psm),
    ...(options.dpi ? ['--dpi', String(options.dpi)] : []),
  ];
}

const hasGnuTime = (): boolean => fs.existsSync(GNU_TIME);

/** Reads VmHWM (peak resident set) of a live process, in kB; null once it has gone. */
function readPeakRssKb(pid: number): number | null {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Runs one tesseract process on one page; resolves with its time, peak RSS and text. */
function ocrOnePage(image: string, args: string[], tesseractPath: string): Promise<{ ms: number; peakRssKb: number; cpuMs: number | null; rssSource: NativePageResult['rssSource']; text: string }> {
  const env = { ...process.env, OMP_THREAD_LIMIT: '1' };
  const gnuTime = hasGnuTime();
  const rssFile = gnuTime ? path.join(os.tmpdir(), `gongkai-ocr-rss-${process.pid}-${crypto.randomUUID()}`) : null;
  const [command, commandArgs] = rssFile ? [GNU_TIME, ['-f', '%M %U %S', '-o', rssFile, tesseractPath, ...args]] : [tesseractPath, args];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, commandArgs, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    let sampledKb = 0;
    const sampler = rssFile
      ? null
      : setInterval(() => {
          const kb = child.pid === undefined ? null : readPeakRssKb(child.pid);
          if (kb !== null) sampledKb = Math.max(sampledKb, kb);
        }, 20);
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (sampler) clearInterval(sampler);
      if (code !== 0) {
        reject(new Error(`tesseract exited ${code} on ${image}: ${Buffer.concat(stderr).toString('utf8').slice(-500)}`));
        return;
      }
      let peakRssKb = sampledKb;
      let cpuMs: number | null = null;
      if (rssFile) {
        const [rssKb, userS, systemS] = (fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop() ?? '').split(' ').map(Number);
        peakRssKb = rssKb;
        cpuMs = (userS + systemS) * 1000;
        fs.rmSync(rssFile, { force: true });
      }
      resolve({ ms, peakRssKb, cpuMs, rssSource: rssFile ? 'gnu-time' : 'proc-sampling', text: Buffer.concat(stdout).toString('utf8') });
    });
  });
}

/**
 * OCRs `pages` (image files) with native tesseract, `processes` single-threaded processes at a time
 * (one process per page, as a CLI baseline would), and measures throughput and memory.
 */
export async function measureNativeTesseract(
  pages: string[],
  processes: number,
  options: NativeTesseractOptions = {},
): Promise<NativeTesseractMeasurement> {
  if (pages.length === 0) throw new Error('no pages to OCR');
  if (!Number.isInteger(processes) || processes < 1) throw new Error(`processes must be a positive integer, got ${processes}`);
  const settings = { lang: 'chi_sim', psm: 6, warmUp: true, keepText: false, tesseractPath: 'tesseract', ...options };
  const model = settings.model ?? bestIntModel();
  const argsFor = (image: string) => tesseractArgs(image, settings, model);
  const tesseractVersion = execFileSync(settings.tesseractPath, ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();

  if (settings.warmUp) await ocrOnePage(pages[0], argsFor(pages[0]), settings.tesseractPath);

  const results: NativePageResult[] = new Array(pages.length);
  let next = 0;
  const started = process.hrtime.bigint();
  const lane = async (): Promise<void> => {
    while (next < pages.length) {
      const index = next++;
      const page = await ocrOnePage(pages[index], argsFor(pages[index]), settings.tesseractPath);
      results[index] = {
        file: pages[index],
        ms: round(page.ms, 0),
        peakRssMb: round(page.peakRssKb / 1024),
        rssSource: page.rssSource,
        cpuMs: page.cpuMs === null ? null : round(page.cpuMs, 0),
        ...(settings.keepText ? { text: page.text } : {}),
      };
    }
  };
  await Promise.all(Array.from({ length: Math.min(processes, pages.length) }, lane));
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;

  const times = results.map((result) => result.ms);
  const rss = results.map((result) => result.peakRssMb);
  return {
    engine: 'tesseract (native CLI)',
    tesseractVersion,
    model,
    command: `OMP_THREAD_LIMIT=1 ${settings.tesseractPath} PAGE stdout ${argsFor('PAGE').slice(2).join(' ')}`,
    processes,
    pages: pages.length,
    wallMs: round(wallMs, 0),
    pagesPerMinute: round((pages.length * 60_000) / wallMs),
    msPerPage: { median: round(median(times), 0), mean: round(times.reduce((sum, ms) => sum + ms, 0) / times.length, 0) },
    peakRssMb: { median: round(median(rss)), max: round(Math.max(...rss)) },
    cpuMsPerPage: results.every((result) => result.cpuMs !== null) ? round(results.reduce((sum, result) => sum + (result.cpuMs ?? 0), 0) / results.length, 0) : null,
    perPage: results,
  };
}

// ---------------------------------------------------------------------------------------------
// Fixture pages

export interface FixturePage {
  file: string;
  fixture: string;
  page: number;
  hasTable: boolean;
}

interface ManifestPage {
  page: number;
  kind: 'scan' | 'text';
  rotationDegrees?: number;
  hasTable: boolean;
}

interface Manifest {
  fixtures: { file: string; format: 'pdf' | 'tiff'; pages: ManifestPage[] }[];
}

/**
 * The fixtures' upright scanned pages as image files in `outDir`, each exactly the embedded image
 * (pdfimages, no resampling) or TIFF frame, written as PNG. Turned pages (001-nonzero-rotated.pdf)
 * are left out: PSM 6 does not detect orientation, so they measure nothing useful.
 */
export function fixturePages(outDir: string): FixturePage[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(SCANS_DIR, 'manifest.json'), 'utf8')) as Manifest;
  const pages: FixturePage[] = [];
  fs.mkdirSync(outDir, { recursive: true });
  for (const fixture of manifest.fixtures) {
    const upright = fixture.pages.filter((page) => page.kind === 'scan' && (page.rotationDegrees ?? 0) === 0);
    if (upright.length === 0 || fixture.pages.some((page) => (page.rotationDegrees ?? 0) !== 0)) continue;
    const stem = path.join(outDir, path.parse(fixture.file).name);
    const source = path.join(SCANS_DIR, fixture.file);
    for (const page of upright) {
      const file = `${stem}-p${page.page}.png`;
      if (fixture.format === 'pdf') {
        const prefix = `${stem}-extract-${page.page}`;
        execFileSync('pdfimages', ['-png', '-f', String(page.page), '-l', String(page.page), source, prefix]);
        fs.renameSync(`${prefix}-000.png`, file);
      } else {
        execFileSync('convert', [`${source}[${page.page - 1}]`, '-density', '300', '-units', 'PixelsPerInch', file]);
      }
      pages.push({ file, fixture: fixture.file, page: page.page, hasTable: page.hasTable });
    }
  }
  return pages;
}

// ---------------------------------------------------------------------------------------------
// Reference accuracy: the 175 numbers of 001-nonzero's applications table, read from whole-page text


/**
 * How many of the expected numbers (row by row, left to right) the OCR text yields in order: the
 * longest common subsequence of the expected numbers and the digit runs of the table section
 * (from "收到和处理"/"申请人情况" to "行政复议、行政诉讼"; list markers like "1." dropped). Also counts
 * rows whose seven numbers appear as one unbroken run.
 */
export function tableNumbersReadInOrder(ocrText: string, expectedRows: number[][]): { correct: number; total: number; rowsExact: number; rows: number; tokens: number } {
  const startMatch = /收到和处理|申请人情况|本列数据/.exec(ocrText);
  const start = startMatch?.index ?? 0;
  const endMatch = /行政复议、\s*行政诉讼|政府信息公开行政复议/.exec(ocrText.slice(start));
  const section = ocrText.slice(start, endMatch ? start + endMatch.index : undefined).replace(/(?<=\p{Script=Han})\s+|\s+(?=\p{Script=Han})/gu, '');
  const tokens = [...section.matchAll(/(?<![\d.．])\d+(?![\d.．])/g)].map((match) => match[0]);
  const expected = expectedRows.flat().map(String);
  const joined = ` ${tokens.join(' ')} `;
  return {
    correct: longestCommonSubsequence(expected, tokens),
    total: expected.length,
    rowsExact: expectedRows.filter((row) => joined.includes(` ${row.join(' ')} `)).length,
    rows: expectedRows.length,
    tokens: tokens.length,
  };
}

// ---------------------------------------------------------------------------------------------
// CLI

function parseArgs(argv: string[]) {
  const options = { processes: [1, 2], repeat: 1, dpi: undefined as number | undefined, debianModel: false, text: false, pages: [] as string[] };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--processes') options.processes = argv[++i].split(',').map(Number);
    else if (arg === '--repeat') options.repeat = Number(argv[++i]);
    else if (arg === '--dpi') options.dpi = Number(argv[++i]);
    else if (arg === '--debian-model') options.debianModel = true;
    else if (arg === '--text') options.text = true;
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else options.pages.push(arg);
  }
  return options;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-ocr-native-'));
  try {
    const fixture = args.pages.length === 0 ? fixturePages(workDir) : [];
    const pages = args.pages.length > 0 ? args.pages : fixture.map((page) => page.file);
    const model = args.debianModel ? debianModel() : bestIntModel();
    const runs: Omit<NativeTesseractMeasurement, 'perPage'>[] = [];
    let accuracy: ReturnType<typeof tableNumbersReadInOrder> | null = null;
    for (const processes of args.processes) {
      for (let repeat = 0; repeat < args.repeat; repeat += 1) {
        const measurement = await measureNativeTesseract(pages, processes, { model, dpi: args.dpi, keepText: true });
        const { perPage, ...summary } = measurement;
        runs.push(args.text ? { ...summary, perPage } as NativeTesseractMeasurement : summary);
        if (accuracy === null && fixture.length > 0) {
          // Pages 2 and 3 of 001-nonzero-scan.pdf hold the applications table.
          const tableText = fixture
            .map((page, index) => ({ page, text: perPage[index].text ?? '' }))
            .filter(({ page }) => page.fixture === '001-nonzero-scan.pdf' && page.hasTable)
            .map(({ text }) => text)
            .join('\n');
          const { NONZERO_APPLICATIONS } = await import('../test/fixtures/parse/nonzero');
          accuracy = tableNumbersReadInOrder(tableText, Object.values(NONZERO_APPLICATIONS));
        }
      }
    }
    const result = {
      pages: args.pages.length > 0 ? pages : fixture.map(({ fixture: file, page, hasTable }) => ({ fixture: file, page, hasTable })),
      cpus: os.cpus().length,
      runs,
      ...(accuracy ? { applicationsTable001Scan: accuracy } : {}),
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
