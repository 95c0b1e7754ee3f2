/**
 * Text, HTML and Word sources are read without regard to their line breaks (workers/parse/segment.ts):
 * every fixture gives the identical record with all its line breaks removed, with its lines broken
 * anywhere (mid-label, mid-sentence), and as a crawler saves it (a `key: value` header, then the body
 * on one line), where only the header's title, agency and date may differ, and are the header's.
 */
import fs from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import type { CanonicalRecord } from '../../shared/record';
import { runCoresInProcess } from '../../workers/in-process';
import { closePdfReader } from '../../workers/ingest/core';
import { CRAWLED_SAMPLES, crawledText, withoutLineBreaks } from '../../tools/make-crawled-fixtures';
import { parse, plainDocument } from '../fixtures/parse/documents';

const ROOT = path.resolve(__dirname, '../..');
const TEXT_FIXTURES = [
  'samples/000_9d33212acc5db30e.txt',
  'samples/001_8775b43b601402e9.txt',
  'samples/003_6f6c780c05ed1855.txt',
  'samples/004_821e3546fb6fcf9b.txt',
  'test/fixtures/parse/001-nonzero.txt',
  'test/fixtures/layouts/001-nonzero-flattened.txt',
];
const MARKUP_FIXTURES = ['test/fixtures/layouts/001-nonzero.html', 'test/fixtures/layouts/001-nonzero.docx'];

afterAll(() => closePdfReader());

async function recordOf(bytes: Buffer, fileName: string): Promise<CanonicalRecord> {
  const { record } = await runCoresInProcess(bytes, fileName, { maxPages: 50 });
  return { ...record, source: { ...record.source, sha256: '', fileName: '' } };
}

const readFixture = (file: string): Buffer => fs.readFileSync(path.join(ROOT, file));

/** CR and LF never occur inside a UTF-8 or GB18030 multi-byte character, so they can be cut from the bytes. */
function bytesWithoutLineBreaks(bytes: Buffer): Buffer {
  return Buffer.from(bytes.filter((byte) => byte !== 0x0a && byte !== 0x0d));
}

/** The DOCX with every line break removed from each of its XML parts. */
async function docxWithoutLineBreaks(bytes: Buffer): Promise<Buffer> {
  const zip = await JSZip.loadAsync(bytes);
  for (const [name, entry] of Object.entries(zip.files)) {
    if (entry.dir || !/\.(?:xml|rels)$/.test(name)) continue;
    zip.file(name, withoutLineBreaks(await entry.async('string')));
  }
  return zip.generateAsync({ type: 'nodebuffer' });
}

/**
 * Lines broken every `every` characters; table rows (tabs, `|`) keep their cells and are broken only
 * inside their first label cell, as copied text wraps a long label.
 */
function brokenAnywhere(text: string, every: number): string {
  return text
    .split('\n')
    .map((line) => {
      if (/[\t|]/.test(line)) {
        const label = /^(\t*)([^\t|]*\p{Script=Han}[^\t|]*)(.*)$/u.exec(line);
        if (!label || label[2].length < 4) return line;
        const cut = Math.floor(label[2].length / 2);
        return `${label[1]}${label[2].slice(0, cut)}\n${label[2].slice(cut)}${label[3]}`;
      }
      const pieces: string[] = [];
      for (let i = 0; i < line.length; i += every) pieces.push(line.slice(i, i + every));
      return pieces.join('\n');
    })
    .join('\n');
}

describe('every text, HTML and DOCX fixture gives the identical record without its line breaks', () => {
  test.each(TEXT_FIXTURES)('%s', async (file) => {
    const bytes = readFixture(file);
    const oneLine = bytesWithoutLineBreaks(bytes);
    expect(oneLine.includes(0x0a)).toBe(false);
    expect(await recordOf(oneLine, path.basename(file))).toEqual(await recordOf(bytes, path.basename(file)));
  });

  test.each(MARKUP_FIXTURES)('%s', async (file) => {
    const bytes = readFixture(file);
    const oneLine = file.endsWith('.docx') ? await docxWithoutLineBreaks(bytes) : bytesWithoutLineBreaks(bytes);
    expect(await recordOf(oneLine, path.basename(file))).toEqual(await recordOf(bytes, path.basename(file)));
  });
});

describe('lines broken anywhere, mid-label included, give the identical record', () => {
  test.each(TEXT_FIXTURES.flatMap((file) => [3, 7, 19].map((every) => [file, every] as const)))('%s broken every %i characters', async (file, every) => {
    const text = readFixture(file).toString('utf8');
    const broken = Buffer.from(brokenAnywhere(text, every));
    expect(await recordOf(broken, path.basename(file))).toEqual(await recordOf(Buffer.from(text), path.basename(file)));
  });
});

/** The header's value as normalize leaves it: no spaces between Chinese characters. */
const normalized = (value: string): string => value.replace(/(?<=\p{Script=Han})\s+(?=\p{Script=Han})/gu, '');

describe('crawled pages: header, separator, the body on one line', () => {
  test.each(Object.entries(CRAWLED_SAMPLES))('%s reads like the sample, with the header for title, agency and date', async (file, header) => {
    const original = readFixture(path.join('samples', file));
    const crawled = await recordOf(Buffer.from(crawledText(original.toString('utf8'), header)), file);
    const expected = await recordOf(original, file);
    expect(crawled.meta).toEqual({
      ...expected.meta,
      title: normalized(header.title),
      agency: normalized(header.agency),
      publishedOn: header.publishedAt.replace(/^(\d{4})\D(\d{2})\D(\d{2}).*$/, '$1-$2-$3'),
    });
    expect({ ...crawled, meta: null }).toEqual({ ...expected, meta: null });
  });

  test('the header is metadata only: its keys and values never become sections, tables or narrative', async () => {
    const body = '一、总体情况本年主动公开信息12条。二、主动公开政府信息情况三、收到和处理政府信息公开申请情况';
    const text = ['标题: 某县人民政府2021年政府信息公开工作年度报告', '发布时间: 2022-01-20', '来源: 某县人民政府网站', '==== 正文 ====', body].join('\n');
    const record = await recordOf(Buffer.from(text), 'crawled.txt');
    expect(record.meta).toMatchObject({ title: '某县人民政府2021年政府信息公开工作年度报告', agency: '某县人民政府', year: 2021, publishedOn: '2022-01-20' });
    expect(record.sections.map((section) => section.present)).toEqual([true, true, true, false, false, false]);
    expect(record.narrative).toEqual({ proactiveItems: 12 });
  });
});

describe('one-line flattened table 三: digit runs glued to the next label and its item number', () => {
  const source = withoutLineBreaks(readFixture('test/fixtures/layouts/001-nonzero-flattened.txt').toString('utf8'));
  const { record, cells } = parse(plainDocument(source));

  test('the item number after a row is not read as its last digit', () => {
    expect(source).toContain('1.本机关不掌握相关政府信息8218321432.没有现成信息需要另行制作');
    const applications = record.tables.applications as Record<string, Record<string, Record<string, number>>>;
    expect(applications.unableToProvide.notHeld).toEqual({ naturalPerson: 8, commercial: 21, research: 8, social: 3, legal: 2, other: 1, total: 43 });
  });

  test('every cell read points at its own digits in the one-line source', () => {
    const read = cells.filter((cell) => cell.value !== null);
    expect(read.length).toBeGreaterThan(150);
    for (const cell of read) {
      expect(cell.provenance.line).toBe(0);
      expect(source.slice(cell.provenance.start, cell.provenance.end)).toBe(cell.raw);
    }
  });
});
