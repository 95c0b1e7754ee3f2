import type { ExtractedCell, TableNode } from '../../shared/record';
import { PermanentError } from '../../shared/errors';
import { normalizeDocument } from '../../workers/normalize/core';
import { parseReport } from '../../workers/parse/core';
import { parse, parseText, pdfDocument, plainDocument, seedText, sourceInfo } from '../fixtures/parse/documents';

/** Every leaf of a table as [dotted path, value]. */
function leaves(node: TableNode, prefix = ''): Array<[string, unknown]> {
  return Object.entries(node).flatMap(([key, value]) =>
    value !== null && typeof value === 'object' ? leaves(value, `${prefix}${key}.`) : [[`${prefix}${key}`, value] as [string, unknown]],
  );
}

function cellsOf(cells: ExtractedCell[], table: ExtractedCell['table']): ExtractedCell[] {
  return cells.filter((cell) => cell.table === table);
}

const APPLICANTS = ['naturalPerson', 'commercial', 'research', 'social', 'legal', 'other', 'total'];

function applicantRow(naturalPerson: number, total = naturalPerson): Record<string, number> {
  return { naturalPerson, commercial: 0, research: 0, social: 0, legal: 0, other: 0, total };
}

describe('seed 000: tables lost, narrative only', () => {
  const { record, cells } = parseText(seedText('000'));

  test('metadata', () => {
    expect(record.meta).toEqual({
      title: '攀枝花市城市管理行政执法局2021年度政府信息公开工作年度报告',
      agency: '攀枝花市城市管理行政执法局',
      year: 2021,
      template: '2021',
      script: 'simplified',
      publishedOn: '2022-01-25',
      period: { from: '2021-01-01', to: '2021-12-31' },
    });
  });

  test('absent tables are absent keys', () => {
    expect(record.tables).toEqual({});
    expect(cells).toEqual([]);
    expect(record.findings).toEqual([]);
  });

  test('sections 三 and 四 are gone', () => {
    expect(record.sections.map((section) => section.present)).toEqual([true, true, false, false, true, true]);
  });

  test('narrative figures and their sentences', () => {
    expect(record.narrative).toEqual({ proactiveItems: 3193, applicationsReceived: 0, reviewCases: 2 });
    expect(record.narrativeSources.proactiveItems).toContain('累计公开信息3193条');
    expect(record.narrativeSources.reviewCases).toContain('收到行政复议申请2 件');
  });
});

describe('seed 001: tab-separated tables with merged cells', () => {
  const { record, cells } = parseText(seedText('001'));

  test('metadata and template', () => {
    expect(record.meta).toMatchObject({ agency: '湛河区城市管理局', year: 2021, template: '2021', script: 'simplified', publishedOn: null });
    expect(record.sections.every((section) => section.present)).toBe(true);
  });

  test('every cell of 二, 三 and 四 is 0, with the template cell counts', () => {
    const { active, applications, reviewLitigation } = record.tables;
    expect(leaves(active!)).toHaveLength(10);
    expect(leaves(applications!)).toHaveLength(175);
    expect(leaves(reviewLitigation!)).toHaveLength(15);
    for (const table of [active!, applications!, reviewLitigation!]) {
      expect(leaves(table).every(([, value]) => value === 0)).toBe(true);
    }
    expect(record.tables.legacy).toBeUndefined();
    expect(record.findings).toEqual([]);
  });

  test('table 二 has the 2021 keys', () => {
    expect(record.tables.active).toEqual({
      regulations: { issued: 0, repealed: 0, inForce: 0 },
      normativeDocuments: { issued: 0, repealed: 0, inForce: 0 },
      licensing: { decisions: 0 },
      punishment: { decisions: 0 },
      enforcement: { decisions: 0 },
      fees: { amountWan: 0 },
    });
  });

  test('table 三 has the spec keys, nested', () => {
    const applications = record.tables.applications!;
    expect(Object.keys(applications)).toEqual([
      'newReceived',
      'carriedOver',
      'granted',
      'partiallyGranted',
      'denied',
      'unableToProvide',
      'notProcessed',
      'otherHandling',
      'totalHandled',
      'carriedForward',
    ]);
    expect(Object.keys(applications.denied as TableNode)).toHaveLength(8);
    expect(Object.keys(applications.otherHandling as TableNode)).toEqual(['noCorrection', 'unpaidFee', 'other']);
    expect(Object.keys((applications.denied as TableNode).stateSecret as TableNode)).toEqual(APPLICANTS);
  });

  test('one ExtractedCell per number, each pointing at its "0" in the source', () => {
    expect(cells).toHaveLength(200);
    expect(cellsOf(cells, 'applications')).toHaveLength(175);
    const source = seedText('001');
    for (const cell of cells) {
      expect(source.slice(cell.provenance.start, cell.provenance.end)).toBe('0');
      expect(source.split('\n')[cell.provenance.line!]).toContain('0');
    }
    const stateSecret = cells.find((cell) => cell.rowKey === 'denied.stateSecret' && cell.columnKey === 'total')!;
    expect(source.split('\n')[stateSecret.provenance.line!]).toContain('属于国家秘密');
  });
});

describe('seed 002: pre-2019 indicator list', () => {
  const { record, cells } = parseText(seedText('002'));
  const legacy = record.tables.legacy!;

  test('template pre2019, no 2019/2021 tables', () => {
    expect(record.meta.template).toBe('pre2019');
    expect(record.meta.year).toBe(2017);
    expect(record.tables.applications).toBeUndefined();
    expect(record.tables.active).toBeUndefined();
    expect(record.tables.reviewLitigation).toBeUndefined();
  });

  test('the three printed values, everything else blank (null), never 0', () => {
    const printed = legacy.filter((indicator) => indicator.value !== null);
    expect(printed).toEqual([
      { key: '主动公开政府信息数', label: '主动公开政府信息数', marker: '(一)', indicator: 'proactive', unit: '条', value: 39, raw: '39' },
      { key: '主动公开规范性文件数', label: '主动公开规范性文件数', marker: '其中', indicator: null, unit: '条', value: 1, raw: '1' },
      { key: '政务微信公开政府信息数', label: '政务微信公开政府信息数', marker: '4.', indicator: null, unit: '条', value: 59, raw: '59' },
    ]);
    const blank = legacy.filter((indicator) => indicator.value === null);
    expect(blank.length).toBeGreaterThan(50);
    expect(blank.every((indicator) => indicator.raw === '')).toBe(true);
    expect(legacy).toContainEqual({ key: '制发规范性文件总数', label: '制发规范性文件总数', marker: null, indicator: 'normativeDocumentsIssued', unit: '件', value: null, raw: '' });
    expect(legacy).toContainEqual({ key: '依申请公开信息收取的费用', label: '依申请公开信息收取的费用', marker: '八、', indicator: 'feesCollected', unit: '万元', value: null, raw: '' });
  });

  test('repeated labels get distinct keys, so their cells and findings do not collide', () => {
    const keys = legacy.map((indicator) => indicator.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(legacy.filter((indicator) => indicator.label === '被依法纠错数').map((indicator) => indicator.key)).toEqual(['被依法纠错数', '被依法纠错数#2']);
  });

  test('the outline marker is kept apart from the label, in one form', () => {
    const markerOf = (label: string) => legacy.find((indicator) => indicator.label === label)?.marker;
    expect(markerOf('收到申请数')).toBe('(一)');
    expect(markerOf('当面申请数')).toBe('1.');
    expect(markerOf('行政复议数量')).toBe('四、');
    expect(markerOf('涉及国家秘密')).toBe('其中');
    expect(markerOf('涉及商业秘密')).toBeNull();
    expect(legacy.every((indicator) => !/^(?:其中|\(|\d|[一二三四五六七八九十]+、)/.test(indicator.label))).toBe(true);
  });

  test('headings are kept, without unit, value or cell, so they close the outline level above them', () => {
    const headings = legacy.filter((indicator) => indicator.unit === null);
    expect(headings.map((indicator) => `${indicator.marker}${indicator.label}`)).toEqual([
      '一、主动公开情况',
      '(二)通过不同渠道和方式公开政府信息的情况',
      '二、回应解读情况',
      '(二)通过不同渠道和方式回应解读的情况',
      '三、依申请公开情况',
      '九、机构建设和保障经费情况',
      '十、政府信息公开会议和培训情况',
    ]);
    expect(headings.every((indicator) => indicator.value === null && indicator.raw === '')).toBe(true);
    expect(cells.map((cell) => cell.rowKey)).not.toContain('主动公开情况');
  });

  test('legacy cells carry the unit and point at the value', () => {
    expect(cells).toHaveLength(legacy.length - 7);
    const wechat = cells.find((cell) => cell.rowKey === '政务微信公开政府信息数')!;
    expect(wechat).toMatchObject({ table: 'legacy', columnKey: 'value', value: 59, unit: '条' });
    expect(seedText('002').slice(wechat.provenance.start, wechat.provenance.end)).toBe('59');
  });

  test('metadata from the text: no title, agency from how it names itself, closing date', () => {
    expect(record.meta.title).toBeNull();
    expect(record.meta.agency).toBe('兖州区城市管理行政执法局');
    expect(record.meta.publishedOn).toBe('2018-02-28');
  });
});

describe('seed 003: Traditional, one cell per line with |', () => {
  const { record, cells } = parseText(seedText('003'));
  const applications = record.tables.applications!;

  test('converted to Simplified; agency is the county government', () => {
    expect(record.meta).toMatchObject({
      script: 'traditional',
      title: '攀枝花市米易县2021年政府信息公开工作年度报告',
      agency: '米易县人民政府',
      year: 2021,
      template: '2021',
      publishedOn: '2022-02-08',
    });
  });

  test('table 二', () => {
    expect(record.tables.active).toEqual({
      regulations: { issued: 0, repealed: 0, inForce: 0 },
      normativeDocuments: { issued: 9, repealed: 0, inForce: 75 },
      licensing: { decisions: 9544 },
      punishment: { decisions: 937 },
      enforcement: { decisions: 36 },
      fees: { amountWan: 3415.891 },
    });
    const fee = cells.find((cell) => cell.rowKey === 'fees')!;
    expect(fee).toMatchObject({ columnKey: 'amountWan', value: 3415.891, raw: '3415.891', unit: '万元' });
  });

  test('table 三: 10 received, 10 granted, 10 handled, all else 0', () => {
    expect(applications.newReceived).toEqual(applicantRow(10));
    expect(applications.granted).toEqual(applicantRow(10));
    expect(applications.totalHandled).toEqual(applicantRow(10));
    const others = leaves(applications).filter(([key]) => !/^(newReceived|granted|totalHandled)\./.test(key));
    expect(others).toHaveLength(175 - 21);
    expect(others.every(([, value]) => value === 0)).toBe(true);
  });

  test('table 四: one review, upheld', () => {
    expect(record.tables.reviewLitigation).toEqual({
      review: { upheld: 1, corrected: 0, other: 0, pending: 0, total: 1 },
      litigationDirect: { upheld: 0, corrected: 0, other: 0, pending: 0, total: 0 },
      litigationAfterReview: { upheld: 0, corrected: 0, other: 0, pending: 0, total: 0 },
    });
  });

  test('narrative', () => {
    expect(record.narrative).toEqual({ proactiveItems: 16996, applicationsReceived: 10, reviewCases: 1, litigationCases: 0 });
    expect(record.narrativeSources.applicationsReceived).toBe('年内共接到申请10件,办理10件,全部按时有效回复。');
  });

  test('no findings; provenance points into the Traditional source', () => {
    expect(record.findings).toEqual([]);
    const source = seedText('003');
    const licensing = cells.find((cell) => cell.rowKey === 'licensing')!;
    expect(source.slice(licensing.provenance.start, licensing.provenance.end)).toBe('9544');
    expect(source.split('\n')[licensing.provenance.line! - 1]).toBe('行政許可 |');
  });
});

describe('seed 004: spam agency, tables lost', () => {
  const { record } = parseText(seedText('004'));

  test('the injected agency name is kept for validate to flag', () => {
    expect(record.meta.title).toBe('bet365亚洲官网办公室2021年政府信息公开工作年度报告');
    expect(record.meta.agency).toContain('bet365亚洲官网');
    expect(record.meta.period).toEqual({ from: '2021-01-01', to: '2021-12-31' });
  });

  test('no tables, all six headings', () => {
    expect(record.tables).toEqual({});
    expect(record.sections.every((section) => section.present)).toBe(true);
  });

  test('narrative', () => {
    expect(record.narrative).toEqual({ proactiveItems: 255, applicationsReceived: 70, reviewCases: 2, litigationCases: 1 });
  });
});

describe('blank, 0, / and -', () => {
  const text = [
    '某县人民政府2021年政府信息公开工作年度报告',
    '二、主动公开政府信息情况',
    '第二十条第(一)项',
    '信息内容\t本年制发件数\t本年废止件数\t现行有效件数',
    '规章\t0\t\t3',
    '行政规范性文件\t/\t-\t0',
    '第二十条第(五)项',
    '行政许可\t\t\t',
    '第二十条第(八)项',
    '行政事业性收费\t48.12万元\t\t',
  ].join('\n');
  const { record, cells } = parseText(text);

  test('blank and placeholders are null, 0 stays 0', () => {
    expect(record.tables.active).toMatchObject({
      regulations: { issued: 0, repealed: null, inForce: 3 },
      normativeDocuments: { issued: null, repealed: null, inForce: 0 },
      licensing: { decisions: null },
    });
  });

  test('the printed placeholder is kept as raw', () => {
    const raw = (rowKey: string, columnKey: string) => cells.find((cell) => cell.rowKey === rowKey && cell.columnKey === columnKey)!.raw;
    expect(raw('regulations', 'repealed')).toBe('');
    expect(raw('normativeDocuments', 'issued')).toBe('/');
    expect(raw('normativeDocuments', 'repealed')).toBe('-');
    expect(raw('licensing', 'decisions')).toBe('');
  });

  test('an amount keeps its number; a printed unit other than the column unit goes beside it', () => {
    expect(record.tables.active!.fees).toEqual({ amountWan: 48.12 });
    const tenThousand = parseText(text.replace('48.12万元', '7497000元')).record.tables.active!.fees;
    expect(tenThousand).toEqual({ amountWan: 7497000, amountWanUnit: '元' });
  });
});

describe('label variants', () => {
  const header = '某县人民政府2021年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n';
  const row = (label: string, first: number) => `${label} ${first} 0 0 0 0 0 ${first}`;

  test('full-width brackets, stray spaces, typos and a wrapped label still find their rows', () => {
    const text =
      header +
      [
        row('一、本年新收政府信息公开申请数量', 5),
        row('（三）不予公开　1．属于国家秘蜜', 1),
        '2.其他法律行政法规禁止',
        row('公开', 2),
        row('（七） 总 计', 3),
        row('四、结转下年度继续办 理', 4),
      ].join('\n');
    const applications = parseText(text).record.tables.applications!;
    expect(applications.newReceived).toEqual(applicantRow(5));
    expect((applications.denied as TableNode).stateSecret).toEqual(applicantRow(1));
    expect((applications.denied as TableNode).prohibitedByLaw).toEqual(applicantRow(2));
    expect(applications.totalHandled).toEqual(applicantRow(3));
    expect(applications.carriedForward).toEqual(applicantRow(4));
  });

  test('rows that are not printed are reported, not invented', () => {
    const { record } = parseText(header + row('一、本年新收政府信息公开申请数量', 5));
    expect(record.tables.applications).toEqual({ newReceived: applicantRow(5) });
    expect(record.findings.filter((finding) => finding.rule === 'TABLE_AMBIGUOUS')).toHaveLength(24);
  });

  test('规范性文件 (2019 wording) and 行政规范性文件 are the same row', () => {
    const text = '某县人民政府2021年政府信息公开工作年度报告\n二、主动公开政府信息情况\n信息内容 本年制发件数 本年废止件数 现行有效件数\n规范性文件 1 2 3';
    expect(parseText(text).record.tables.active!.normativeDocuments).toEqual({ issued: 1, repealed: 2, inForce: 3 });
  });

  test('a row with the wrong count of numbers is ambiguous, not guessed', () => {
    const { record } = parseText(header + '一、本年新收政府信息公开申请数量 5 0 0 0 0 5');
    expect(record.tables.applications!.newReceived).toEqual(Object.fromEntries(APPLICANTS.map((key) => [key, null])));
    expect(record.findings[0]).toMatchObject({ rule: 'TABLE_AMBIGUOUS', severity: 'warning' });
    expect(record.findings[0].cells).toContain('applications.newReceived.total');
  });
});

describe('template detection', () => {
  test('2019 columns make a 2019 report even when the title says 2021', () => {
    const text = '某县人民政府2021年政府信息公开工作年度报告\n二、主动公开政府信息情况\n信息内容 本年新制作数量 本年新公开数量 对外公开总数量\n规章 1 2 3';
    const { record } = parseText(text);
    expect(record.meta.template).toBe('2019');
    expect(record.tables.active).toEqual({ regulations: { made: 1, published: 2, totalPublic: 3 } });
  });

  test('without tables the year decides', () => {
    const report = (year: number) => parseText(`某县人民政府${year}年政府信息公开工作年度报告\n一、总体情况\n无`).record.meta.template;
    expect([report(2017), report(2019), report(2020), report(2022)]).toEqual(['pre2019', '2019', '2019', '2021']);
  });
});

describe('not a report', () => {
  test('a page with no title, sections or tables is a permanent NOT_A_REPORT', () => {
    const doc = plainDocument('欢迎访问本网站。\n今日天气晴。');
    expect(() => parseReport(normalizeDocument(doc), sourceInfo(doc))).toThrow(PermanentError);
    try {
      parse(doc);
    } catch (error) {
      expect((error as PermanentError).code).toBe('NOT_A_REPORT');
    }
  });
});

describe('agency from the title', () => {
  const agencyOf = (title: string) => parseText(`${title}\n一、总体情况\n二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况`).record.meta.agency;

  test.each([
    ['湛河区城市管理局2021年政府信息公开工作年度报告', '湛河区城市管理局'],
    ['2021年湛河区城市管理局政府信息公开工作年度报告', '湛河区城市管理局'],
    ['攀枝花市米易县2021年政府信息公开工作年度报告', '米易县人民政府'],
    ['米易县人民政府2021年政府信息公开工作年度报告', '米易县人民政府'],
    ['米易县人民政府信息公开工作2021年度报告', '米易县人民政府'],
    ['米易县人民政府办公室关于米易县2021年政府信息公开工作年度报告', '米易县人民政府'],
    ['某县人民政府办公室2021年政府信息公开工作年度报告', '某县人民政府办公室'],
  ])('%s → %s', (title, agency) => {
    expect(agencyOf(title)).toBe(agency);
  });
});

describe('provenance from HTML line origins, across pages', () => {
  test('a cell carries the DOM path of its source line and its page', () => {
    const [first, second] = [seedText('003').split('\n').slice(0, 60).join('\n'), seedText('003').split('\n').slice(60).join('\n')];
    const page = (number: number, text: string) => ({
      number,
      text,
      source: 'html' as const,
      needsOcr: false,
      ocrReason: null,
      lineOrigins: text.split('\n').map((_, line) => `/html/body/div[${number}]/p[${line + 1}]`),
    });
    const { record, cells } = parse({ mediaType: 'text/html', pages: [page(1, first), page(2, second)] });
    expect(record.tables.reviewLitigation).toEqual(parseText(seedText('003')).record.tables.reviewLitigation);
    const upheld = cells.find((cell) => cell.rowKey === 'review' && cell.columnKey === 'upheld')!;
    expect(upheld.provenance.page).toBe(2);
    expect(upheld.provenance.domPath).toBe(`/html/body/div[2]/p[${upheld.provenance.line! + 1}]`);
    expect(second.split('\n')[upheld.provenance.line!]).toBe('1 |');
  });
});

describe('pre-2019 indicator list as PDF text (space-separated)', () => {
  test('labels of several words, units apart or glued, blanks absent', () => {
    const text = [
      '某局2016年政府信息公开工作年度报告',
      '2016年度政府信息公开工作情况统计表',
      '统 计 指 标 单位 统计数',
      '一、主动公开情况',
      '(一) 主动公开政府信息数 条 39',
      '其中:主动公开规范性文件数条 1',
      '八、依申请公开信息收取的费用 万元 0.5',
      '(注:各子栏目数总数要等于总栏目数量)',
    ].join('\n');
    const { record } = parseText(text);
    expect(record.meta.template).toBe('pre2019');
    expect(record.tables.legacy).toEqual([
      { key: '主动公开情况', label: '主动公开情况', marker: '一、', indicator: null, unit: null, value: null, raw: '' },
      { key: '主动公开政府信息数', label: '主动公开政府信息数', marker: '(一)', indicator: 'proactive', unit: '条', value: 39, raw: '39' },
      { key: '主动公开规范性文件数', label: '主动公开规范性文件数', marker: '其中', indicator: null, unit: '条', value: 1, raw: '1' },
      { key: '依申请公开信息收取的费用', label: '依申请公开信息收取的费用', marker: '八、', indicator: 'feesCollected', unit: '万元', value: 0.5, raw: '0.5' },
    ]);
  });
});

describe('a number wrapping inside a narrow PDF cell', () => {
  test('"8233" printed as "823" over "3" reads 8233: a line break inside a number is no cell boundary', () => {
    const text = [
      '某县人民政府2021年政府信息公开工作年度报告',
      '三、收到和处理政府信息公开申请情况',
      '一、本年新收政府信息公开申请数量 8233 0 0 0 0 0 823',
      '3',
      '二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0',
    ].join('\n');
    const { record } = parse(pdfDocument([text]));
    const applications = record.tables.applications!;
    expect(applications.newReceived).toEqual({ ...applicantRow(0), naturalPerson: 8233, total: 8233 });
    expect(applications.carriedOver).toEqual(applicantRow(0));
  });
});

describe('blank cells keep their columns', () => {
  test('a row whose first columns are blank is not shifted left', () => {
    const text = [
      '某县人民政府2021年政府信息公开工作年度报告',
      '二、主动公开政府信息情况',
      '第二十条第(一)项',
      '信息内容\t本年制发件数\t本年废止件数\t现行有效件数',
      '规章\t\t0\t11',
      '行政规范性文件\t1\t\t5',
    ].join('\n');
    const { record } = parseText(text);
    expect(record.tables.active).toMatchObject({ regulations: { issued: null, repealed: 0, inForce: 11 }, normativeDocuments: { issued: 1, repealed: null, inForce: 5 } });
    expect(record.findings.filter((finding) => finding.cells.some((cell) => cell.startsWith('active.regulations')))).toEqual([]);
  });
});
