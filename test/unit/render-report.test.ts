/** The human view of `gongkai parse`, on records built by hand. */
import { SCHEMA_VERSION, type CanonicalRecord, type Finding, type TableNode } from '../../shared/record';
import { BLANK, renderReport } from '../../cli/render-report';
import { APPLICATIONS_2021, APPLICANT_COLUMNS } from '../../shared/template/rows';

function filledRow(values: Array<number | null>): TableNode {
  return Object.fromEntries(APPLICANT_COLUMNS.map((column, index) => [column, values[index]]));
}

function applications(rows: Record<string, Array<number | null>>): TableNode {
  const node: TableNode = {};
  for (const { key } of APPLICATIONS_2021.rows) {
    const [head, tail] = key.split('.');
    const row = filledRow(rows[key] ?? [0, 0, 0, 0, 0, 0, 0]);
    if (tail === undefined) node[head] = row;
    else node[head] = { ...(node[head] as TableNode | undefined), [tail]: row };
  }
  return node;
}

function record(overrides: Partial<CanonicalRecord> = {}): CanonicalRecord {
  return {
    schemaVersion: SCHEMA_VERSION,
    source: { sha256: '0'.repeat(64), fileName: 'report.html', mediaType: 'text/html', pages: 1, ocrPages: [] },
    meta: { agency: '米易县人民政府', year: 2021, template: '2021', script: 'simplified', publishedOn: '2022-02-08', period: null, title: '米易县2021年政府信息公开工作年度报告' },
    sections: [1, 2, 3, 4, 5, 6].map((number) => ({ number, title: `section ${number}`, present: true })),
    tables: {},
    narrative: {},
    narrativeSources: {},
    findings: [],
    ...overrides,
  };
}

/** The cell texts of the table line that holds `label`. */
function rowCells(output: string, label: string): string[] {
  const line = output.split('\n').find((text) => text.includes(label));
  if (line === undefined) throw new Error(`no line with ${label}`);
  return line
    .split('│')
    .map((cell) => cell.trim())
    .filter((cell) => cell !== '');
}

const balance: Finding = {
  rule: 'APPLICATIONS_BALANCE',
  severity: 'error',
  message: 'newReceived 12 + carriedOver 0 = 12 but totalHandled 10 + carriedForward 0 = 10 in column naturalPerson',
  cells: ['applications.newReceived.naturalPerson', 'applications.carriedOver.naturalPerson', 'applications.totalHandled.naturalPerson', 'applications.carriedForward.naturalPerson'],
};
const sectionMissing: Finding = { rule: 'SECTION_MISSING', severity: 'warning', message: 'section 五、存在的主要问题及改进情况 is absent', cells: [] };

describe('table 三 like the official form', () => {
  const output = renderReport(
    record({
      tables: {
        applications: applications({
          newReceived: [12, 0, 0, 0, 0, 0, 12],
          granted: [10, 0, 0, 0, 0, 0, 10],
          totalHandled: [10, 0, 0, 0, 0, 0, 10],
          'denied.stateSecret': [0, 0, 0, 0, null, 0, 0],
        }),
        reviewLitigation: {
          review: { upheld: 1, corrected: 0, other: 0, pending: 0, total: 1 },
          litigationDirect: { upheld: 0, corrected: 0, other: 0, pending: 0, total: 0 },
          litigationAfterReview: { upheld: 0, corrected: 0, other: 0, pending: null, total: 0 },
        },
      },
      findings: [balance, sectionMissing],
    }),
  );

  test('the template’s Chinese column and row labels, nested groups as in the form', () => {
    for (const label of ['申请人情况', '自然人', '法人或其他组织', '商业企业', '总计', '一、本年新收政府信息公开申请数量', '(七)总计', '四、结转下年度继续办理']) {
      expect(output).toContain(label);
    }
    // The group cells span their rows: each is printed once, beside the rows it groups.
    expect(output.match(/\(三\)不予公开/g)).toHaveLength(1);
    const at = (text: string) => output.indexOf(text);
    expect(at('(三)不予公开')).toBeGreaterThan(at('1.属于国家秘密'));
    expect(at('(三)不予公开')).toBeLessThan(at('8.属于行政查询事项'));
    expect(rowCells(output, '1.属于国家秘密')[0]).toBe('1.属于国家秘密');
    expect(output).toMatch(/三、本年度\s*│[^\n]*\n│ 办理结果/);
  });

  test('a blank cell is □, a 0 stays 0', () => {
    expect(rowCells(output, '1.属于国家秘密')).toEqual(['1.属于国家秘密', '0', '0', '0', '0', BLANK, '0', '0']);
    expect(rowCells(output, '1.属于国家秘密')).not.toContain('');
  });

  test('the failing cells carry the finding’s number, and its text follows the table', () => {
    expect(rowCells(output, '一、本年新收')).toEqual(['一、本年新收政府信息公开申请数量', '12 [1]', '0', '0', '0', '0', '0', '12']);
    expect(rowCells(output, '(七)总计')).toEqual(['(七)总计', '10 [1]', '0', '0', '0', '0', '0', '10']);
    const note = output.indexOf('[1] ERROR APPLICATIONS_BALANCE: newReceived 12 + carriedOver 0 = 12');
    expect(note).toBeGreaterThan(output.indexOf('四、结转下年度继续办理'));
    expect(note).toBeLessThan(output.indexOf('四、政府信息公开行政复议、行政诉讼情况'));
  });

  test('findings without cells come last', () => {
    const lines = output.split('\n');
    expect(lines.slice(-2)).toEqual(['other findings:', '  [2] WARNING SECTION_MISSING: section 五、存在的主要问题及改进情况 is absent']);
  });

  test('table 四: 行政复议 and the two 行政诉讼 groups over their outcome columns', () => {
    expect(output).toContain('行政复议');
    expect(output).toContain('行政诉讼');
    expect(output).toContain('未经复议直接起诉');
    expect(rowCells(output, '│    1 │')).toEqual(['1', '0', '0', '0', '1', '0', '0', '0', '0', '0', '0', '0', '0', BLANK, '0']);
  });
});

describe('table 二 by the blocks of the form', () => {
  const output = renderReport(
    record({
      tables: {
        active: {
          regulations: { issued: 0, repealed: null, inForce: 3 },
          normativeDocuments: { issued: 9, repealed: 0, inForce: 75 },
          licensing: { decisions: 9544 },
          fees: { amountWan: 7497000, amountWanUnit: '元' },
        },
      },
      findings: [{ rule: 'VALUE_DOMAIN', severity: 'error', message: 'active.licensing.decisions = 9544 is odd', cells: ['active.licensing.decisions'] }],
    }),
  );

  test('block headings, column labels, blank and 0, a printed unit beside its amount', () => {
    expect(rowCells(output, '第二十条第(一)项')).toEqual(['第二十条第(一)项']);
    expect(rowCells(output, '本年制发件数')).toEqual(['信息内容', '本年制发件数', '本年废止件数', '现行有效件数']);
    expect(rowCells(output, '规章')).toEqual(['规章', '0', BLANK, '3']);
    expect(rowCells(output, '行政许可')).toEqual(['行政许可', '9544 [1]']);
    expect(rowCells(output, '行政事业性收费')).toEqual(['行政事业性收费', '7497000 元']);
    // Rows the record does not have are shown empty, not as blank cells.
    expect(rowCells(output, '行政处罚')).toEqual(['行政处罚']);
  });
});

describe('the pre-2019 indicator list', () => {
  const output = renderReport(
    record({
      meta: { ...record().meta, template: 'pre2019', year: 2017 },
      tables: {
        legacy: [
          { key: '主动公开情况', label: '主动公开情况', marker: '一、', indicator: null, unit: null, value: null, raw: '' },
          { key: '主动公开政府信息数', label: '主动公开政府信息数', marker: '(一)', indicator: null, unit: '条', value: 39, raw: '39' },
          { key: '主动公开规范性文件数', label: '主动公开规范性文件数', marker: '其中', indicator: null, unit: '条', value: 45, raw: '45' },
          { key: '制发规范性文件总数', label: '制发规范性文件总数', marker: null, indicator: null, unit: '件', value: null, raw: '/' },
        ],
      },
      findings: [
        {
          rule: 'LEGACY_SUBTOTAL',
          severity: 'warning',
          message: '"其中主动公开规范性文件数" = 45 exceeds …',
          cells: ['legacy.主动公开规范性文件数', 'legacy.主动公开政府信息数'],
        },
      ],
    }),
  );

  test('headings across the row, markers before labels, blanks with their placeholder, findings marked', () => {
    expect(rowCells(output, '统计指标')).toEqual(['统计指标', '单位', '统计数']);
    expect(rowCells(output, '一、主动公开情况')).toEqual(['一、主动公开情况']);
    expect(rowCells(output, '(一)主动公开政府信息数')).toEqual(['(一)主动公开政府信息数', '条', '39 [1]']);
    expect(rowCells(output, '制发规范性文件总数')).toEqual(['制发规范性文件总数', '件', `${BLANK} /`]);
    expect(output).toContain('[1] WARNING LEGACY_SUBTOTAL');
  });
});
