/**
 * The formats offices send besides PDF, HTML and DOCX: OFD (GB/T 33190), Word 97-2003 .doc and WPS
 * .wps (test/fixtures/formats, made by tools/make-format-fixtures.ts from
 * test/fixtures/parse/001-nonzero.txt). Each reads to the text fixture's tables; damaged, disguised
 * and oversized files fail with a clear permanent error.
 */
import fs from 'node:fs';
import path from 'node:path';
import CFB from 'cfb';
import { strToU8, zipSync } from 'fflate';
import { PermanentError, type PermanentErrorCode } from '../../shared/errors';
import { describeSource, type ReportTables } from '../../shared/record';
import { detectMediaType, extractDocument, MEDIA_TYPE } from '../../workers/ingest/core';
import { MAX_OFD_XML_BYTES, readOfdPages } from '../../workers/ingest/ofd';
import { normalizeDocument } from '../../workers/normalize/core';
import { parseReport } from '../../workers/parse/core';
import { ofdPackage } from '../../tools/make-format-fixtures';
import { parseText } from '../fixtures/parse/documents';

const FORMATS = path.resolve(__dirname, '../fixtures/formats');
const TEXT_FIXTURE = path.resolve(__dirname, '../fixtures/parse/001-nonzero.txt');
const OFD = fs.readFileSync(path.join(FORMATS, '001-nonzero.ofd'));
const DOC = fs.readFileSync(path.join(FORMATS, '001-nonzero.doc'));
const WPS = fs.readFileSync(path.join(FORMATS, '001-nonzero.wps'));
const POINTS_PER_MM = 72 / 25.4;

const tablesOf = ({ active, applications, reviewLitigation }: ReportTables): ReportTables => ({ active, applications, reviewLitigation });

async function permanentError(promise: Promise<unknown>, code: PermanentErrorCode): Promise<PermanentError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(PermanentError);
  expect((error as PermanentError).code).toBe(code);
  return error as PermanentError;
}

/** A compound file holding the given streams, as Office and WPS write them. */
function compoundFile(streams: Record<string, Buffer>): Buffer {
  const container = CFB.utils.cfb_new();
  for (const [name, content] of Object.entries(streams)) CFB.utils.cfb_add(container, name, content);
  return Buffer.from(CFB.write(container, { type: 'buffer' }) as Uint8Array);
}

/** The .doc fixture with its WordDocument stream changed. */
function withWordDocument(change: (stream: Buffer) => void): Buffer {
  const container = CFB.read(DOC, { type: 'buffer' });
  const entry = CFB.find(container, 'WordDocument')!;
  const stream = Buffer.from(entry.content as Uint8Array);
  change(stream);
  entry.content = stream;
  return Buffer.from(CFB.write(container, { type: 'buffer' }) as Uint8Array);
}

/** A zip's first central directory entry claims this uncompressed size. */
function withDeclaredSize(zip: Buffer, size: number): Buffer {
  const patched = Buffer.from(zip);
  const central = patched.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  patched.writeUInt32LE(size, central + 24);
  return patched;
}

describe('media types', () => {
  test.each([
    ['an OFD by its OFD.xml', OFD, 'report', MEDIA_TYPE.ofd],
    ['a Word 97-2003 file by its WordDocument stream', DOC, 'report.bin', MEDIA_TYPE.legacyWord],
    ['a WPS Writer file: a WordDocument stream under .wps', WPS, '2021年报.wps', MEDIA_TYPE.wps],
    ['an Excel 97-2003 workbook', compoundFile({ Workbook: Buffer.alloc(600, 1) }), 'report.doc', MEDIA_TYPE.legacyExcel],
    ['a PowerPoint 97-2003 file', compoundFile({ 'PowerPoint Document': Buffer.alloc(600, 1) }), 'report.ppt', MEDIA_TYPE.legacyPowerPoint],
    ['a zip that is neither DOCX nor OFD', Buffer.from(zipSync({ 'data.csv': strToU8('a,b\n1,2\n') })), 'report.zip', MEDIA_TYPE.unknown],
  ])('%s', (_, bytes, fileName, mediaType) => {
    expect(detectMediaType(bytes, fileName)).toBe(mediaType);
  });
});

describe('each format reads to the text fixture’s tables', () => {
  const expected = tablesOf(parseText(fs.readFileSync(TEXT_FIXTURE, 'utf8')).record.tables);

  test.each([
    ['001-nonzero.ofd', MEDIA_TYPE.ofd, 3],
    ['001-nonzero.doc', MEDIA_TYPE.legacyWord, 1],
    ['001-nonzero.wps', MEDIA_TYPE.wps, 1],
  ])('%s', async (fileName, mediaType, pageCount) => {
    const document = await extractDocument({ bytes: fs.readFileSync(path.join(FORMATS, fileName)), fileName });
    expect(document.mediaType).toBe(mediaType);
    expect(document.pages).toHaveLength(pageCount);
    const source = describeSource({ sha256: '0'.repeat(64), fileName, mediaType }, document.pages);
    const parsed = parseReport(normalizeDocument(document), source);
    expect(parsed.record.meta).toMatchObject({ agency: '湛河区城市管理局', year: 2021, template: '2021' });
    expect(tablesOf(parsed.record.tables)).toEqual(expected);
  });
});

describe('OFD', () => {
  test('text objects and borders become positioned text and rulings in points: CTM, Boundary, DeltaX runs and gaps', () => {
    const objects = [
      // 'g 2 3' is two advances of 3 mm; the 10 mm advance is a gap between two runs, as between cells.
      '<ofd:PageBlock><ofd:TextObject ID="1" Boundary="20 30 40 5" Font="1" Size="3"><ofd:TextCode X="0" Y="2.64" DeltaX="g 2 3 10 3 3">规章制度12</ofd:TextCode></ofd:TextObject></ofd:PageBlock>',
      // Size in object units, scaled by the CTM and moved by the Boundary.
      '<ofd:TextObject ID="2" Boundary="100 50 50 10" CTM="0.5 0 0 0.5 0 0" Font="1" Size="6"><ofd:TextCode X="0" Y="5.28">标题</ofd:TextCode></ofd:TextObject>',
      '<ofd:PathObject ID="3" Boundary="10 100 80 20" LineWidth="0.25"><ofd:AbbreviatedData>M 0 0 L 80 0 L 80 20 L 0 20 C</ofd:AbbreviatedData></ofd:PathObject>',
      // A border drawn as a thin filled bar.
      '<ofd:PathObject ID="4" Boundary="10 110 80 0.3" Fill="true" Stroke="false"><ofd:AbbreviatedData>M 0 0 L 80 0 L 80 0.3 L 0 0.3 C</ofd:AbbreviatedData></ofd:PathObject>',
    ].join('');
    const [page] = readOfdPages(ofdPackage([{ objects, width: 210, height: 297 }]), { maxPages: 10 });
    const inMm = (values: number[]) => values.map((value) => Math.round((value / POINTS_PER_MM) * 100) / 100);

    expect(inMm([page.width, page.height])).toEqual([210, 297]);
    expect(page.items.map((item) => [item.text, inMm(item.box)])).toEqual([
      ['规章制', [20, 30, 29, 33]],
      ['度12', [36, 30, 43.5, 33]],
      ['标题', [100, 50, 106, 53]],
    ]);
    const rulings = (list: typeof page.rulings.horizontal) => list.map((ruling) => inMm([ruling.pos, ruling.from, ruling.to])).sort((a, b) => a[0] - b[0]);
    expect(rulings(page.rulings.horizontal)).toEqual([
      [100, 10, 90],
      [110.15, 10, 90],
      [120, 10, 90],
    ]);
    expect(rulings(page.rulings.vertical)).toEqual([
      [10, 100, 120],
      [90, 100, 120],
    ]);
  });

  test('the fixture’s pages carry the title and the tables as tab-separated rows', async () => {
    const { pages } = await extractDocument({ bytes: OFD, fileName: '001-nonzero.ofd' });
    expect(pages.every((page) => page.source === 'ofd' && !page.needsOcr)).toBe(true);
    const text = pages.map((page) => page.text).join('\n');
    expect(text.split('\n')[0]).toBe('湛河区城市管理局2021年政府信息公开工作年度报告');
    expect(text).toContain('规章\t1\t0\t12');
    expect(text).toMatch(/(?:^|\t)4\.保护第三方合法权益\t0\t1\t0\t13\t0\t2\t16$/m);
    expect(text).toMatch(/^3\t1\t0\t1\t5\t1\t0\t1\t0\t2\t0\t1\t0\t0\t1$/m);
  });

  test('a damaged zip is CORRUPT_FILE', async () => {
    await permanentError(extractDocument({ bytes: OFD.subarray(0, OFD.length - 200), fileName: 'report.ofd' }), 'CORRUPT_FILE');
  });

  test('a zip named .ofd without OFD.xml is CORRUPT_FILE, one without a name is not an OFD at all', async () => {
    const zip = Buffer.from(zipSync({ 'Doc_0/Document.xml': strToU8('<ofd:Document/>') }));
    const error = await permanentError(extractDocument({ bytes: zip, fileName: 'report.ofd' }), 'CORRUPT_FILE');
    expect(error.message).toContain('OFD.xml');
    await permanentError(extractDocument({ bytes: zip, fileName: 'report.zip' }), 'UNSUPPORTED_MEDIA');
  });

  test('a page missing from the package is CORRUPT_FILE', async () => {
    const zip = Buffer.from(zipSync({ 'OFD.xml': strToU8('<ofd:OFD xmlns:ofd="x"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>'), 'Doc_0/Document.xml': strToU8('<ofd:Document xmlns:ofd="x"><ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>') }));
    const error = await permanentError(extractDocument({ bytes: zip, fileName: 'report.ofd' }), 'CORRUPT_FILE');
    expect(error.message).toContain('Doc_0/Pages/Page_0/Content.xml');
  });

  test('more pages than the limit is TOO_LARGE', async () => {
    const error = await permanentError(extractDocument({ bytes: OFD, fileName: 'report.ofd' }, { maxPages: 2 }), 'TOO_LARGE');
    expect(error.message).toMatch(/3 页.*上限 2 页/);
  });

  test('a zip bomb is TOO_LARGE before it is inflated', async () => {
    const bomb = Buffer.from(zipSync({ 'OFD.xml': new Uint8Array(20 * 1024 * 1024) }, { level: 9 }));
    expect(bomb.length).toBeLessThan(100 * 1024);
    const error = await permanentError(extractDocument({ bytes: bomb, fileName: 'report.ofd' }), 'TOO_LARGE');
    expect(error.message).toContain('压缩比');
  });

  test('declared sizes bound the XML: too much is TOO_LARGE, an understated part is cut short, not inflated', async () => {
    await permanentError(extractDocument({ bytes: withDeclaredSize(OFD, MAX_OFD_XML_BYTES + 1), fileName: 'report.ofd' }), 'TOO_LARGE');
    // OFD.xml is the package's first part: claiming 10 bytes leaves it unreadable rather than letting it grow.
    await permanentError(extractDocument({ bytes: withDeclaredSize(OFD, 10), fileName: 'report.ofd' }), 'CORRUPT_FILE');
  });
});

describe('Word 97-2003 and WPS', () => {
  test('table rows come out one per line as tab-separated cells, merged cells empty, prose as lines', async () => {
    const { pages } = await extractDocument({ bytes: DOC, fileName: '001-nonzero.doc' });
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({ number: 1, source: 'doc', needsOcr: false });
    const lines = pages[0].text.split('\n');
    expect(lines[0]).toBe('湛河区城市管理局2021年政府信息公开工作年度报告');
    expect(lines).toContain('规章\t1\t0\t12');
    expect(lines).toContain('一、本年新收政府信息公开申请数量\t1315\t155\t129\t142\t184\t110\t2035');
    expect(lines).toContain('\t（二）部分公开（区分处理的，只计这一情形，不计其他情形）\t0\t3\t21\t0\t13\t1\t38');
    expect(lines).toContain('\t\t2.其他法律行政法规禁止公开\t0\t13\t5\t0\t21\t0\t39');
    expect(lines).toContain('3\t1\t0\t1\t5\t1\t0\t1\t0\t2\t0\t1\t0\t0\t1');
    expect(lines).toContain('六、其他需要报告的事项');
  });

  test('a WPS file reads like the Word file it is built as', async () => {
    const [fromDoc, fromWps] = await Promise.all([extractDocument({ bytes: DOC, fileName: 'a.doc' }), extractDocument({ bytes: WPS, fileName: 'a.wps' })]);
    expect(fromWps.mediaType).toBe(MEDIA_TYPE.wps);
    expect(fromWps.pages[0].text).toBe(fromDoc.pages[0].text);
  });

  test('a .wps without a Word text stream (an early WPS format) is UNSUPPORTED_MEDIA saying so', async () => {
    const error = await permanentError(extractDocument({ bytes: compoundFile({ Contents: Buffer.alloc(600, 7) }), fileName: '报告.wps' }), 'UNSUPPORTED_MEDIA');
    expect(error.message).toContain('早期 WPS 格式');
  });

  test('an Excel workbook sent as a report is UNSUPPORTED_MEDIA naming what it is', async () => {
    const error = await permanentError(extractDocument({ bytes: compoundFile({ Workbook: Buffer.alloc(600, 1) }), fileName: '统计表.xls' }), 'UNSUPPORTED_MEDIA');
    expect(error.message).toContain('Excel 97-2003');
    expect(error.message).toMatch(/unsupported type .*Supported types:/);
  });

  test('a truncated .doc is CORRUPT_FILE', async () => {
    await permanentError(extractDocument({ bytes: DOC.subarray(0, 20_000), fileName: 'report.doc' }), 'CORRUPT_FILE');
  });

  test('a password-protected .doc is ENCRYPTED_FILE', async () => {
    const encrypted = withWordDocument((stream) => stream.writeUInt16LE(stream.readUInt16LE(10) | 0x0100, 10));
    await permanentError(extractDocument({ bytes: encrypted, fileName: 'report.doc' }), 'ENCRYPTED_FILE');
  });

  test('a Word 6/95 file is UNSUPPORTED_MEDIA', async () => {
    const word95 = withWordDocument((stream) => stream.writeUInt16LE(0x0065, 2));
    const error = await permanentError(extractDocument({ bytes: word95, fileName: 'report.doc' }), 'UNSUPPORTED_MEDIA');
    expect(error.message).toContain('Word 6.0/95');
  });
});
