import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { Document, Packer, Paragraph, Table, TableCell, TableRow } from 'docx';
import iconv from 'iconv-lite';
import { pdfkitBytes } from '../../tools/pdfkit-bytes';
import { PermanentError, type PermanentErrorCode } from '../../shared/errors';
import { closePdfReader, detectMediaType, extractDocument, MAX_TEXT_CHARACTERS, MEDIA_TYPE } from '../../workers/ingest/core';
import { READ_IN_WORKER_MAX_BYTES, readsInWorker } from '../../workers/ingest/extract-task';
import { garbledShare } from '../../workers/ingest/pdf-text';
import { docxBomb, nestedHtml, pdfFlateBomb } from '../support/hostile-corpus';

const SAMPLES = path.join(__dirname, '../../samples');
const SEED_FILES = fs.readdirSync(SAMPLES).filter((name) => name.endsWith('.txt')).sort();
const SAMPLE_PDF = fs.readFileSync(path.join(SAMPLES, '001_8775b43b601402e9.pdf'));

afterAll(closePdfReader);

// ---------------------------------------------------------------------------------------------
// Fixture builders

/** An 8-bit greyscale PNG with a diagonal pattern, so it is not a flat colour. */
function greyscalePng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(typeAndData));
    return Buffer.concat([length, typeAndData, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth; colour type 0 (greyscale) and the rest stay 0
  const scanlines = Buffer.alloc((width + 1) * height); // each row: filter byte 0, then pixels
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) scanlines[y * (width + 1) + 1 + x] = (x + y) % 2 === 0 ? 0 : 255;
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(scanlines)), chunk('IEND', Buffer.alloc(0))]);
}

function pdfkitPdf(options: PDFKit.PDFDocumentOptions, draw: (doc: PDFKit.PDFDocument) => void): Promise<Buffer> {
  return pdfkitBytes({ size: 'A4', ...options }, draw);
}

/** A one-page PDF in the non-embedded Adobe-GB1 font STSong-Light, as older generators wrote them. */
function nonEmbeddedCjkFontPdf(text: string): Buffer {
  const utf16be = Buffer.from(text, 'utf16le').swap16().toString('hex');
  const content = `BT /F1 24 Tf 72 720 Td <${utf16be}> Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>',
    '<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 7 0 R >>',
    '<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets = objects.map((body, index) => {
    const offset = pdf.length;
    pdf += `${index + 1} 0 obj\n${body}\nendobj\n`;
    return offset;
  });
  const xrefOffset = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  pdf += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xrefOffset}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

/** Reproducible noise: a SHA-256 hash chain. */
function noise(length: number): Buffer {
  const blocks: Buffer[] = [];
  let block = createHash('sha256').update('ingest test').digest();
  for (let size = 0; size < length; size += block.length) {
    blocks.push(block);
    block = createHash('sha256').update(block).digest();
  }
  return Buffer.concat(blocks).subarray(0, length);
}

async function permanentErrorOf(promise: Promise<unknown>): Promise<PermanentError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  if (!(error instanceof PermanentError)) throw new Error(`expected a PermanentError, got ${String(error)}`);
  return error;
}

async function expectPermanent(promise: Promise<unknown>, code: PermanentErrorCode): Promise<PermanentError> {
  const error = await permanentErrorOf(promise);
  expect(error.code).toBe(code);
  return error;
}

// ---------------------------------------------------------------------------------------------

describe('detectMediaType', () => {
  it.each([
    ['PDF magic beats the extension', Buffer.from('%PDF-1.7\n'), 'report.html', MEDIA_TYPE.pdf],
    ['PNG magic', greyscalePng(2, 2), 'scan', MEDIA_TYPE.png],
    ['JPEG magic', Buffer.from([0xff, 0xd8, 0xff, 0xe0]), 'scan.bin', MEDIA_TYPE.jpeg],
    ['TIFF magic', Buffer.from([0x49, 0x49, 0x2a, 0x00]), 'scan', MEDIA_TYPE.tiff],
    ['HTML by sniffing', Buffer.from('\n<!DOCTYPE html><html></html>'), 'report', MEDIA_TYPE.html],
    ['HTML by extension', Buffer.from('报告'), 'report.htm', MEDIA_TYPE.html],
    ['text by content', Buffer.from('二〇二一年度报告\n'), 'report', MEDIA_TYPE.plain],
    ['noise', noise(4096), 'report.bin', MEDIA_TYPE.unknown],
  ])('%s', (_, bytes, fileName, mediaType) => {
    expect(detectMediaType(bytes, fileName)).toBe(mediaType);
  });
});

describe('readsInWorker: small text and HTML are read on the worker’s thread, everything else in a reader process', () => {
  const OLE_HEADER = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, ...Buffer.from('\n二〇二一年度报告\n')]);
  it.each([
    ['a text report', Buffer.from('二〇二一年度报告\n'), 'report.txt', true],
    ['an HTML page', Buffer.from('<!DOCTYPE html><html><body><p>报告</p></body></html>'), 'report', true],
    ['a text file of 1 MB', Buffer.alloc(READ_IN_WORKER_MAX_BYTES, '报'), 'report.txt', true],
    ['a text file over 1 MB', Buffer.alloc(READ_IN_WORKER_MAX_BYTES + 1, 'a'), 'report.txt', false],
    ['a PDF named .txt', Buffer.from('%PDF-1.7\n'), 'report.txt', false],
    ['a compound file named .txt, whose directory is not read here', OLE_HEADER, 'report.txt', false],
    ['a PNG', greyscalePng(2, 2), 'scan.png', false],
    ['noise', noise(4096), 'report.bin', false],
  ])('%s', (_, bytes, fileName, inWorker) => {
    expect(readsInWorker(bytes, fileName)).toBe(inWorker);
  });
});

describe('plain text', () => {
  it.each(SEED_FILES)('reads seed %s as UTF-8, unchanged', async (name) => {
    const bytes = fs.readFileSync(path.join(SAMPLES, name));
    const document = await extractDocument({ bytes, fileName: name });
    expect(document).toMatchObject({ mediaType: MEDIA_TYPE.plain, encoding: 'utf-8' });
    expect(document.pages).toEqual([
      { number: 1, text: bytes.toString('utf8'), source: 'plain', needsOcr: false, ocrReason: null },
    ]);
  });

  it('decodes a GB18030 file to the same text', async () => {
    const text = fs.readFileSync(path.join(SAMPLES, SEED_FILES[1]), 'utf8');
    const document = await extractDocument({ bytes: iconv.encode(text, 'gb18030'), fileName: 'report.txt' });
    expect(document.encoding).toBe('gb18030');
    expect(document.pages[0].text).toBe(text);
  });

  it('honours a UTF-16LE byte-order mark and turns CRLF into LF', async () => {
    const bytes = iconv.encode('第一行\r\n第二行\r\n', 'utf-16le', { addBOM: true });
    const document = await extractDocument({ bytes, fileName: 'report.txt' });
    expect(document.encoding).toBe('utf-16le');
    expect(document.pages[0].text).toBe('第一行\n第二行\n');
  });
});

describe('HTML', () => {
  const page = `<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>不应出现</title><style>td { color: red }</style></head>
<body>
<div class="title">湛河区城市管理局2021年政府信息公开工作年度报告</div>
<p>一、总体情况</p>
<p>区城管局&nbsp;按照要求，
   结合本部门工作<br>完善公开制度。</p>
<script>document.write('<p>不应出现</p>');</script>
<div><table border="1">
  <tbody>
  <tr><td rowspan="2">信息内容</td><td colspan="2">本年处理决定数量</td></tr>
  <tr><td>行政许可</td><td> 0 </td></tr>
  <tr><td><p>行政</p><p>处罚</p></td><td>&nbsp;</td><td>3</td></tr>
  </tbody>
</table></div>
</body></html>`;

  it('decodes GBK and renders text like innerText, one line per table row', async () => {
    const document = await extractDocument({ bytes: iconv.encode(page, 'gbk'), fileName: 'report.html' });
    expect(document).toMatchObject({ mediaType: MEDIA_TYPE.html, encoding: 'gb18030' });
    const [extracted] = document.pages;
    expect(extracted).toMatchObject({ number: 1, source: 'html', needsOcr: false, ocrReason: null });
    expect(extracted.text.split('\n')).toEqual([
      '湛河区城市管理局2021年政府信息公开工作年度报告',
      '',
      '一、总体情况',
      '',
      '区城管局 按照要求， 结合本部门工作',
      '完善公开制度。',
      '',
      '信息内容\t本年处理决定数量',
      '行政许可\t0',
      '行政 处罚\t \t3',
    ]);
    expect(extracted.lineOrigins).toEqual([
      'body>div[1]',
      '',
      'body>p[1]',
      '',
      'body>p[2]',
      'body>p[2]',
      '',
      'body>div[2]>table[1]>tr[1]',
      'body>div[2]>table[1]>tr[2]',
      'body>div[2]>table[1]>tr[3]',
    ]);
  });

  it('falls back to GB18030 when there is no charset and the bytes are not UTF-8', async () => {
    const bytes = iconv.encode('<html><body><p>政府信息公开</p></body></html>', 'gbk');
    const document = await extractDocument({ bytes, fileName: 'report.htm' });
    expect(document.encoding).toBe('gb18030');
    expect(document.pages[0].text).toBe('政府信息公开');
  });
});

describe('DOCX', () => {
  it('comes out through the HTML path, table rows as tab-separated lines', async () => {
    const cell = (text: string, columnSpan?: number) => new TableCell({ children: [new Paragraph(text)], columnSpan });
    const word = new Document({
      sections: [
        {
          children: [
            new Paragraph('二、主动公开政府信息情况'),
            new Table({
              rows: [
                new TableRow({ children: [cell('信息内容'), cell('本年新制作数量'), cell('本年新公开数量')] }),
                new TableRow({ children: [cell('规章'), cell('0'), cell('0')] }),
                new TableRow({ children: [cell('行政许可'), cell('12', 2)] }),
              ],
            }),
          ],
        },
      ],
    });
    const bytes = await Packer.toBuffer(word);
    expect(detectMediaType(bytes, 'report')).toBe(MEDIA_TYPE.docx);

    const document = await extractDocument({ bytes, fileName: 'report.docx' });
    expect(document.mediaType).toBe(MEDIA_TYPE.docx);
    expect(document.pages[0]).toMatchObject({ number: 1, source: 'docx', needsOcr: false });
    expect(document.pages[0].text.split('\n')).toEqual([
      '二、主动公开政府信息情况',
      '',
      '信息内容\t本年新制作数量\t本年新公开数量',
      '规章\t0\t0',
      '行政许可\t12',
    ]);
    expect(document.pages[0].lineOrigins?.slice(2)).toEqual(['body>table[1]>tr[1]', 'body>table[1]>tr[2]', 'body>table[1]>tr[3]']);
  });

  it('reports a truncated DOCX as corrupt', async () => {
    const word = new Document({ sections: [{ children: [new Paragraph('年度报告')] }] });
    const bytes = await Packer.toBuffer(word);
    await expectPermanent(extractDocument({ bytes: bytes.subarray(0, bytes.length / 2), fileName: 'report.docx' }), 'CORRUPT_FILE');
  });
});

describe('PDF', () => {
  it('reads the sample report page by page, with no page needing OCR', async () => {
    const document = await extractDocument({ bytes: SAMPLE_PDF, fileName: '001_8775b43b601402e9.pdf' });
    expect(document.mediaType).toBe(MEDIA_TYPE.pdf);
    expect(document.pages.map((page) => page.number)).toEqual([1, 2, 3, 4]);
    for (const page of document.pages) {
      expect(page).toMatchObject({ source: 'pdf-text', needsOcr: false, ocrReason: null });
    }
    const text = document.pages.map((page) => page.text).join('\n');
    expect(document.pages[0].text.split('\n')[0]).toBe('湛河区城市管理局2021年政府信息公开工作年度报告');
    for (const label of ['本年新收政府信息公开申请数量', '1.属于国家秘密', '(七) 总计', '行政事业性收费', '未经复议直接起诉']) {
      expect(text).toContain(label);
    }
    // The table is rebuilt from its rulings: each row one line, its cells separated by tabs.
    expect(text).toContain('四、结转下年度继续办理\t0\t0\t0\t0\t0\t0\t0');
  });

  it('flags a page that only paints an image, and not a blank page', async () => {
    const bytes = await pdfkitPdf({}, (doc) => {
      doc.image(greyscalePng(300, 400), 50, 50, { width: 495 });
      doc.addPage(); // blank
      doc.addPage();
      doc.image(greyscalePng(300, 400), 50, 50, { width: 495 });
      doc.text('page 3', 50, 700);
    });
    const document = await extractDocument({ bytes, fileName: 'scan.pdf' });
    expect(document.pages.map(({ number, needsOcr, ocrReason }) => ({ number, needsOcr, ocrReason }))).toEqual([
      { number: 1, needsOcr: true, ocrReason: 'no text layer' },
      { number: 2, needsOcr: false, ocrReason: null },
      { number: 3, needsOcr: true, ocrReason: 'too little text' },
    ]);
  });

  it('reads text in a non-embedded Chinese font through the packed CMaps', async () => {
    const document = await extractDocument({ bytes: nonEmbeddedCjkFontPdf('湛河区城市管理局'), fileName: 'old.pdf' });
    expect(document.pages[0].text).toBe('湛河区城市管理局');
  });

  it('refuses a truncated PDF as corrupt', async () => {
    const truncated = SAMPLE_PDF.subarray(0, Math.floor(SAMPLE_PDF.length * 0.4));
    const error = await expectPermanent(extractDocument({ bytes: truncated, fileName: 'report.pdf' }), 'CORRUPT_FILE');
    expect(error.message).toMatch(/damaged or incomplete/);
  });

  it('refuses a password-protected PDF as encrypted', async () => {
    const bytes = await pdfkitPdf({ userPassword: 'secret' }, (doc) => doc.text('annual report'));
    await expectPermanent(extractDocument({ bytes, fileName: 'report.pdf' }), 'ENCRYPTED_FILE');
  });

  it('refuses a PDF with more pages than allowed', async () => {
    const error = await expectPermanent(
      extractDocument({ bytes: SAMPLE_PDF, fileName: 'report.pdf' }, { maxPages: 3 }),
      'TOO_LARGE',
    );
    expect(error.message).toContain('4 pages');
  });

  it('gives up on a PDF that takes too long, and reads the next one in a fresh thread', async () => {
    await expectPermanent(extractDocument({ bytes: SAMPLE_PDF, fileName: 'report.pdf' }, { timeoutMs: 1 }), 'TOO_LARGE');
    const document = await extractDocument({ bytes: SAMPLE_PDF, fileName: 'report.pdf' });
    expect(document.pages).toHaveLength(4);
  });
});

describe('refused inputs', () => {
  it('an empty file', async () => {
    await expectPermanent(extractDocument({ bytes: Buffer.alloc(0), fileName: 'report.pdf' }), 'EMPTY_FILE');
  });

  it('more text than any one report, read up to the limit and no further', async () => {
    const atLimit = Buffer.from('政'.repeat(MAX_TEXT_CHARACTERS));
    expect((await extractDocument({ bytes: atLimit, fileName: 'report.txt' })).pages[0].text).toHaveLength(MAX_TEXT_CHARACTERS);
    const error = await expectPermanent(extractDocument({ bytes: Buffer.concat([atLimit, Buffer.from('务')]), fileName: 'report.txt' }), 'TOO_LARGE');
    expect(error.message).toContain('2,000,001');
  });

  it('bytes of no known type', async () => {
    const error = await expectPermanent(extractDocument({ bytes: noise(4096), fileName: 'report.bin' }), 'UNSUPPORTED_MEDIA');
    expect(error.message).toContain('application/octet-stream');
    expect(error.message).toContain('application/pdf');
  });

  it('a GIF, naming its type and the supported ones', async () => {
    const gif = Buffer.concat([Buffer.from('GIF89a'), noise(64)]);
    const error = await expectPermanent(extractDocument({ bytes: gif, fileName: 'scan.gif' }), 'UNSUPPORTED_MEDIA');
    expect(error.message).toContain('image/gif');
    expect(error.message).toContain('image/tiff');
  });

  it('an image that does not decode', async () => {
    const broken = greyscalePng(4, 4).subarray(0, 20);
    await expectPermanent(extractDocument({ bytes: broken, fileName: 'scan.png' }), 'CORRUPT_FILE');
  });
});

describe('image files are scans', () => {
  it('a PNG is one page to be read by OCR', async () => {
    const document = await extractDocument({ bytes: greyscalePng(4, 4), fileName: 'scan.png' });
    expect(document.mediaType).toBe('image/png');
    expect(document.pages).toEqual([{ number: 1, text: '', source: 'ocr', needsOcr: true, ocrReason: 'image file' }]);
  });

  it('a multi-page TIFF is one page per image', async () => {
    const tiff = fs.readFileSync(path.join(__dirname, '../fixtures/scans/003-scan.tif'));
    const document = await extractDocument({ bytes: tiff, fileName: '003-scan.tif' });
    expect(document.mediaType).toBe('image/tiff');
    expect(document.pages.map((page) => page.number)).toEqual([1, 2, 3, 4]);
    expect(document.pages.every((page) => page.needsOcr)).toBe(true);
  });
});

describe('garbled text layers', () => {
  it('counts replacement, private-use and Latin-1 mojibake characters, not Chinese or ASCII', () => {
    expect(garbledShare('政府信息公开工作年度报告 2021')).toBe(0);
    expect(garbledShare('\uE001\uE002\uE003政府')).toBeCloseTo(0.6);
    expect(garbledShare('ÕþÓÐÐÅÏ¢¹«¿ª')).toBe(1);
    expect(garbledShare('   ')).toBe(0);
  });
});

describe('reader limits: hostile files fail fast with a precise message', () => {
  const MB = 1024 * 1024;

  it('a DOCX zip bomb is refused from its headers, and from the bytes it inflates to when the headers lie', async () => {
    for (const lyingHeaders of [false, true]) {
      const started = Date.now();
      const error = await expectPermanent(extractDocument({ bytes: docxBomb(32 * MB, { lyingHeaders }), fileName: 'bomb.docx' }), 'TOO_LARGE');
      expect(error.message).toMatch(/^Word 文档中的 word\/document\.xml 压缩比超过 200 倍.*inflates to more than 200 times/);
      expect(Date.now() - started).toBeLessThan(2000);
    }
  });

  it('a DOCX past the inflated total is refused, whatever its ratio', async () => {
    const error = await expectPermanent(extractDocument({ bytes: docxBomb(8 * MB), fileName: 'big.docx' }, { maxInflatedBytes: 4 * MB, maxCompressionRatio: 1e6 }), 'TOO_LARGE');
    expect(error.message).toMatch(/^Word 文档解压后超过 4 MB.*inflates past 4 MB/);
  });

  it('200,000 nested <div>s are refused while parsing (no stack overflow), and nesting within the limit is read', async () => {
    const started = Date.now();
    const error = await expectPermanent(extractDocument({ bytes: nestedHtml(200_000), fileName: 'deep.html' }), 'TOO_LARGE');
    expect(error.message).toMatch(/^网页的元素嵌套超过 256 层.*nests elements more than 256 deep/);
    expect(Date.now() - started).toBeLessThan(2000);
    const document = await extractDocument({ bytes: nestedHtml(200), fileName: 'nested.html' });
    expect(document.pages[0].text).toBe('政府信息公开工作年度报告');
  });

  it('a PDF whose content stream inflates past the limit is refused before pdf.js decodes it', async () => {
    const started = Date.now();
    const error = await expectPermanent(extractDocument({ bytes: pdfFlateBomb(64 * MB), fileName: 'bomb.pdf' }, { maxInflatedBytes: 16 * MB }), 'TOO_LARGE');
    expect(error.message).toMatch(/^PDF 中有一个数据流解压后超过 16 MB.*inflates past 16 MB/);
    expect(Date.now() - started).toBeLessThan(2000);
    // The sample's own streams pass.
    expect((await extractDocument({ bytes: SAMPLE_PDF, fileName: 'report.pdf' }, { maxInflatedBytes: MB })).pages.length).toBeGreaterThan(1);
  });

  it('plain text and HTML over their byte limits are refused before decoding', async () => {
    const text = Buffer.from('政府信息公开\n'.repeat(1000));
    const error = await expectPermanent(extractDocument({ bytes: text, fileName: 'long.txt' }, { maxTextCharacters: 1000 }), 'TOO_LARGE');
    expect(error.message).toContain(`long.txt 有 ${text.length.toLocaleString('en')} 字节，超过纯文本的上限 4,000 字节`);
    const html = Buffer.from(`<html><body>${'<p>政府信息公开</p>'.repeat(1000)}</body></html>`);
    await expectPermanent(extractDocument({ bytes: html, fileName: 'long.html' }, { maxHtmlBytes: 10_000 }), 'TOO_LARGE');
    // Within 4 bytes a character but over the characters: refused after decoding, with the count.
    const error2 = await expectPermanent(extractDocument({ bytes: Buffer.from('政'.repeat(1001)), fileName: 'a.txt' }, { maxTextCharacters: 1000 }), 'TOO_LARGE');
    expect(error2.message).toContain('1,001');
  });
});
