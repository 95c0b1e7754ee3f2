/**
 * Writes a corpus of hostile inputs: files that must each end in a clear dead letter or a correct
 * record, without crashing or wedging a worker (see test/integration/hostile-input.test.ts).
 *
 *   npx tsx tools/make-hostile-corpus.ts <dir> [--max-file-mb N] [--max-pages N]
 *
 * Everything is generated at run time and deterministically (a seeded PRNG for the junk, fixed PDF
 * dates). The limit cases are sized against the limits given (default: the README's defaults,
 * GONGKAI_MAX_FILE_MB=100 and GONGKAI_MAX_PAGES=500), so a test can use small limits and small files.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import iconv from 'iconv-lite';
import { pdfkitBytes } from './pdfkit-bytes';
import { seededRandom } from './scan-fixtures/raster';

export interface HostileCase {
  file: string;
  expect: 'published' | 'dead_lettered';
  errorCode?: string;
  why: string;
}

export interface HostileCorpusOptions {
  /** The GONGKAI_MAX_FILE_MB the corpus is checked against; the over-limit file is 1 byte larger. */
  maxFileMb?: number;
  /** The GONGKAI_MAX_PAGES the corpus is checked against; the long PDF has one page more. */
  maxPages?: number;
}

const REPO_ROOT = path.resolve(__dirname, '..');
const SAMPLES_DIR = path.join(REPO_ROOT, 'samples');
/** Simplified-script seed without tables (becomes the GBK case). */
export const GBK_SEED = '000_9d33212acc5db30e.txt';
/** The seed with tab-separated tables (becomes the HTML and repeated-tables cases). */
export const TABLE_SEED = '001_8775b43b601402e9.txt';
/** Its PDF rendering (becomes the truncated PDF). */
const TABLE_SEED_PDF = '001_8775b43b601402e9.pdf';

/** Markers that must never reach a page's text. */
export const SCRIPT_MARKER = 'HOSTILE_SCRIPT_MARKER';
export const IFRAME_MARKER = 'HOSTILE_IFRAME_MARKER';

const TEN_MB = 10 * 1024 * 1024;
const FIXED_DATE = new Date('2022-01-20T08:00:00Z');

const readSeed = (name: string): string => fs.readFileSync(path.join(SAMPLES_DIR, name), 'utf8');

function renderPdf(draw: (doc: PDFKit.PDFDocument) => void, options: PDFKit.PDFDocumentOptions = {}): Promise<Buffer> {
  return pdfkitBytes({ size: 'A4', info: { CreationDate: FIXED_DATE, ModDate: FIXED_DATE, Producer: 'gongkai tools/make-hostile-corpus.ts' }, ...options }, draw);
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The signature and IHDR chunk of a grayscale PNG. */
function grayscalePngStart(width: number, height: number, bitDepth: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = bitDepth;
  header[9] = 0; // grayscale
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', header)]);
}

/** A white 8-bit grayscale PNG, written by hand so that no image library is involved. */
function whitePng(width: number, height: number): Buffer {
  const row = Buffer.alloc(width + 1, 0xff);
  row[0] = 0; // filter: none
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    grayscalePngStart(width, height, 8),
    pngChunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A PNG that claims a huge size: a valid header, then one tiny IDAT (it is refused before decoding). */
function hugePngHeader(width: number, height: number): Buffer {
  return Buffer.concat([
    grayscalePngStart(width, height, 1),
    pngChunk('IDAT', zlib.deflateSync(Buffer.alloc(1 + Math.ceil(width / 8), 0xff))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A one-page PDF whose only content is a `side`×`side` DeviceGray image (a "scan" at absurd
 * resolution): a few hundred KB on disk, side² bytes once decoded. Written by hand because pdfkit
 * would have to decode and re-encode the image.
 */
async function hugeImagePdf(side: number): Promise<Buffer> {
  // Deflated as a stream, a few rows at a time: the decoded image never exists in this process.
  const deflate = zlib.createDeflate({ level: 9 });
  const chunks: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  const rowsPerWrite = 64;
  const batch = Buffer.alloc(side * rowsPerWrite, 0xff);
  for (let row = 0; row < side; row += rowsPerWrite) {
    const rows = Math.min(rowsPerWrite, side - row);
    if (!deflate.write(rows === rowsPerWrite ? batch : batch.subarray(0, side * rows))) {
      await new Promise((resolve) => deflate.once('drain', resolve));
    }
  }
  deflate.end();
  await done;
  const image = Buffer.concat(chunks);

  const objects: Buffer[] = [
    Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'),
    Buffer.from('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'),
    Buffer.from('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>'),
    Buffer.concat([
      Buffer.from(`<< /Type /XObject /Subtype /Image /Width ${side} /Height ${side} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length ${image.length} >>\nstream\n`),
      image,
      Buffer.from('\nendstream'),
    ]),
  ];
  const content = 'q 595 0 0 842 0 0 cm /Im0 Do Q';
  objects.push(Buffer.from(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`));

  return pdfOfObjects(objects);
}

/** A PDF of these objects (numbered from 1, the first the catalog) with a correct cross-reference table. */
export function pdfOfObjects(objects: Buffer[]): Buffer {
  const out: Buffer[] = [Buffer.from('%PDF-1.4\n%\xE2\xE3\xCF\xD3\n', 'latin1')];
  let offset = out[0].length;
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(offset);
    const object = Buffer.concat([Buffer.from(`${index + 1} 0 obj\n`), body, Buffer.from('\nendobj\n')]);
    out.push(object);
    offset += object.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n`, '0000000000 65535 f \n', ...offsets.map((at) => `${String(at).padStart(10, '0')} 00000 n \n`)].join('');
  out.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${offset}\n%%EOF\n`));
  return Buffer.concat(out);
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Seed 001 as a web page: paragraphs and tables, wrapped in scripts, iframes and event handlers. */
function hostileHtml(seed: string): string {
  const body: string[] = [];
  let table: string[] | null = null;
  for (const line of seed.split('\n')) {
    if (line.includes('\t')) {
      table ??= [];
      table.push(`<tr>${line.split('\t').map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`);
      continue;
    }
    if (table !== null) {
      body.push(`<table border="1">${table.join('\n')}</table>`);
      body.push(`<script>document.write("${SCRIPT_MARKER} inline after table");</script>`);
      table = null;
    }
    if (line.trim() !== '') body.push(`<p onclick="alert('${SCRIPT_MARKER}')">${escapeHtml(line)}</p>`);
  }
  if (table !== null) body.push(`<table border="1">${table.join('\n')}</table>`);
  return [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8"><title>政府信息公开</title>',
    `<script type="text/javascript">var ${SCRIPT_MARKER} = "一、总体情况 2099年政府信息公开工作年度报告"; while (true) {}</script>`,
    `<script src="https://example.invalid/tracker.js"></script>`,
    '</head><body onload="steal()">',
    `<iframe src="https://example.invalid/ad"><p>${IFRAME_MARKER} 2098年政府信息公开工作年度报告</p></iframe>`,
    ...body,
    `<iframe srcdoc="<p>${IFRAME_MARKER}</p>"></iframe>`,
    `<script>/* ${SCRIPT_MARKER} */ for (;;) {}</script>`,
    '</body></html>',
  ].join('\n');
}

/** Seed 001 with each table block printed ten times in a row (a word processor's paste gone wrong). */
function repeatedTables(seed: string, times: number): string {
  const lines = seed.split('\n');
  const out: string[] = [];
  let block: string[] = [];
  const flush = () => {
    for (let copy = 0; copy < times; copy += 1) out.push(...block);
    block = [];
  };
  for (const line of lines) {
    if (line.includes('\t')) {
      block.push(line);
    } else {
      flush();
      out.push(line);
    }
  }
  flush();
  return out.join('\n');
}

export async function makeHostileCorpus(dir: string, options: HostileCorpusOptions = {}): Promise<HostileCase[]> {
  const maxFileMb = options.maxFileMb ?? 100;
  const maxPages = options.maxPages ?? 500;
  fs.mkdirSync(dir, { recursive: true });
  const cases: HostileCase[] = [];
  const write = (file: string, bytes: Buffer | string, entry: Omit<HostileCase, 'file'>) => {
    fs.writeFileSync(path.join(dir, file), bytes);
    cases.push({ file, ...entry });
  };

  write('empty.pdf', Buffer.alloc(0), { expect: 'dead_lettered', errorCode: 'EMPTY_FILE', why: 'a 0-byte file' });

  const samplePdf = fs.readFileSync(path.join(SAMPLES_DIR, TABLE_SEED_PDF));
  write('truncated.pdf', samplePdf.subarray(0, 1500), {
    expect: 'dead_lettered',
    errorCode: 'CORRUPT_FILE',
    why: 'the sample PDF cut off after 1500 bytes (header and part of the first object)',
  });

  const encrypted = await renderPdf(
    (doc) => doc.fontSize(14).text('Encrypted annual report'),
    { userPassword: 'secret', ownerPassword: 'owner', pdfVersion: '1.4' },
  );
  write('encrypted.pdf', encrypted, { expect: 'dead_lettered', errorCode: 'ENCRYPTED_FILE', why: 'a PDF that needs a password to open' });

  const pageCount = maxPages + 1;
  const manyPages = await renderPdf((doc) => {
    for (let page = 1; page < pageCount; page += 1) doc.addPage();
  });
  write('many-pages.pdf', manyPages, { expect: 'dead_lettered', errorCode: 'TOO_LARGE', why: `${pageCount} blank pages, one over GONGKAI_MAX_PAGES=${maxPages}` });

  write('huge-image.pdf', await hugeImagePdf(20_000), {
    expect: 'dead_lettered',
    errorCode: 'TOO_LARGE',
    why: 'one page painted with a 20000×20000 image (400 MP) and no text: refused at ingest, never decoded for OCR',
  });

  write('huge-image.png', hugePngHeader(30_000, 30_000), {
    expect: 'dead_lettered',
    errorCode: 'TOO_LARGE',
    why: 'a PNG whose header claims 30000×30000 pixels (900 MP): refused from its header',
  });

  write('png-renamed.pdf', whitePng(64, 32), {
    expect: 'dead_lettered',
    errorCode: 'NOT_A_REPORT',
    why: 'a blank PNG named .pdf: sniffed as an image, OCR finds no text',
  });

  const random = seededRandom(0x6a756e6b);
  const junk = Buffer.alloc(64 * 1024);
  for (let index = 0; index < junk.length; index += 1) junk[index] = Math.floor(random() * 256);
  write('junk.bin', junk, { expect: 'dead_lettered', errorCode: 'UNSUPPORTED_MEDIA', why: '64 KB of random bytes' });

  const overLimit = Buffer.alloc(maxFileMb * 1024 * 1024 + 1, 'x');
  write('over-limit.txt', overLimit, { expect: 'dead_lettered', errorCode: 'TOO_LARGE', why: `${maxFileMb} MB + 1 byte, over GONGKAI_MAX_FILE_MB=${maxFileMb}` });

  write('scripts.html', hostileHtml(readSeed(TABLE_SEED)), {
    expect: 'published',
    why: 'seed 001 as HTML with scripts (incl. infinite loops), iframes and event handlers: read as the seed, none of the script text',
  });

  const notAReport = await renderPdf((doc) => {
    doc.fontSize(16).text('Quarterly cafeteria menu');
    doc.moveDown();
    for (let line = 0; line < 30; line += 1) doc.fontSize(11).text(`Day ${line + 1}: soup, rice, vegetables and tea. Price 12 yuan.`);
  });
  write('not-a-report.pdf', notAReport, { expect: 'dead_lettered', errorCode: 'NOT_A_REPORT', why: 'a text PDF with no report title, headings or tables' });

  write('gbk.txt', iconv.encode(readSeed(GBK_SEED), 'gbk'), {
    expect: 'published',
    why: 'seed 000 encoded as GBK without a BOM: decoded, same agency and year as the seed',
  });

  const oneLine = readSeed(TABLE_SEED).replace(/\s+/g, ' ');
  const repeats = Math.ceil(TEN_MB / Buffer.byteLength(oneLine));
  write('long-line.txt', Buffer.from(oneLine.repeat(repeats)).subarray(0, TEN_MB), {
    expect: 'dead_lettered',
    errorCode: 'TOO_LARGE',
    why: 'seed 001 flattened to one line and repeated to 10 MB: reports are read without their line breaks, so this would be seed 001 printed a thousand times; ten million characters are no single report, refused at ingest in seconds',
  });

  write('repeated-tables.txt', repeatedTables(readSeed(TABLE_SEED), 10), {
    expect: 'published',
    why: 'seed 001 with each table printed ten times: the first copy is read (the seed values), one TABLE_AMBIGUOUS warning per repeated row',
  });

  return cases;
}

async function main(argv: string[]): Promise<void> {
  const dir = argv.find((arg, index) => !arg.startsWith('--') && !argv[index - 1]?.startsWith('--'));
  if (dir === undefined) {
    console.error('usage: tsx tools/make-hostile-corpus.ts <dir> [--max-file-mb N] [--max-pages N]');
    process.exitCode = 2;
    return;
  }
  const option = (name: string, fallback: string | undefined): number | undefined => {
    const index = argv.indexOf(name);
    const raw = index >= 0 ? argv[index + 1] : fallback;
    return raw === undefined ? undefined : Number(raw);
  };
  const cases = await makeHostileCorpus(dir, {
    maxFileMb: option('--max-file-mb', process.env.GONGKAI_MAX_FILE_MB),
    maxPages: option('--max-pages', process.env.GONGKAI_MAX_PAGES),
  });
  for (const entry of cases) {
    const size = fs.statSync(path.join(dir, entry.file)).size;
    console.log(`${entry.file.padEnd(22)} ${String(size).padStart(10)} B  ${entry.expect}${entry.errorCode ? ` ${entry.errorCode}` : ''}  ${entry.why}`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
