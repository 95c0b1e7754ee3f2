/**
 * Builds the scanned-report fixtures under test/fixtures/scans/ (issue 4: OCR of scanned reports).
 *
 *   npm run fixtures:scans          (= npx tsx tools/make-scan-fixtures.ts)
 *
 * Needs poppler-utils (pdftoppm, pdffonts, pdfimages, pdftotext), ImageMagick (convert, for the
 * CCITT G4 TIFF and JPEG encoders), img2pdf and qpdf:
 *
 *   apt-get install poppler-utils imagemagick img2pdf qpdf
 *
 * Every fixture starts as a text PDF rendered by tools/scan-fixtures/report-pdf.ts (the layout of
 * tools/make-sample-pdf.ts), is rasterised at 300 dpi in grey by pdftoppm, then skewed, noised and
 * possibly turned by tools/scan-fixtures/raster.ts with fixed angles and fixed PRNG seeds, and
 * encoded as 1-bit CCITT G4 (a black-and-white office scan) or 8-bit grey JPEG. img2pdf wraps the
 * images as PDF pages without re-encoding, one image per page, no text layer, page size = image
 * size at 300 dpi. The run is deterministic for fixed tool versions; manifest.json records what
 * each page went through and the files' SHA-256.
 *
 * After writing, every scanned page is checked: no fonts (pdffonts), exactly one image (pdfimages),
 * no extractable text (pdftotext).
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addNoise, readPgm, seededRandom, skew, turn, writePbm, writePgm, type NoiseOptions } from './scan-fixtures/raster';
import { readPipeBlocks, readTabBlocks, renderReport, tablesOf, CJK_FONT_FILE, type Block } from './scan-fixtures/report-pdf';

const REPO_ROOT = path.resolve(__dirname, '..');
const OUTPUT_DIR = path.join(REPO_ROOT, 'test/fixtures/scans');
const PRODUCER = 'gongkai tools/make-scan-fixtures.ts';
const DPI = 300;

const SOURCES = {
  nonzero001: 'test/fixtures/parse/001-nonzero.txt',
  seed001: 'samples/001_8775b43b601402e9.txt',
  seed003: 'samples/003_6f6c780c05ed1855.txt',
};

/** A light black-and-white scan: a little grain that ruffles glyph edges once thresholded, some dust. */
const BILEVEL_NOISE: NoiseOptions = { sigma: 18, specksPerMegapixel: 40, paperGrey: 0 };
const BILEVEL_THRESHOLD = 150;
/** A grey scan: off-white paper, faint grain (JPEG pays dearly for grain), some dust. */
const GREY_NOISE: NoiseOptions = { sigma: 2, specksPerMegapixel: 40, paperGrey: 24 };
const JPEG_QUALITY = 50;

/** Fixed skew per page (degrees, positive = counter-clockwise), cycled over longer documents. */
const SKEWS = [0.6, -0.8, 0.45, -0.35, 0.9, -0.55];

type QuarterTurns = 0 | 1 | 2 | 3;
type Encoding = 'ccitt-g4' | 'jpeg-grey';

interface PagePlan {
  page: number;
  kind: 'scan' | 'text';
  skewDegrees?: number;
  /** Clockwise turn of the page image, degrees (a sheet fed sideways or upside down). */
  rotationDegrees?: number;
  encoding?: Encoding;
  seed?: number;
  noise?: NoiseOptions & { threshold?: number; jpegQuality?: number };
  hasTable: boolean;
  imagePixels?: [number, number];
}

interface FixtureEntry {
  file: string;
  format: 'pdf' | 'tiff';
  source: string;
  description: string;
  pageCount: number;
  scannedPages: number[];
  textPages: number[];
  tablePages: number[];
  dpi: number;
  pages: PagePlan[];
  bytes?: number;
  sha256?: string;
}

function run(command: string, args: string[], options: { cwd?: string } = {}): string {
  return execFileSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
}

function requireTools(): void {
  const missing = ['pdftoppm', 'pdffonts', 'pdfimages', 'pdftotext', 'convert', 'img2pdf', 'qpdf'].filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) throw new Error(`missing tools: ${missing.join(', ')} (apt-get install poppler-utils imagemagick img2pdf qpdf)`);
  if (!fs.existsSync(CJK_FONT_FILE)) throw new Error(`missing font ${CJK_FONT_FILE} (apt-get install fonts-wqy-microhei)`);
}

const readRepoFile = (relative: string) => fs.readFileSync(path.join(REPO_ROOT, relative), 'utf8');

/** Rasterises every page of `pdf` at 300 dpi, 8-bit grey; returns the PGM paths in page order. */
function rasterise(pdf: string, workDir: string, stem: string): string[] {
  run('pdftoppm', ['-r', String(DPI), '-gray', pdf, path.join(workDir, stem)]);
  const pattern = new RegExp(`^${stem}-(\\d+)\\.pgm$`);
  return fs
    .readdirSync(workDir)
    .filter((name) => pattern.test(name))
    .sort((a, b) => Number(pattern.exec(a)![1]) - Number(pattern.exec(b)![1]))
    .map((name) => path.join(workDir, name));
}

/** Skews, noises, turns and encodes one page; returns the encoded file (G4 TIFF or JPEG) and its size. */
function scanPage(pgm: string, plan: PagePlan, outStem: string): { file: string; pixels: [number, number] } {
  const noise: NoiseOptions = plan.encoding === 'jpeg-grey' ? GREY_NOISE : BILEVEL_NOISE;
  const skewed = skew(readPgm(fs.readFileSync(pgm)), plan.skewDegrees ?? 0);
  const noised = addNoise(skewed, seededRandom(plan.seed ?? 1), noise);
  const image = turn(noised, (((plan.rotationDegrees ?? 0) / 90) % 4) as QuarterTurns);
  const density = ['-density', String(DPI), '-units', 'PixelsPerInch'];
  if (plan.encoding === 'jpeg-grey') {
    const raw = `${outStem}.pgm`;
    fs.writeFileSync(raw, writePgm(image));
    const file = `${outStem}.jpg`;
    run('convert', [raw, ...density, '-strip', '-quality', String(JPEG_QUALITY), file]);
    plan.noise = { ...noise, jpegQuality: JPEG_QUALITY };
    return { file, pixels: [image.width, image.height] };
  }
  const raw = `${outStem}.pbm`;
  fs.writeFileSync(raw, writePbm(image, BILEVEL_THRESHOLD));
  const file = `${outStem}.tif`;
  // One strip per image, so img2pdf can pass the G4 data through untouched.
  run('convert', [raw, ...density, '-compress', 'Group4', '-define', `tiff:rows-per-strip=${image.height}`, file]);
  plan.noise = { ...noise, threshold: BILEVEL_THRESHOLD };
  return { file, pixels: [image.width, image.height] };
}

function img2pdf(images: string[], output: string, title: string): void {
  run('img2pdf', ['--engine', 'internal', '--nodate', '--producer', PRODUCER, '--title', title, '-o', output, ...images]);
}

interface RenderedSource {
  blocks: Block[];
  pdfPath: string;
  pageCount: number;
  tablePages: number[];
  pgms: string[];
}

async function renderSource(blocks: Block[], workDir: string, stem: string): Promise<RenderedSource> {
  const rendered = await renderReport(blocks, PRODUCER);
  const pdfPath = path.join(workDir, `${stem}-text.pdf`);
  fs.writeFileSync(pdfPath, rendered.pdf);
  const pgms = rasterise(pdfPath, workDir, stem);
  if (pgms.length !== rendered.pageCount) throw new Error(`${stem}: pdftoppm made ${pgms.length} pages, pdfkit ${rendered.pageCount}`);
  return { blocks, pdfPath, pageCount: rendered.pageCount, tablePages: rendered.tablePages, pgms };
}

function pageRange(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index + 1);
}

/** Plans one scanned page; the seed depends on the fixture's seed base and the page only. */
function scanPlan(page: number, seedBase: number, tablePages: number[], extra: Partial<PagePlan> = {}): PagePlan {
  return {
    page,
    kind: 'scan',
    skewDegrees: SKEWS[(page - 1) % SKEWS.length],
    rotationDegrees: 0,
    encoding: 'ccitt-g4',
    seed: seedBase + page,
    hasTable: tablePages.includes(page),
    ...extra,
  };
}

function summarise(entry: Omit<FixtureEntry, 'scannedPages' | 'textPages'>): FixtureEntry {
  return {
    ...entry,
    scannedPages: entry.pages.filter((page) => page.kind === 'scan').map((page) => page.page),
    textPages: entry.pages.filter((page) => page.kind === 'text').map((page) => page.page),
  };
}

async function makeScanPdfs(workDir: string): Promise<FixtureEntry[]> {
  const source = await renderSource(readTabBlocks(readRepoFile(SOURCES.nonzero001)), workDir, 'n001');
  const { pageCount, tablePages, pgms } = source;
  const title = '001-nonzero scanned';
  const entries: FixtureEntry[] = [];

  // 001-nonzero-scan.pdf: every page a skewed, noised 1-bit scan.
  {
    const pages = pageRange(pageCount).map((page) => scanPlan(page, 1000, tablePages));
    const images = pages.map((plan) => {
      const { file, pixels } = scanPage(pgms[plan.page - 1], plan, path.join(workDir, `scan-${plan.page}`));
      plan.imagePixels = pixels;
      return file;
    });
    img2pdf(images, path.join(OUTPUT_DIR, '001-nonzero-scan.pdf'), title);
    entries.push(
      summarise({
        file: '001-nonzero-scan.pdf',
        format: 'pdf',
        source: SOURCES.nonzero001,
        description: 'All pages scanned: 300 dpi, 1-bit CCITT G4, each page skewed by a fixed angle, light grain and dust.',
        pageCount,
        tablePages,
        dpi: DPI,
        pages,
      }),
    );
  }

  // 001-nonzero-rotated.pdf: the same scans (same skew and noise seeds), but the page holding most
  // of the applications table fed in sideways (image turned 90° clockwise) and page 1 upside down.
  {
    const mainTablePage = tablePages[tablePages.length - 1];
    const turns = new Map<number, number>([
      [mainTablePage, 90],
      [1, 180],
    ]);
    const pages = pageRange(pageCount).map((page) => scanPlan(page, 1000, tablePages, { rotationDegrees: turns.get(page) ?? 0 }));
    const images = pages.map((plan) => {
      const { file, pixels } = scanPage(pgms[plan.page - 1], plan, path.join(workDir, `rotated-${plan.page}`));
      plan.imagePixels = pixels;
      return file;
    });
    img2pdf(images, path.join(OUTPUT_DIR, '001-nonzero-rotated.pdf'), title);
    entries.push(
      summarise({
        file: '001-nonzero-rotated.pdf',
        format: 'pdf',
        source: SOURCES.nonzero001,
        description:
          'As 001-nonzero-scan.pdf (same skew angles and noise seeds, so a page turned back upright equals that file\'s page), ' +
          'but some page images are turned: rotationDegrees is the clockwise turn of the image content; the PDF pages carry no /Rotate.',
        pageCount,
        tablePages,
        dpi: DPI,
        pages,
      }),
    );
  }

  // 001-nonzero-mixed.pdf: text pages kept from the text PDF, the table pages replaced by grey JPEG scans.
  {
    const pages: PagePlan[] = pageRange(pageCount).map((page) =>
      tablePages.includes(page)
        ? scanPlan(page, 2000, tablePages, { encoding: 'jpeg-grey' })
        : { page, kind: 'text', hasTable: false },
    );
    const scans = pages.filter((plan) => plan.kind === 'scan');
    const images = scans.map((plan) => {
      const { file, pixels } = scanPage(pgms[plan.page - 1], plan, path.join(workDir, `mixed-${plan.page}`));
      plan.imagePixels = pixels;
      return file;
    });
    const scanPdf = path.join(workDir, 'mixed-scans.pdf');
    img2pdf(images, scanPdf, title);
    const selection = pages.flatMap((plan) =>
      plan.kind === 'text' ? [source.pdfPath, String(plan.page)] : [scanPdf, String(scans.indexOf(plan) + 1)],
    );
    run('qpdf', ['--deterministic-id', '--empty', '--pages', ...selection, '--', path.join(OUTPUT_DIR, '001-nonzero-mixed.pdf')]);
    entries.push(
      summarise({
        file: '001-nonzero-mixed.pdf',
        format: 'pdf',
        source: SOURCES.nonzero001,
        description:
          'Mixed: the pages without tables keep their text layer (embedded subset of WenQuanYi Micro Hei); the table pages are ' +
          '300 dpi 8-bit grey JPEG scans (off-white paper, faint grain, dust, skewed).',
        pageCount,
        tablePages,
        dpi: DPI,
        pages,
      }),
    );
  }
  return entries;
}

async function makeScan003(workDir: string): Promise<FixtureEntry> {
  const template = tablesOf(readTabBlocks(readRepoFile(SOURCES.seed001)));
  const blocks = readPipeBlocks(readRepoFile(SOURCES.seed003), template);
  const { pageCount, tablePages, pgms } = await renderSource(blocks, workDir, 's003');
  const pages = pageRange(pageCount).map((page) => scanPlan(page, 3000, tablePages));
  const images = pages.map((plan) => {
    const { file, pixels } = scanPage(pgms[plan.page - 1], plan, path.join(workDir, `s003-scan-${plan.page}`));
    plan.imagePixels = pixels;
    return file;
  });
  // One multi-page TIFF, each page its own G4 strip at 300 dpi.
  run('convert', [...images, '-compress', 'Group4', '-density', String(DPI), '-units', 'PixelsPerInch', path.join(OUTPUT_DIR, '003-scan.tif')]);
  return summarise({
    file: '003-scan.tif',
    format: 'tiff',
    source: SOURCES.seed003,
    description:
      'Seed 003 (Traditional Chinese) as a multi-page 1-bit CCITT G4 TIFF at 300 dpi. Its one-cell-per-line `|` tables were ' +
      `laid onto the standard three-table grid (shape of ${SOURCES.seed001}'s tab tables; non-empty cell counts checked equal) ` +
      'and drawn as ruled tables before scanning; each page skewed by a fixed angle, light grain and dust.',
    pageCount,
    tablePages,
    dpi: DPI,
    pages,
  });
}

/** Checks every scanned page of a PDF fixture: no fonts, exactly one image, no extractable text. */
function verifyPdf(entry: FixtureEntry): string[] {
  const file = path.join(OUTPUT_DIR, entry.file);
  const problems: string[] = [];
  const info = run('pdfinfo', [file]);
  const pages = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
  if (pages !== entry.pageCount) problems.push(`${entry.file}: ${pages} pages, expected ${entry.pageCount}`);
  for (const plan of entry.pages) {
    const range = ['-f', String(plan.page), '-l', String(plan.page)];
    const fonts = run('pdffonts', [...range, file]).split('\n').slice(2).filter((line) => line.trim() !== '');
    const images = run('pdfimages', ['-list', ...range, file]).split('\n').slice(2).filter((line) => line.trim() !== '');
    const text = run('pdftotext', [...range, file, '-']).trim();
    if (plan.kind === 'scan') {
      if (fonts.length > 0) problems.push(`${entry.file} page ${plan.page}: ${fonts.length} fonts on a scanned page`);
      if (images.length !== 1) problems.push(`${entry.file} page ${plan.page}: ${images.length} images, expected 1`);
      if (text !== '') problems.push(`${entry.file} page ${plan.page}: ${text.length} characters of text on a scanned page`);
      const [width, height] = images[0]?.trim().split(/\s+/).slice(3, 5).map(Number) ?? [];
      if (plan.imagePixels && (width !== plan.imagePixels[0] || height !== plan.imagePixels[1])) {
        problems.push(`${entry.file} page ${plan.page}: image ${width}×${height}, expected ${plan.imagePixels.join('×')}`);
      }
    } else {
      if (fonts.length === 0) problems.push(`${entry.file} page ${plan.page}: text page without fonts`);
      if (images.length !== 0) problems.push(`${entry.file} page ${plan.page}: text page with ${images.length} images`);
      if (text.length < 100) problems.push(`${entry.file} page ${plan.page}: text page with ${text.length} characters`);
    }
  }
  return problems;
}

function verifyTiff(entry: FixtureEntry): string[] {
  const file = path.join(OUTPUT_DIR, entry.file);
  const frames = run('identify', ['-format', '%w %h %x %z %C\\n', file]).trim().split('\n');
  const problems: string[] = [];
  if (frames.length !== entry.pageCount) problems.push(`${entry.file}: ${frames.length} frames, expected ${entry.pageCount}`);
  frames.forEach((frame, index) => {
    const [width, height, , depth, compression] = frame.split(' ');
    const expected = entry.pages[index]?.imagePixels;
    if (expected && (Number(width) !== expected[0] || Number(height) !== expected[1])) problems.push(`${entry.file} frame ${index + 1}: ${width}×${height}`);
    if (depth !== '1' || compression !== 'Group4') problems.push(`${entry.file} frame ${index + 1}: depth ${depth}, ${compression}`);
  });
  return problems;
}

async function main(): Promise<void> {
  requireTools();
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-scan-fixtures-'));
  try {
    const entries = [...(await makeScanPdfs(workDir)), await makeScan003(workDir)];
    const problems = entries.flatMap((entry) => (entry.format === 'pdf' ? verifyPdf(entry) : verifyTiff(entry)));
    if (problems.length > 0) throw new Error(`fixture checks failed:\n  ${problems.join('\n  ')}`);
    for (const entry of entries) {
      const bytes = fs.readFileSync(path.join(OUTPUT_DIR, entry.file));
      entry.bytes = bytes.length;
      entry.sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    }
    const manifest = {
      generator: 'tools/make-scan-fixtures.ts (npm run fixtures:scans)',
      renderer: 'tools/scan-fixtures/report-pdf.ts: pdfkit, A4, WenQuanYi Micro Hei, layout of tools/make-sample-pdf.ts',
      rasteriser: `pdftoppm -r ${DPI} -gray`,
      conventions: {
        skewDegrees: 'rotation of the page content before any turn, positive = counter-clockwise, bilinear, white fill',
        rotationDegrees: 'clockwise turn of the page image after skewing (0, 90, 180, 270); PDF pages carry no /Rotate',
        noise: 'Gaussian grain (sigma, grey levels, seeded mulberry32 + Box-Muller), dark 1-3 px specks per megapixel, paper darkening; 1-bit pages then thresholded',
        pages: '1-based',
      },
      checks: 'every scanned PDF page: pdffonts lists no font, pdfimages lists exactly one image of the planned size, pdftotext gives no text',
      fixtures: entries,
    };
    fs.writeFileSync(path.join(OUTPUT_DIR, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    for (const entry of entries) {
      console.log(`wrote test/fixtures/scans/${entry.file} (${entry.bytes} bytes; scanned pages ${entry.scannedPages.join(',')}; tables on ${entry.tablePages.join(',')})`);
    }
    console.log('wrote test/fixtures/scans/manifest.json');
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
