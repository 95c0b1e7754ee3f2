import type { ExtractedDocument, NormalizedPage } from '../../shared/record';
import { normalizeDocument, sourceOffset } from '../../workers/normalize/core';
import { plainDocument, seedText, SEEDS } from '../fixtures/parse/documents';

function normalizeText(text: string): NormalizedPage {
  return normalizeDocument(plainDocument(text)).pages[0];
}

/** The source text a normalized span came from. */
function sourceOf(page: NormalizedPage, start: number, end: number): string {
  return page.sourceText.slice(sourceOffset(page, start), sourceOffset(page, end - 1) + 1);
}

describe('script detection', () => {
  test.each(Object.keys(SEEDS) as Array<keyof typeof SEEDS>)('seed %s', (seed) => {
    expect(normalizeDocument(plainDocument(seedText(seed))).script).toBe(seed === '003' ? 'traditional' : 'simplified');
  });

  test('Traditional text becomes Simplified, the tw way (文件 stays 文件)', () => {
    const page = normalizeText('攀枝花市米易縣2021年政府信息公開工作年度報告\n行政規范性文件 |\n本年收費金額(單位:萬元) |\n3.補正后申請內容仍不明確 |');
    expect(page.text).toBe('攀枝花市米易县2021年政府信息公开工作年度报告\n行政规范性文件 |\n本年收费金额(单位:万元) |\n3.补正后申请内容仍不明确 |');
  });

  test('a Simplified text with a stray Traditional character is left alone', () => {
    const text = '本单位著作权管理工作报告,一切正常,本年度无其他需要报告的事项。';
    expect(normalizeText(text).text).toBe(text);
  });

  test('one document, one script: every page is converted', () => {
    const doc: ExtractedDocument = {
      mediaType: 'application/pdf',
      pages: [
        { number: 1, text: '政府信息公開工作年度報告,總體情況與數據統計說明', source: 'pdf-text', needsOcr: false, ocrReason: null },
        { number: 2, text: '行政處罰', source: 'pdf-text', needsOcr: false, ocrReason: null },
      ],
    };
    const normalized = normalizeDocument(doc);
    expect(normalized.script).toBe('traditional');
    expect(normalized.pages[1].text).toBe('行政处罚');
  });
});

describe('width folding and label spaces', () => {
  test('full-width digits, letters and punctuation become ASCII', () => {
    expect(normalizeText('第二十条第（一）项：１２３ＡＢ，共５件').text).toBe('第二十条第(一)项:123AB,共5件');
  });

  test('spaces inside labels go; tabs, | and line breaks stay', () => {
    const page = normalizeText('商业 企业 |\n统 计 指 标\t单位\n三、本年度办　理结果\t0\t0\n');
    expect(page.text).toBe('商业企业 |\n统计指标\t单位\n三、本年度办理结果\t0\t0\n');
  });

  test('spaces between numbers, and between a label and a number, stay (they separate PDF cells)', () => {
    expect(normalizeText('行政许可 0 12\n(一) 予以公开 3').text).toBe('行政许可 0 12\n(一) 予以公开 3');
  });

  test('line breaks are unified and invisible characters dropped, keeping the line count', () => {
    const page = normalizeText('一、总体情况\r\n\u200b正文\r二、主动公开');
    expect(page.text).toBe('一、总体情况\n正文\n二、主动公开');
  });
});

describe('offset map', () => {
  test('every normalized character maps back to its source character', () => {
    const source = '（一）商業　企業：１２\r\n行政許可\t９５４４';
    const page = normalizeDocument(plainDocument(source)).pages[0];
    expect(page.text).toBe('(一)商业企业:12\n行政许可\t9544');
    expect(sourceOf(page, 0, 3)).toBe('（一）');
    expect(sourceOf(page, 3, 7)).toBe('商業　企業');
    const digits = page.text.indexOf('9544');
    expect(sourceOf(page, digits, digits + 4)).toBe('９５４４');
    expect(page.sourceText).toBe(source);
  });

  test('anchors ascend and start at 0', () => {
    const page = normalizeText(seedText('003'));
    expect(page.offsetMap[0]).toEqual([0, 0]);
    for (let i = 1; i < page.offsetMap.length; i++) {
      expect(page.offsetMap[i][0]).toBeGreaterThan(page.offsetMap[i - 1][0]);
      expect(page.offsetMap[i][1]).toBeGreaterThanOrEqual(page.offsetMap[i - 1][1]);
    }
  });

  test('on the seeds, each ASCII digit maps to the same digit in the source', () => {
    for (const seed of Object.keys(SEEDS) as Array<keyof typeof SEEDS>) {
      const page = normalizeText(seedText(seed));
      for (const match of page.text.matchAll(/\d/g)) {
        expect(page.sourceText[sourceOffset(page, match.index)]).toBe(match[0]);
      }
    }
  });

  test('HTML/DOCX line origins are kept', () => {
    const doc: ExtractedDocument = {
      mediaType: 'text/html',
      pages: [{ number: 1, text: 'a\nb', source: 'html', needsOcr: false, ocrReason: null, lineOrigins: ['/p[1]', '/p[2]'] }],
    };
    expect(normalizeDocument(doc).pages[0].lineOrigins).toEqual(['/p[1]', '/p[2]']);
  });

  test('OCR geometry and confidence are kept, keyed by the source lines and tab cells normalize leaves in place', () => {
    const ocr = {
      rotation: 0,
      skewDegrees: 0.4,
      width: 2480,
      height: 3508,
      dpi: 300,
      meanConfidence: 88,
      boxes: [{ line: 1, cell: 1, bbox: [10, 20, 30, 40] as [number, number, number, number], confidence: 62 }],
    };
    const doc: ExtractedDocument = {
      mediaType: 'application/pdf',
      pages: [{ number: 1, text: '行政處罰\r\n行政許可\t９５４４', source: 'ocr', needsOcr: true, ocrReason: 'no text layer', ocr }],
    };
    const page = normalizeDocument(doc).pages[0];
    expect(page.ocr).toEqual(ocr);
    expect(page.text.split('\n')[1].split('\t')).toEqual(['行政许可', '9544']);
  });
});

describe('normalize on long hostile text', () => {
  it('a long text keeps its offsets in typed arrays, and long space runs cost linear time', () => {
    const line = '政府信息公开　（１２）\u200b' + ' '.repeat(50) + '统 计 指 标\r\n';
    const text = line.repeat(Math.ceil(500_000 / line.length)).slice(0, 500_000);
    const started = Date.now();
    const page = normalizeText(text);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(page.text.startsWith('政府信息公开 (12)' + ' '.repeat(50) + '统计指标\n')).toBe(true);
    // The 2nd line's 统 points back at its source.
    const second = page.text.indexOf('统', page.text.indexOf('\n'));
    expect(page.sourceText[sourceOffset(page, second)]).toBe('统');

    // Deciding each space of a run by scanning the run would take 200,000² steps.
    const spaces = '政' + ' '.repeat(200_000) + '府';
    const spaced = Date.now();
    expect(normalizeText(spaces).text).toBe('政府');
    expect(Date.now() - spaced).toBeLessThan(2000);
  });
});
