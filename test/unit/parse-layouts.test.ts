/**
 * One report in every layout it is published in (test/fixtures/layouts, made by
 * tools/make-layout-fixtures.ts from test/fixtures/parse/001-nonzero.txt), read end to end through
 * the real ingest core, normalize and parse. Each must give the text fixture's tables.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describeSource, type ExtractedDocument, type ParsedReport, type ReportTables } from '../../shared/record';
import { closePdfReader, extractDocument } from '../../workers/ingest/core';
import { normalizeDocument } from '../../workers/normalize/core';
import { parseReport } from '../../workers/parse/core';
import { parseText } from '../fixtures/parse/documents';
import { expectNonzeroTables } from '../fixtures/parse/nonzero';

const LAYOUTS = path.resolve(__dirname, '../fixtures/layouts');
const PARSE_FIXTURES = path.resolve(__dirname, '../fixtures/parse');

interface Read {
  document: ExtractedDocument;
  parsed: ParsedReport;
}

async function readFile(file: string): Promise<Read> {
  const bytes = fs.readFileSync(file);
  const fileName = path.basename(file);
  const document = await extractDocument({ bytes, fileName });
  const source = describeSource({ sha256: '0'.repeat(64), fileName, mediaType: document.mediaType }, document.pages);
  return { document, parsed: parseReport(normalizeDocument(document), source) };
}

const tablesOf = ({ active, applications, reviewLitigation }: ReportTables): ReportTables => ({ active, applications, reviewLitigation });

const expected = tablesOf(parseText(fs.readFileSync(path.join(PARSE_FIXTURES, '001-nonzero.txt'), 'utf8')).record.tables);

afterAll(() => closePdfReader());

test('the text fixture, the reference for every layout, reads to its known numbers', () => {
  expectNonzeroTables(expected);
});

describe('HTML page with the official form: rowspan/colspan, blank cells, &nbsp;, GBK', () => {
  const file = path.join(LAYOUTS, '001-nonzero.html');

  test('the fixture is what it claims to be', () => {
    const html = fs.readFileSync(file, 'latin1');
    expect(html).toContain('charset=gbk');
    expect(html).toContain('rowspan="22"');
    expect(html).toContain('rowspan="8"');
    expect(html).toContain('colspan="5"');
    expect(html).toContain('<td><p align="center"><span>&nbsp;</span></p></td>');
  });

  test('reads to the same tables, with no findings', async () => {
    const { document, parsed } = await readFile(file);
    expect(document.encoding).toBe('gb18030');
    expect(tablesOf(parsed.record.tables)).toEqual(expected);
    expect(parsed.record.findings).toEqual([]);
    expect(parsed.record.meta).toMatchObject({ agency: '湛河区城市管理局', year: 2021, template: '2021' });
  });

  test('a cell of a rowspan group points at its table row', async () => {
    const { document, parsed } = await readFile(file);
    const cell = parsed.cells.find((extracted) => extracted.rowKey === 'denied.securityStability' && extracted.columnKey === 'total')!;
    expect(cell.value).toBe(69);
    expect(cell.provenance.domPath).toMatch(/^body>div\[1\]>table\[2\]>tr\[\d+\]$/);
    const line = document.pages[0].text.split('\n')[cell.provenance.line!];
    expect(line.startsWith('3.危及“三安全一稳定”\t')).toBe(true);
    expect(document.pages[0].text.slice(cell.provenance.start, cell.provenance.end)).toBe('69');
  });
});

describe('DOCX with the same tables (merged cells as gridSpan and vMerge)', () => {
  test('reads to the same tables, with no findings', async () => {
    const { document, parsed } = await readFile(path.join(LAYOUTS, '001-nonzero.docx'));
    expect(document.pages[0].source).toBe('docx');
    expect(tablesOf(parsed.record.tables)).toEqual(expected);
    expect(parsed.record.findings).toEqual([]);
  });
});

describe('crawler-flattened text: cells glued, table 四 on one line', () => {
  const file = path.join(LAYOUTS, '001-nonzero-flattened.txt');

  test('the fixture is what it claims to be', () => {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    expect(lines).toContain('一、本年新收政府信息公开申请数量13151551291421841102035');
    expect(lines.filter((line) => line.startsWith('行政复议行政诉讼'))).toEqual([expect.stringMatching(/总计310151010201001$/)]);
    expect(lines.some((line) => line.includes('\t'))).toBe(false);
  });

  test('tables 三 and 四 are cut by their arithmetic; only the two rows of 二 without any are ambiguous', async () => {
    const { parsed } = await readFile(file);
    const { record } = parsed;
    expect(record.tables.applications).toEqual(expected.applications);
    expect(record.tables.reviewLitigation).toEqual(expected.reviewLitigation);
    // "1012" is 1|0|12 or 10|1|2, "9275" is 9|2|75, 9|27|5 or 92|7|5: table 二 has no sum to choose by.
    expect(record.tables.active).toEqual({
      ...expected.active,
      regulations: { issued: null, repealed: null, inForce: null },
      normativeDocuments: { issued: null, repealed: null, inForce: null },
    });
    expect(record.findings.map((finding) => [finding.rule, finding.cells])).toEqual([
      ['TABLE_AMBIGUOUS', ['active.regulations.issued', 'active.regulations.repealed', 'active.regulations.inForce']],
      ['TABLE_AMBIGUOUS', ['active.normativeDocuments.issued', 'active.normativeDocuments.repealed', 'active.normativeDocuments.inForce']],
    ]);
  });
});

describe('PDF (text layer, cells separated by spaces), read in the ingest thread', () => {
  test('reads to the same tables, with no findings', async () => {
    const { document, parsed } = await readFile(path.join(PARSE_FIXTURES, '001-nonzero.pdf'));
    expect(document.pages.every((page) => page.source === 'pdf-text')).toBe(true);
    expect(tablesOf(parsed.record.tables)).toEqual(expected);
    expect(parsed.record.findings).toEqual([]);
  });
});
