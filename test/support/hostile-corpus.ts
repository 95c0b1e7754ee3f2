/**
 * Resource bombs for the reader sandbox (test/faults/hostile.test.ts): files that are small on disk
 * and huge once read. They are generated deterministically at run time, never committed, and the
 * generator stays small in memory: deflate streams are built by repeating one fully flushed block
 * (a full flush resets the compressor, so the same input chunk always compresses to the same bytes).
 *
 * The other hostile inputs (empty, truncated, encrypted, too many pages, huge images, junk, …) come
 * from tools/make-hostile-corpus.ts, which hostileCorpus() writes alongside.
 *
 * Sizes scale with `scale` (HOSTILE_SCALE, default 1 = the sizes that were seen in production); every
 * scaled size stays above the default limit it is meant to trip, so a CI run at 0.1 still trips them.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { makeHostileCorpus, pdfOfObjects, type HostileCase } from '../../tools/make-hostile-corpus';

export type { HostileCase };

const MB = 1024 * 1024;
const SAMPLE_TEXT = fs.readFileSync(path.resolve(__dirname, '../../samples/001_8775b43b601402e9.txt'), 'utf8');

export const HOSTILE_SCALE = Number(process.env.HOSTILE_SCALE || 1);

/** Raw deflate of `chunk` repeated `times` times, as the fully flushed block repeated (a few KB per MB). */
function repeatedRawDeflate(chunk: Buffer, times: number): { blocks: Buffer[]; final: Buffer } {
  const block = zlib.deflateRawSync(chunk, { level: 9, finishFlush: zlib.constants.Z_FULL_FLUSH });
  return { blocks: Array.from({ length: times }, () => block), final: zlib.deflateRawSync(Buffer.alloc(0)) };
}

/** Adler-32 of `chunk` repeated `times` times, without going over the repeated bytes. */
function repeatedAdler32(chunk: Buffer, times: number): number {
  const MOD = 65521;
  let sum = 0;
  let weighted = 0;
  for (let i = 0; i < chunk.length; i++) {
    sum = (sum + chunk[i]) % MOD;
    weighted = (weighted + (chunk.length - i) * chunk[i]) % MOD;
  }
  let a = 1;
  let b = 0;
  const length = chunk.length % MOD;
  for (let i = 0; i < times; i++) {
    b = (b + length * a + weighted) % MOD;
    a = (a + sum) % MOD;
  }
  return ((b << 16) | a) >>> 0;
}

/** `unit` repeated to exactly `bytes` bytes (whole units, then the cut). */
function filled(unit: string, bytes: number): Buffer {
  const one = Buffer.from(unit);
  return Buffer.concat(Array.from({ length: Math.ceil(bytes / one.length) }, () => one)).subarray(0, bytes);
}

interface ZipEntry {
  name: string;
  /** Raw deflate pieces. */
  deflated: Buffer[];
  crc32: number;
  size: number;
}

function storedEntry(name: string, text: string): ZipEntry {
  const data = Buffer.from(text);
  return { name, deflated: [zlib.deflateRawSync(data)], crc32: zlib.crc32(data), size: data.length };
}

/** A ZIP of deflated entries, with sizes and CRCs in the local headers (as Word writes them). */
function zipArchive(entries: ZipEntry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const compressedSize = entry.deflated.reduce((sum, piece) => sum + piece.length, 0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(entry.crc32, 14);
    local.writeUInt32LE(compressedSize, 18);
    local.writeUInt32LE(entry.size, 22);
    local.writeUInt16LE(name.length, 26);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(0x0800, 8);
    header.writeUInt16LE(8, 10);
    header.writeUInt32LE(entry.crc32, 16);
    header.writeUInt32LE(compressedSize, 20);
    header.writeUInt32LE(entry.size, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE(offset, 42);
    central.push(header, name);
    parts.push(local, name, ...entry.deflated);
    offset += local.length + name.length + compressedSize;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}

/**
 * A DOCX whose word/document.xml inflates to `inflatedBytes` of paragraphs (under 1 MB on disk for
 * 256 MB). With `lyingHeaders`, its ZIP headers claim 1 KB, so only counting inflated bytes finds it.
 */
export function docxBomb(inflatedBytes: number, options: { lyingHeaders?: boolean } = {}): Buffer {
  const head = Buffer.from('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>');
  const tail = Buffer.from('</w:body></w:document>');
  const chunk = filled('<w:p><w:r><w:t>政府信息公开工作年度报告</w:t></w:r></w:p>', MB);
  const times = Math.max(1, Math.round((inflatedBytes - head.length - tail.length) / MB));
  const body = repeatedRawDeflate(chunk, times);
  let crc = zlib.crc32(head);
  for (let i = 0; i < times; i++) crc = zlib.crc32(chunk, crc);
  crc = zlib.crc32(tail, crc);
  const document: ZipEntry = {
    name: 'word/document.xml',
    deflated: [zlib.deflateRawSync(head, { finishFlush: zlib.constants.Z_FULL_FLUSH }), ...body.blocks, zlib.deflateRawSync(tail)],
    crc32: crc,
    size: options.lyingHeaders ? 1024 : head.length + times * MB + tail.length,
  };
  return zipArchive([
    storedEntry(
      '[Content_Types].xml',
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    ),
    storedEntry(
      '_rels/.rels',
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
    ),
    document,
  ]);
}

/** A one-page PDF whose content stream is FlateDecode'd spaces inflating to `inflatedBytes` (2 MB on disk for 2 GB). */
export function pdfFlateBomb(inflatedBytes: number): Buffer {
  const chunk = Buffer.alloc(MB, 0x20);
  const times = Math.max(1, Math.round(inflatedBytes / MB));
  const { blocks, final } = repeatedRawDeflate(chunk, times);
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE(repeatedAdler32(chunk, times));
  // zlib format: header (deflate, 32K window, maximum compression), raw deflate, Adler-32.
  const stream = Buffer.concat([Buffer.from([0x78, 0xda]), ...blocks, final, adler]);
  const objects: Buffer[] = [
    Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'),
    Buffer.from('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'),
    Buffer.from('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> /Contents 4 0 R >>'),
    Buffer.concat([Buffer.from(`<< /Length ${stream.length} /Filter /FlateDecode >>\nstream\n`), stream, Buffer.from('\nendstream')]),
  ];
  return pdfOfObjects(objects);
}

/** HTML with `depth` nested <div>s around one line of report text (1.2 MB for 200,000). */
export function nestedHtml(depth: number): Buffer {
  return Buffer.from(`<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>${'<div>'.repeat(depth)}政府信息公开工作年度报告${'</div>'.repeat(depth)}</body></html>`);
}

/** Writes `bytes` of a real report's text repeated, a megabyte at a time. */
function writeLongText(file: string, bytes: number): void {
  const chunk = filled(SAMPLE_TEXT, MB);
  const descriptor = fs.openSync(file, 'w');
  try {
    for (let written = 0; written < bytes; written += MB) fs.writeSync(descriptor, chunk, 0, Math.min(MB, bytes - written));
  } finally {
    fs.closeSync(descriptor);
  }
}

/** The resource bombs, scaled; each still trips the default limit it targets. */
export function writeResourceBombs(dir: string, scale = HOSTILE_SCALE): HostileCase[] {
  fs.mkdirSync(dir, { recursive: true });
  const cases: HostileCase[] = [];
  const write = (file: string, bytes: Buffer, why: string) => {
    fs.writeFileSync(path.join(dir, file), bytes);
    cases.push({ file, expect: 'dead_lettered', errorCode: 'TOO_LARGE', why });
  };
  const docxMb = Math.max(16, Math.round(256 * scale));
  write('zip-bomb.docx', docxBomb(docxMb * MB), `a DOCX whose document.xml inflates to ${docxMb} MB`);
  const textMb = Math.max(9, Math.round(90 * scale));
  writeLongText(path.join(dir, 'long.txt'), textMb * MB);
  cases.push({ file: 'long.txt', expect: 'dead_lettered', errorCode: 'TOO_LARGE', why: `${textMb} MB of report text (under the 100 MB file limit)` });
  write('nested-divs.html', nestedHtml(200_000), 'HTML with 200,000 nested <div>s');
  // Never scaled below the sandbox's default memory limit (768 MB): the point is the kill.
  const pdfMb = Math.max(1536, Math.round(2048 * scale));
  write('flate-bomb.pdf', pdfFlateBomb(pdfMb * MB), `a PDF whose content stream inflates to ${pdfMb} MB`);
  return cases;
}

/** Every hostile input that must be dead-lettered: the resource bombs and the existing corpus's refusals. */
export async function hostileCorpus(dir: string, scale = HOSTILE_SCALE): Promise<HostileCase[]> {
  const existing = await makeHostileCorpus(dir);
  return [...writeResourceBombs(dir, scale), ...existing.filter((entry) => entry.expect === 'dead_lettered')];
}
