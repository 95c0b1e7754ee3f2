/** Issue 13 §7: counts kept exactly from the printed text to cells.value, numbers no form prints flagged, report years checked. */
import { compareDecimals, decimalOf, signedSum } from '../../shared/decimal';
import { SCHEMA_VERSION, type CanonicalRecord, type Finding, type LegacyIndicator, type ParsedReport, type RuleId, type TableNode } from '../../shared/record';
import { layoutForm } from '../../shared/template/form-layout';
import { buildPublication } from '../../workers/publish/core';
import { validateReport } from '../../workers/validate/core';
import { parseText, seedText } from '../fixtures/parse/documents';

const HUGE = '99999999999999999999';
const FOUR_HUNDRED_NINES = '9'.repeat(400);
/** Seed 001's table 四: one line of fifteen zeros (复议 ×5, 直接起诉 ×5, 复议后起诉 ×5). */
const REVIEW_ROW = /^0(?:\t0){14}$/m;

/**
 * Seed 001 with table 四 printing: 复议 upheld HUGE, corrected 1, total HUGE + 2 (one off, which float
 * arithmetic cannot see); 直接起诉 400 nines upheld and total (balanced); 复议后起诉 upheld 1.5e3,
 * corrected -3.
 */
function reportWithHugeNumbers(): string {
  const row = [HUGE, '1', '0', '0', '100000000000000000001', FOUR_HUNDRED_NINES, '0', '0', '0', FOUR_HUNDRED_NINES, '1.5e3', '-3', '0', '0', '0'];
  const text = seedText('001');
  expect(text).toMatch(REVIEW_ROW);
  return text.replace(REVIEW_ROW, row.join('\t'));
}

const rulesOf = (findings: Finding[]): RuleId[] => findings.map((finding) => finding.rule);
const findingsOn = (findings: Finding[], rule: RuleId, cell: string): Finding[] =>
  findings.filter((finding) => finding.rule === rule && finding.cells.includes(cell));

describe('exact decimals', () => {
  test('sums and comparisons beyond 2^53 are exact', () => {
    expect(signedSum([{ value: HUGE, sign: 1 }, { value: '1', sign: 1 }])).toBe('100000000000000000000');
    expect(compareDecimals('100000000000000000001', '100000000000000000000')).toBe(1);
    expect(signedSum([{ value: '0.1', sign: 1 }, { value: '0.2', sign: 1 }, { value: '0.3', sign: -1 }])).toBe('0');
    expect(decimalOf(1e21)).toBe('1000000000000000000000');
    expect(decimalOf(1.5e-7)).toBe('0.00000015');
  });
});

describe('parse keeps every number exactly and flags the ones no form prints', () => {
  const parsed = parseText(reportWithHugeNumbers());
  const { record, cells } = parsed;
  const cell = (rowKey: string, columnKey: string) => cells.find((each) => each.table === 'reviewLitigation' && each.rowKey === rowKey && each.columnKey === columnKey)!;

  test('a 20-digit count keeps its exact decimal beside the nearest double', () => {
    expect(cell('review', 'upheld')).toMatchObject({ value: 1e20, exact: HUGE, raw: HUGE });
    expect(record.exactValues?.['reviewLitigation.review.upheld']).toBe(HUGE);
    // Exactly representable values need no exact copy in the record.
    expect(record.exactValues?.['reviewLitigation.review.corrected']).toBeUndefined();
    expect(cell('review', 'corrected')).toMatchObject({ value: 1, exact: '1' });
  });

  test('the report page shows huge counts as printed, not rounded', () => {
    const review = layoutForm(record).find((table) => table.name === 'reviewLitigation')!;
    const shown = new Map(review.rows.flat().filter((formCell) => formCell.cellKey).map((formCell) => [formCell.cellKey, formCell.text]));
    expect(shown.get('reviewLitigation.review.upheld')).toBe(HUGE);
    expect(shown.get('reviewLitigation.litigationDirect.upheld')).toBe(FOUR_HUNDRED_NINES);
    expect(shown.get('reviewLitigation.review.corrected')).toBe('1');
  });

  test('a 400-digit count is kept exactly; no double holds it, so its value is null', () => {
    expect(cell('litigationDirect', 'upheld')).toMatchObject({ value: null, exact: FOUR_HUNDRED_NINES, raw: FOUR_HUNDRED_NINES });
    expect(record.exactValues?.['reviewLitigation.litigationDirect.upheld']).toBe(FOUR_HUNDRED_NINES);
  });

  test('counts longer than any count can be get NUMBER_FORMAT, an error naming the cell', () => {
    for (const key of ['reviewLitigation.review.upheld', 'reviewLitigation.litigationDirect.upheld', 'reviewLitigation.litigationDirect.total']) {
      const [finding] = findingsOn(record.findings, 'NUMBER_FORMAT', key);
      expect(finding).toMatchObject({ severity: 'error', cells: [key] });
      expect(finding.message).toContain('超过任何件数或金额可能有的 15 位');
      expect(finding.messageEn).toContain('more than the 15 any count or amount can have');
    }
    expect(findingsOn(record.findings, 'NUMBER_FORMAT', 'reviewLitigation.review.corrected')).toEqual([]);
  });

  test('1.5e3 keeps its printed text, has no value, and gets NUMBER_FORMAT', () => {
    expect(cell('litigationAfterReview', 'upheld')).toMatchObject({ value: null, raw: '1.5e3' });
    expect(cell('litigationAfterReview', 'upheld').exact).toBeUndefined();
    const [finding] = findingsOn(record.findings, 'NUMBER_FORMAT', 'reviewLitigation.litigationAfterReview.upheld');
    expect(finding).toMatchObject({ severity: 'error' });
    expect(finding.message).toContain('“1.5e3”');
    expect(finding.message).toContain('科学计数法');
    expect(finding.messageEn).toContain('scientific notation');
  });

  test('validation: a negative count gets VALUE_DOMAIN; the sum over huge counts is checked exactly', () => {
    const findings = validateReport(record, { previous: null, now: new Date('2026-06-01T00:00:00Z') });
    expect(findingsOn(findings, 'VALUE_DOMAIN', 'reviewLitigation.litigationAfterReview.corrected')).toEqual([
      expect.objectContaining({ severity: 'error', message: expect.stringContaining('件数为负数') }),
    ]);
    // HUGE + 1 = 100000000000000000000, printed total 100000000000000000001: as doubles both are 1e20.
    const [review] = findingsOn(findings, 'REVIEW_LITIGATION_TOTAL', 'reviewLitigation.review.total');
    expect(review.message).toContain('100000000000000000001');
    expect(review.message).toContain(`${HUGE} + `);
    expect(review.messageEn).toContain('= 100000000000000000000 but total = 100000000000000000001');
    // 400 nines = 400 nines + 0 + 0 + 0 holds exactly.
    expect(findingsOn(findings, 'REVIEW_LITIGATION_TOTAL', 'reviewLitigation.litigationDirect.total')).toEqual([]);
  });

  test('publish writes the exact decimals to cells.value, text kept for what is not a number', () => {
    const publication = buildPublication({ documentId: '6f1c2b0e-6d4c-4d55-9a57-1b0f3f7a9c11', round: 1, pipelineVersion: 4 }, parsed);
    const row = (rowKey: string, columnKey: string) => publication.cells.find((each) => each.table === 'reviewLitigation' && each.rowKey === rowKey && each.columnKey === columnKey)!;
    expect(row('review', 'upheld')).toMatchObject({ value: HUGE, raw: HUGE });
    expect(row('litigationDirect', 'upheld')).toMatchObject({ value: FOUR_HUNDRED_NINES });
    expect(row('litigationAfterReview', 'upheld')).toMatchObject({ value: null, raw: '1.5e3' });
    expect(row('litigationAfterReview', 'corrected')).toMatchObject({ value: '-3', raw: '-3' });
    expect(row('review', 'corrected')).toMatchObject({ value: '1' });
    expect(JSON.parse(publication.report.record as string).exactValues['reviewLitigation.review.upheld']).toBe(HUGE);
  });

  test('seed 001 as printed has no NUMBER_FORMAT and no exact copies', () => {
    const plain = parseText(seedText('001')).record;
    expect(rulesOf(plain.findings)).not.toContain('NUMBER_FORMAT');
    expect(plain.exactValues).toBeUndefined();
  });
});

describe('misplaced thousands separators', () => {
  test('a count printed 1,23,4 keeps its text and gets NUMBER_FORMAT', () => {
    const text = seedText('001').replace(REVIEW_ROW, ['1,23,4', ...Array(14).fill('0')].join('\t'));
    const { record, cells } = parseText(text);
    expect(cells.find((each) => each.table === 'reviewLitigation' && each.rowKey === 'review' && each.columnKey === 'upheld')).toMatchObject({ value: null, raw: '1,23,4' });
    expect(findingsOn(record.findings, 'NUMBER_FORMAT', 'reviewLitigation.review.upheld')).toEqual([
      expect.objectContaining({ severity: 'error', message: expect.stringContaining('千位分隔符') }),
    ]);
  });
});

describe('YEAR_OUT_OF_RANGE', () => {
  const now = new Date('2026-06-01T00:00:00Z');

  function recordOf(year: number): CanonicalRecord {
    return {
      schemaVersion: SCHEMA_VERSION,
      source: { sha256: 'a'.repeat(64), fileName: 'report.txt', mediaType: 'text/plain', pages: 1, ocrPages: [] },
      meta: { agency: '米易县人民政府', year, template: 'pre2019', script: 'simplified', publishedOn: null, period: null, title: `米易县${year}年政府信息公开工作年度报告` },
      sections: [],
      tables: {},
      narrative: {},
      narrativeSources: {},
      findings: [],
    };
  }
  const yearFindings = (year: number) => validateReport(recordOf(year), { previous: null, now }).filter((finding) => finding.rule === 'YEAR_OUT_OF_RANGE');

  test.each([1900, 2007, 2027, 2099])('%i is an error naming meta.year', (year) => {
    expect(yearFindings(year)).toEqual([
      expect.objectContaining({ severity: 'error', cells: ['meta.year'], message: expect.stringContaining(`报告年度 ${year} 年不在可能的范围 2008–2026 年内`) }),
    ]);
  });

  test.each([2008, 2017, 2026])('%i is in range', (year) => {
    expect(yearFindings(year)).toEqual([]);
  });

  test('the latest year follows the clock', () => {
    expect(validateReport(recordOf(2027), { previous: null, now: new Date('2027-01-01T00:00:00Z') }).map((finding) => finding.rule)).not.toContain('YEAR_OUT_OF_RANGE');
  });
});

describe('LEGACY_SUBTOTAL sums exactly', () => {
  const item = (marker: string, label: string, exact: string, unit = '件'): LegacyIndicator => ({ key: label, label, marker, indicator: null, unit, value: Number(exact), raw: exact });

  function legacyRecord(list: LegacyIndicator[]): CanonicalRecord {
    const exactValues = Object.fromEntries(list.filter((entry) => decimalOf(entry.value!) !== entry.raw).map((entry) => [`legacy.${entry.key}`, entry.raw]));
    return { ...validateRecordStub(), meta: { ...validateRecordStub().meta, year: 2017, template: 'pre2019' }, tables: { legacy: list }, exactValues };
  }
  const subtotals = (list: LegacyIndicator[]) => validateReport(legacyRecord(list), { previous: null }).filter((finding) => finding.rule === 'LEGACY_SUBTOTAL');

  test('parts beyond 2^53 that miss the whole by one are found', () => {
    const findings = subtotals([item('(一)', '收到申请数', '100000000000000000001'), item('1.', '当面申请数', HUGE), item('2.', '网络申请数', '1')]);
    expect(findings).toHaveLength(1);
    expect(findings[0].messageEn).toContain('sum to 100000000000000000000');
    expect(subtotals([item('(一)', '收到申请数', '100000000000000000000'), item('1.', '当面申请数', HUGE), item('2.', '网络申请数', '1')])).toEqual([]);
  });

  test('amounts add up as printed: 0.1 + 0.2 万元 is 0.3 万元', () => {
    expect(subtotals([item('(一)', '收费金额', '0.3', '万元'), item('1.', '检索费', '0.1', '万元'), item('2.', '复制费', '0.2', '万元')])).toEqual([]);
  });
});

describe('records from before exact values', () => {
  test('publish falls back to the double where a cell has no exact decimal', () => {
    const old: ParsedReport = {
      record: { ...validateRecordStub(), tables: { active: { licensing: { decisions: 9544 } } as TableNode } },
      cells: [{ table: 'active', rowKey: 'licensing', columnKey: 'decisions', value: 9544, raw: '9544', unit: null, provenance: { page: 1 } }],
    };
    const publication = buildPublication({ documentId: '6f1c2b0e-6d4c-4d55-9a57-1b0f3f7a9c11', round: 1, pipelineVersion: 3 }, old);
    expect(publication.cells[0].value).toBe(9544);
  });
});

function validateRecordStub(): CanonicalRecord {
  return {
    schemaVersion: SCHEMA_VERSION,
    source: { sha256: 'a'.repeat(64), fileName: 'r.txt', mediaType: 'text/plain', pages: 1, ocrPages: [] },
    meta: { agency: '米易县人民政府', year: 2021, template: '2021', script: 'simplified', publishedOn: null, period: null, title: null },
    sections: [],
    tables: {},
    narrative: {},
    narrativeSources: {},
    findings: [],
  };
}
