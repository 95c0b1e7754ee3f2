/**
 * Pre-2019 statistics lists of every common shape (test/fixtures/legacy, made by
 * tools/make-legacy-fixtures.ts), read end to end from every layout — text, web page, Word, PDFs
 * printed by a browser and by a word processor — with their line breaks and without: each must give
 * the same indicators, values, cumulative figures and cross-template ids. Reports with no 统计表 give
 * the figures of their `label：N条` lines and list sentences, and no other number of their prose.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describeSource, type CanonicalRecord, type LegacyIndicator } from '../../shared/record';
import { recordIndicators } from '../../shared/template/indicators';
import { closePdfReader, extractDocument } from '../../workers/ingest/core';
import { normalizeDocument } from '../../workers/normalize/core';
import { parseReport } from '../../workers/parse/core';
import { checkLegacySubtotals } from '../../workers/validate/legacy-subtotal';
import {
  FIGURE_FILE_LAYOUTS,
  FIGURE_REPORTS,
  FIGURE_TEXT_LAYOUTS,
  FILE_LAYOUTS,
  fixtureName,
  LEGACY_REPORTS,
  TEXT_LAYOUTS,
  type LegacyReport,
} from '../fixtures/legacy/reports';
import { parseText, seedText } from '../fixtures/parse/documents';

const FIXTURES = path.resolve(__dirname, '../fixtures/legacy');

afterAll(() => closePdfReader());

async function readFile(name: string): Promise<CanonicalRecord> {
  const bytes = fs.readFileSync(path.join(FIXTURES, name));
  const document = await extractDocument({ bytes, fileName: name });
  const source = describeSource({ sha256: '0'.repeat(64), fileName: name, mediaType: document.mediaType }, document.pages);
  return parseReport(normalizeDocument(document), source).record;
}

const withoutLineBreaks = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8').replace(/\r?\n/g, '');

const numberOrNull = (printed: string) => (/^\d+(?:\.\d+)?$/.test(printed) ? Number(printed) : null);

/** What the list prints, row by row, as the record must hold it. */
function expectedList(report: LegacyReport) {
  return report.rows.map((row) => {
    const marker = row.marker === '' ? null : row.marker.replace(':', '');
    if (row.unit === null) return { label: row.label, marker, unit: null, value: null };
    return { label: row.label, marker, unit: row.unit, value: numberOrNull(row.value), ...(row.cumulative !== undefined ? { cumulative: numberOrNull(row.cumulative) } : {}) };
  });
}

const asRead = (list: LegacyIndicator[] | undefined) =>
  (list ?? []).map(({ label, marker, unit, value, cumulative }) => ({ label, marker, unit, value, ...(cumulative !== undefined ? { cumulative } : {}) }));

describe.each(LEGACY_REPORTS)('$name list', (report) => {
  const expected = expectedList(report);

  test.each([...TEXT_LAYOUTS, ...FILE_LAYOUTS])('%s reads every row', async (layout) => {
    const record = await readFile(fixtureName(report, layout));
    expect(record.meta.template).toBe('pre2019');
    expect(asRead(record.tables.legacy)).toEqual(expected);
    expect(record.findings.filter((finding) => finding.rule === 'TABLE_AMBIGUOUS')).toEqual([]);
  });

  test.each(TEXT_LAYOUTS)('%s without its line breaks reads the same record', async (layout) => {
    const name = fixtureName(report, layout);
    const { record } = parseText(withoutLineBreaks(name));
    expect(record.tables.legacy).toEqual((await readFile(name)).tables.legacy);
  });
});

describe.each(FIGURE_REPORTS)('$name: figures printed without a 统计表', (report) => {
  const expected = report.paragraphs.flatMap((paragraph) => paragraph.figures);

  test.each([...FIGURE_TEXT_LAYOUTS, ...FIGURE_FILE_LAYOUTS])('%s reads every figure and no other number', async (layout) => {
    const record = await readFile(fixtureName(report, layout));
    expect(record.meta).toMatchObject({ template: 'pre2019', agency: report.agency, year: report.year });
    expect(asRead(record.tables.legacy)).toEqual(expected);
    expect(checkLegacySubtotals(record)).toEqual([]);
  });

  test('with its lines broken every few characters, the same record', async () => {
    const text = fs.readFileSync(path.join(FIXTURES, fixtureName(report, 'txt')), 'utf8').replace(/\r?\n/g, '');
    const brokenEveryFive = text.replace(/(.{5})/gu, '$1\n');
    expect(parseText(brokenEveryFive).record.tables.legacy).toEqual((await readFile(fixtureName(report, 'txt'))).tables.legacy);
  });
});

describe('figures printed without a 统计表', () => {
  const read = (...paragraphs: string[]) => parseText(['某局2013年政府信息公开工作年度报告', ...paragraphs].join('\n')).record.tables.legacy ?? [];
  const labelsAndValues = (list: LegacyIndicator[]) => list.map(({ label, value }) => [label, value]);

  test('a sentence about other things gives no figure; dates, ordinals, approximations and figures inside a clause are prose', () => {
    expect(read('2013年，我局召开专题会议3次，培训60人次。全年接听咨询电话1000余次，按第9条要求在5个工作日内答复，统计期限自2013年1月1日至12月31日。')).toEqual([]);
  });

  test('a lone indicator in a sentence is read; a number with no unit only after a colon', () => {
    expect(labelsAndValues(read('本年度共受理政府信息公开申请12件。设立12345热线。', '行政复议数:0行政诉讼数:1'))).toEqual([
      ['受理政府信息公开申请', 12],
      ['行政复议数', 0],
      ['行政诉讼数', 1],
    ]);
  });

  test('outcomes repeated under 行政复议, 行政诉讼 and 举报投诉 map by their parent', () => {
    const list = read('行政复议数量:2件(一)维持具体行政行为数:1件(二)被依法纠错数:1件', '行政诉讼数量:1件(一)被依法纠错数:1件(二)其他情形数:0件', '举报投诉数量:3件(一)纠错数:1件');
    expect(list.map(({ key, indicator }) => [key, indicator])).toEqual([
      ['行政复议数量', 'reviewCases'],
      ['维持具体行政行为数', 'reviewUpheld'],
      ['被依法纠错数', 'reviewCorrected'],
      ['行政诉讼数量', 'litigationCases'],
      ['被依法纠错数#2', 'litigationCorrected'],
      ['其他情形数', 'litigationOther'],
      ['举报投诉数量', 'complaints'],
      ['纠错数', 'complaintsCorrected'],
    ]);
  });
});

describe('a 统计表 printed without its header row', () => {
  test('its label | unit | value rows are read from the first on', () => {
    const text = ['某局2015年政府信息公开工作年度报告', '附件', '(一)主动公开政府信息数 | 条 | 39 |', '(二)收到申请数 | 件 | |', '四、行政复议数量 | 件 | 2 |', '(二)被依法纠错数 | 件 | 1 |'].join('\n');
    expect(parseText(text).record.tables.legacy!.map(({ label, unit, value, indicator }) => [label, unit, value, indicator])).toEqual([
      ['主动公开政府信息数', '条', 39, 'proactive'],
      ['收到申请数', '件', null, 'applicationsReceived'],
      ['行政复议数量', '件', 2, 'reviewCases'],
      ['被依法纠错数', '件', 1, 'reviewCorrected'],
    ]);
  });
});

describe('what a four-column list holds', () => {
  test('本年度 and 历年累计 cells, placeholders kept, each label beside its indicator', async () => {
    const record = await readFile('four-column.tab.txt');
    const byLabel = (label: string) => record.tables.legacy!.find((indicator) => indicator.label === label)!;
    expect(byLabel('主动公开文件数')).toEqual({
      key: '主动公开文件数',
      label: '主动公开文件数',
      marker: '(一)',
      indicator: 'proactive',
      unit: '条',
      value: 2949,
      raw: '2949',
      cumulative: 81916,
      cumulativeRaw: '81916',
    });
    expect(byLabel('不同意公开答复数')).toMatchObject({ indicator: 'applicationsDenied', value: null, raw: '/', cumulative: null, cumulativeRaw: '/' });
    expect(byLabel('受理依申请公开信息总数').indicator).toBe('applicationsReceived');
    expect(byLabel('行政复议数').indicator).toBe('reviewCases');
    expect(byLabel('申诉数')).toMatchObject({ indicator: 'complaints', value: null, raw: '-', cumulative: 2 });
    expect(byLabel('当面申请数').indicator).toBeNull();
  });

  test('PDF text that prints a single number where there are two columns reads it as 本年度 and says so', () => {
    const text = ['某局2012年政府信息公开工作年度报告', '指标名称 计量单位 本年度 历年累计', '(一) 主动公开文件数 条 2949 81916', '三、行政复议数 件 3'].join('\n');
    const { record } = parseText(text);
    expect(record.tables.legacy!.map(({ label, value, cumulative }) => ({ label, value, cumulative }))).toEqual([
      { label: '主动公开文件数', value: 2949, cumulative: 81916 },
      { label: '行政复议数', value: 3, cumulative: null },
    ]);
    expect(record.findings).toContainEqual(expect.objectContaining({ rule: 'TABLE_AMBIGUOUS', cells: ['legacy.行政复议数', 'legacy.行政复议数.cumulative'] }));
  });
});

describe('seed 002 without its line breaks', () => {
  test('gives the identical list, cell for cell', () => {
    const asPrinted = parseText(seedText('002'));
    const oneLine = parseText(seedText('002').replace(/\r?\n/g, ''));
    expect(oneLine.record.tables.legacy).toEqual(asPrinted.record.tables.legacy);
    const valuesOf = (cells: typeof asPrinted.cells) => cells.map(({ rowKey, columnKey, value, raw, unit }) => ({ rowKey, columnKey, value, raw, unit }));
    expect(valuesOf(oneLine.cells)).toEqual(valuesOf(asPrinted.cells));
  });
});

describe('LEGACY_SUBTOTAL in lists with 历年累计', () => {
  test('a consistent list gives no finding; a cumulative part that does not add up is named in its column', async () => {
    const record = await readFile('four-column.html');
    expect(checkLegacySubtotals(record)).toEqual([]);
    const list = record.tables.legacy!.map((indicator) => (indicator.label === '当面申请数' ? { ...indicator, cumulative: 99 } : indicator));
    const findings = checkLegacySubtotals({ ...record, tables: { legacy: list } });
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain('历年累计');
    expect(findings[0].cells).toEqual([
      'legacy.受理依申请公开信息总数.cumulative',
      'legacy.当面申请数.cumulative',
      'legacy.网络申请数.cumulative',
      'legacy.信函申请数.cumulative',
    ]);
  });
});

describe('cross-template indicators', () => {
  test('from a pre-2019 list: by label, with the cumulative figure', async () => {
    const indicators = recordIndicators(await readFile('four-column.docx'));
    const of = (id: string) => indicators.find((indicator) => indicator.id === id);
    expect(of('proactive')).toMatchObject({ value: 2949, cumulative: 81916, unit: '条', cells: ['legacy.主动公开文件数'] });
    expect(of('applicationsReceived')).toMatchObject({ value: 21, cumulative: 355 });
    expect(of('reviewCases')).toMatchObject({ value: 0, cumulative: 3 });
    expect(of('litigationCases')).toMatchObject({ value: 0, cumulative: 1 });
    expect(of('feesCollected')).toMatchObject({ value: 0, unit: '元', cumulative: 120.5 });
    expect(of('applicationsNotHeld')).toBeUndefined();
  });

  test('the same indicators worded otherwise in a three-column list', async () => {
    const indicators = recordIndicators(await readFile('three-column.pipe.txt'));
    expect(Object.fromEntries(indicators.map((indicator) => [indicator.id, indicator.value]))).toMatchObject({
      proactive: 412,
      applicationsReceived: 7,
      applicationsGranted: 5,
      applicationsDenied: 2,
      reviewCases: 1,
      litigationCases: null,
      feesCollected: 0.35,
    });
  });

  test('from a 2021 record: the cells of tables 三 and 四 (seed 003)', () => {
    const indicators = recordIndicators(parseText(seedText('003')).record);
    const of = (id: string) => indicators.find((indicator) => indicator.id === id);
    expect(of('applicationsReceived')).toEqual({ id: 'applicationsReceived', name: '政府信息公开申请数', value: 10, unit: '件', cells: ['applications.newReceived.total'] });
    expect(of('applicationsGranted')?.value).toBe(10);
    expect(of('reviewCases')?.value).toBe(1);
    expect(of('litigationCases')).toMatchObject({ value: 0, cells: ['reviewLitigation.litigationDirect.total', 'reviewLitigation.litigationAfterReview.total'] });
    expect(of('normativeDocumentsIssued')).toMatchObject({ value: 9, cells: ['active.normativeDocuments.issued'] });
    expect(of('proactive')).toBeUndefined();
  });

  test('a record whose tables were lost states none (seed 000)', () => {
    expect(recordIndicators(parseText(seedText('000')).record)).toEqual([]);
  });
});
