import fs from 'node:fs';
import path from 'node:path';
import {
  SCHEMA_VERSION,
  type CanonicalRecord,
  type Finding,
  type LegacyIndicator,
  type RuleId,
  type TableNode,
  type TemplateId,
} from '../../shared/record';
import { validateReport } from '../../workers/validate/core';

// Records are built by hand here, independent of the parser.

const APPLICATION_COLUMNS = ['naturalPerson', 'commercial', 'research', 'social', 'legal', 'other', 'total'];

function zeroRow(columns: readonly string[] = APPLICATION_COLUMNS): TableNode {
  return Object.fromEntries(columns.map((column) => [column, 0]));
}

function zeroRows(rows: readonly string[]): TableNode {
  return Object.fromEntries(rows.map((row) => [row, zeroRow()]));
}

function zeroApplications(template: '2021' | '2019'): TableNode {
  return {
    newReceived: zeroRow(),
    carriedOver: zeroRow(),
    granted: zeroRow(),
    partiallyGranted: zeroRow(),
    denied: zeroRows([
      'stateSecret',
      'prohibitedByLaw',
      'securityStability',
      'thirdPartyRights',
      'internalAffairs',
      'processInformation',
      'enforcementFiles',
      'administrativeQuery',
    ]),
    unableToProvide: zeroRows(['notHeld', 'needsCreation', 'unclear']),
    notProcessed: zeroRows(['complaint', 'duplicate', 'publication', 'massRepeated', 'reconfirm']),
    otherHandling: template === '2021' ? zeroRows(['noCorrection', 'unpaidFee', 'other']) : zeroRow(),
    totalHandled: zeroRow(),
    carriedForward: zeroRow(),
  };
}

function zeroActive(template: '2021' | '2019'): TableNode {
  if (template === '2021') {
    const stock = () => zeroRow(['issued', 'repealed', 'inForce']);
    const decisions = () => zeroRow(['decisions']);
    return {
      regulations: stock(),
      normativeDocuments: stock(),
      licensing: decisions(),
      punishment: decisions(),
      enforcement: decisions(),
      fees: { amountWan: 0 },
    };
  }
  const documents = () => zeroRow(['made', 'published', 'totalPublic']);
  const decided = () => zeroRow(['previousCount', 'change', 'decisions']);
  return {
    regulations: documents(),
    normativeDocuments: documents(),
    licensing: decided(),
    otherServices: decided(),
    punishment: decided(),
    enforcement: decided(),
    fees: zeroRow(['previousCount', 'change']),
    procurement: { projects: 0, amount: 0, amountUnit: '万元' },
  };
}

function zeroReviewLitigation(): TableNode {
  const group = () => zeroRow(['upheld', 'corrected', 'other', 'pending', 'total']);
  return { review: group(), litigationDirect: group(), litigationAfterReview: group() };
}

function record(overrides: { template?: TemplateId | null; year?: number | null } = {}): CanonicalRecord {
  const template = overrides.template === undefined ? '2021' : overrides.template;
  const year = overrides.year === undefined ? 2021 : overrides.year;
  const matrix = template === '2019' ? '2019' : '2021';
  return {
    schemaVersion: SCHEMA_VERSION,
    source: { sha256: 'a'.repeat(64), fileName: 'report.txt', mediaType: 'text/plain', pages: 1, ocrPages: [] },
    meta: {
      agency: '米易县人民政府',
      year,
      template,
      script: 'simplified',
      publishedOn: year === null ? null : `${year + 1}-02-08`,
      period: year === null ? null : { from: `${year}-01-01`, to: `${year}-12-31` },
      title: `米易县${year ?? ''}年政府信息公开工作年度报告`,
    },
    sections: [1, 2, 3, 4, 5, 6].map((number) => ({ number, title: `section ${number}`, present: true })),
    tables:
      template === 'pre2019'
        ? { legacy: [{ key: '主动公开政府信息数', label: '主动公开政府信息数', marker: '(一)', indicator: null, unit: '条', value: 39, raw: '39' }] }
        : { active: zeroActive(matrix), applications: zeroApplications(matrix), reviewLitigation: zeroReviewLitigation() },
    narrative: {},
    narrativeSources: {},
    findings: [],
  };
}

/** Sets a cell by the same dotted key findings use ('applications.granted.total'). */
function set(target: CanonicalRecord, key: string, value: number | string | null): CanonicalRecord {
  const [table, ...rest] = key.split('.');
  const column = rest.pop() as string;
  let node = (target.tables as Record<string, TableNode>)[table];
  for (const part of rest) node = node[part] as TableNode;
  node[column] = value;
  return target;
}

const rulesOf = (findings: Finding[]): RuleId[] => findings.map((finding) => finding.rule);
const only = (findings: Finding[], rule: RuleId): Finding[] => findings.filter((finding) => finding.rule === rule);
const validate = (target: CanonicalRecord, previous: CanonicalRecord | null = null, bodyText?: string): Finding[] =>
  validateReport(target, { previous, bodyText });

function seed(prefix: string): string {
  const directory = path.join(__dirname, '../../samples');
  const file = fs.readdirSync(directory).find((name) => name.startsWith(prefix) && name.endsWith('.txt'));
  if (file === undefined) throw new Error(`no sample ${prefix}`);
  return fs.readFileSync(path.join(directory, file), 'utf8');
}

describe('clean records', () => {
  test('an all-zero 2021 record gives no finding at all, against an all-zero previous year too', () => {
    expect(validate(record())).toEqual([]);
    expect(validate(record(), record({ year: 2020 }))).toEqual([]);
  });

  test('an all-zero 2019 record (19 outcome rows, one otherHandling row) gives no finding', () => {
    expect(validate(record({ template: '2019', year: 2020 }))).toEqual([]);
  });

  test('a consistent record with real figures gives no finding', () => {
    const target = record();
    for (const key of ['newReceived', 'granted', 'totalHandled']) {
      set(target, `applications.${key}.naturalPerson`, 10);
      set(target, `applications.${key}.total`, 10);
    }
    set(target, 'reviewLitigation.review.upheld', 1);
    set(target, 'reviewLitigation.review.total', 1);
    set(target, 'active.fees.amountWan', 3415.891);
    target.narrative = { proactiveItems: 16996, applicationsReceived: 10, reviewCases: 1, litigationCases: 0 };
    expect(validate(target)).toEqual([]);
  });
});

describe('APPLICATIONS_BALANCE', () => {
  test('一 + 二 ≠ （七） + 四 is an error per column, naming the four cells and the numbers', () => {
    const target = record();
    set(target, 'applications.newReceived.naturalPerson', 12);
    set(target, 'applications.newReceived.total', 12);
    for (const row of ['granted', 'totalHandled']) {
      set(target, `applications.${row}.naturalPerson`, 11);
      set(target, `applications.${row}.total`, 11);
    }
    const findings = validate(target);
    expect(rulesOf(findings)).toEqual(['APPLICATIONS_BALANCE', 'APPLICATIONS_BALANCE']);
    const total = findings[1];
    expect(total).toMatchObject({ severity: 'error', messageEn: expect.stringMatching(/= 12 but .*= 11 in column total/) });
    expect(total.cells).toEqual([
      'applications.newReceived.total',
      'applications.carriedOver.total',
      'applications.totalHandled.total',
      'applications.carriedForward.total',
    ]);
  });
});

describe('APPLICATIONS_OUTCOMES_SUM', () => {
  test('2021: （七）总计 ≠ the 21 outcome rows', () => {
    const target = record();
    set(target, 'applications.otherHandling.other.social', 2);
    set(target, 'applications.otherHandling.other.total', 2);
    const findings = validate(target);
    expect(rulesOf(findings)).toEqual(['APPLICATIONS_OUTCOMES_SUM', 'APPLICATIONS_OUTCOMES_SUM']);
    const [social] = findings;
    expect(social.messageEn).toBe('the 21 outcome rows sum to 2 but totalHandled = 0 in column social');
    expect(social.cells).toHaveLength(22);
    expect(social.cells[0]).toBe('applications.totalHandled.social');
    expect(social.cells).toContain('applications.otherHandling.other.social');
  });

  test('2019: （六）其他处理 is one row among 19', () => {
    const target = record({ template: '2019', year: 2020 });
    set(target, 'applications.otherHandling.legal', 1);
    set(target, 'applications.otherHandling.total', 1);
    const findings = validate(target);
    expect(rulesOf(findings)).toEqual(['APPLICATIONS_OUTCOMES_SUM', 'APPLICATIONS_OUTCOMES_SUM']);
    expect(findings[0].messageEn).toContain('the 19 outcome rows sum to 1');
    expect(findings[0].cells).toHaveLength(20);
    expect(findings[0].cells).toContain('applications.otherHandling.legal');
  });
});

describe('APPLICATIONS_ROW_TOTAL', () => {
  test('总计 ≠ the six applicant columns of a row', () => {
    const target = record();
    set(target, 'applications.denied.stateSecret.research', 1);
    const rowTotal = only(validate(target), 'APPLICATIONS_ROW_TOTAL');
    expect(rowTotal).toHaveLength(1);
    expect(rowTotal[0].messageEn).toBe('the six applicant columns of denied.stateSecret sum to 1 (0 + 0 + 1 + 0 + 0 + 0) but its total = 0');
    expect(rowTotal[0].cells).toEqual([
      'applications.denied.stateSecret.total',
      ...['naturalPerson', 'commercial', 'research', 'social', 'legal', 'other'].map((column) => `applications.denied.stateSecret.${column}`),
    ]);
  });
});

describe('REVIEW_LITIGATION_TOTAL', () => {
  test('维持 + 纠正 + 其他 + 尚未审结 ≠ 总计 in a group', () => {
    const target = record();
    set(target, 'reviewLitigation.litigationDirect.pending', 1);
    const findings = validate(target);
    expect(rulesOf(findings)).toEqual(['REVIEW_LITIGATION_TOTAL']);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      messageEn: 'litigationDirect: upheld 0 + corrected 0 + other 0 + pending 1 = 1 but total = 0',
    });
    expect(findings[0].cells).toEqual([
      'reviewLitigation.litigationDirect.total',
      'reviewLitigation.litigationDirect.upheld',
      'reviewLitigation.litigationDirect.corrected',
      'reviewLitigation.litigationDirect.other',
      'reviewLitigation.litigationDirect.pending',
    ]);
  });
});

describe('VALUE_DOMAIN', () => {
  test('negative, fractional and non-numeric counts and negative amounts are errors', () => {
    const target = record();
    set(target, 'active.licensing.decisions', -1);
    set(target, 'active.punishment.decisions', 1.5);
    set(target, 'active.enforcement.decisions', 'abc');
    set(target, 'active.fees.amountWan', -3);
    const findings = validate(target);
    expect(rulesOf(findings)).toEqual(['VALUE_DOMAIN', 'VALUE_DOMAIN', 'VALUE_DOMAIN', 'VALUE_DOMAIN']);
    expect(findings.map((finding) => finding.cells)).toEqual([
      ['active.licensing.decisions'],
      ['active.punishment.decisions'],
      ['active.enforcement.decisions'],
      ['active.fees.amountWan'],
    ]);
    expect(findings[0].messageEn).toBe('active.licensing.decisions = -1 is a negative count');
  });

  test('decimal amounts, the 2019 本年增/减 and unit strings are in domain', () => {
    const target = record({ template: '2019', year: 2020 });
    set(target, 'active.licensing.change', -4);
    set(target, 'active.procurement.amount', 48.12);
    expect(validate(target)).toEqual([]);
  });

  test('pre-2019 indicators: counts must be whole, other units are left alone', () => {
    const target = record({ template: 'pre2019', year: 2017 });
    target.tables.legacy = [
      { key: '收到申请数', label: '收到申请数', marker: '(一)', indicator: null, unit: '件', value: 2.5, raw: '2.5' },
      { key: '平均答复工作日数', label: '平均答复工作日数', marker: null, indicator: null, unit: '天', value: 7.29, raw: '7.29' },
      { key: '依申请公开信息收取的费用', label: '依申请公开信息收取的费用', marker: '八、', indicator: null, unit: '万元', value: 0.35, raw: '0.35' },
    ];
    const findings = validate(target);
    expect(rulesOf(findings)).toEqual(['VALUE_DOMAIN']);
    expect(findings[0].cells).toEqual(['legacy.收到申请数']);
  });
});

describe('TABLE_MISSING', () => {
  test('2021: each absent table is one error', () => {
    const target = record();
    target.tables = {};
    const findings = validate(target);
    expect(rulesOf(findings)).toEqual(['TABLE_MISSING', 'TABLE_MISSING', 'TABLE_MISSING']);
    expect(findings.map((finding) => finding.cells)).toEqual([['active'], ['applications'], ['reviewLitigation']]);
    expect(findings[0]).toMatchObject({ severity: 'error', messageEn: 'table active, required by the 2021 template, is absent' });
  });

  test('a table with no value at all (empty, or every cell blank) counts as missing', () => {
    const target = record();
    target.tables.active = {};
    target.tables.reviewLitigation = { review: { upheld: null, corrected: null, other: null, pending: null, total: null } };
    const findings = validate(target);
    expect(rulesOf(findings)).toEqual(['TABLE_MISSING', 'TABLE_MISSING']);
    expect(findings[1].messageEn).toContain('reviewLitigation, required by the 2021 template, has no values');
  });

  test('pre-2019: the indicator list is the required table', () => {
    const target = record({ template: 'pre2019', year: 2017 });
    delete target.tables.legacy;
    const findings = validate(target);
    expect(rulesOf(findings)).toEqual(['TABLE_MISSING']);
    expect(findings[0].cells).toEqual(['legacy']);
    target.tables.legacy = [{ key: '收到申请数', label: '收到申请数', marker: '(一)', indicator: null, unit: '件', value: null, raw: '' }];
    expect(validate(target)).toEqual([expect.objectContaining({ rule: 'TABLE_MISSING', messageEn: expect.stringContaining('has no values') })]);
  });

  test('without a detected template the year decides; without either nothing is required', () => {
    const of2020 = record({ template: null, year: 2020 });
    of2020.tables = {};
    expect(validate(of2020).map((finding) => finding.messageEn)).toContain('table applications, required by the 2019 template, is absent');
    const undated = record({ template: null, year: null });
    undated.tables = {};
    expect(validate(undated)).toEqual([]);
  });
});

describe('SECTION_MISSING', () => {
  test('each absent section of the six is a warning; pre-2019 reports are free-form', () => {
    const target = record();
    target.sections = target.sections.filter((section) => section.number !== 3);
    target.sections[3].present = false; // section 5
    const findings = validate(target);
    expect(rulesOf(findings)).toEqual(['SECTION_MISSING', 'SECTION_MISSING']);
    expect(findings.map((finding) => finding.messageEn)).toEqual([
      'section 三、收到和处理政府信息公开申请情况 is absent',
      'section 五、存在的主要问题及改进情况 is absent',
    ]);
    expect(findings[0].severity).toBe('warning');

    const legacy = record({ template: 'pre2019', year: 2017 });
    legacy.sections = [];
    expect(validate(legacy)).toEqual([]);
  });
});

describe('NARRATIVE_MISMATCH', () => {
  test('text figures that differ from the tables are warnings naming both sides', () => {
    const target = record();
    set(target, 'reviewLitigation.litigationDirect.upheld', 1);
    set(target, 'reviewLitigation.litigationDirect.total', 1);
    target.narrative = { applicationsReceived: 70, reviewCases: 2, litigationCases: 1 };
    target.narrativeSources = { applicationsReceived: '2021年共收到政府信息公开案件70件' };
    const findings = validate(target);
    expect(rulesOf(findings)).toEqual(['NARRATIVE_MISMATCH', 'NARRATIVE_MISMATCH']);
    expect(findings[0].messageEn).toBe(
      'the text states applicationsReceived = 70 ("2021年共收到政府信息公开案件70件") but the table gives 0 (applications.newReceived.total 0)',
    );
    expect(findings[0].cells).toEqual(['narrative.applicationsReceived', 'applications.newReceived.total']);
    expect(findings[1].cells).toEqual(['narrative.reviewCases', 'reviewLitigation.review.total']);
  });

  test('litigation compares with both litigation totals added', () => {
    const target = record();
    set(target, 'reviewLitigation.litigationAfterReview.other', 1);
    set(target, 'reviewLitigation.litigationAfterReview.total', 1);
    target.narrative = { litigationCases: 2 };
    const findings = validate(target);
    expect(rulesOf(findings)).toEqual(['NARRATIVE_MISMATCH']);
    expect(findings[0].cells).toEqual([
      'narrative.litigationCases',
      'reviewLitigation.litigationDirect.total',
      'reviewLitigation.litigationAfterReview.total',
    ]);
    expect(findings[0].messageEn).toContain('gives 1');
  });
});

describe('YEAR_MISMATCH', () => {
  test('a statistical period outside the report year is a warning', () => {
    const target = record();
    target.meta.period = { from: '2020-01-01', to: '2020-12-31' };
    const findings = validate(target);
    expect(rulesOf(findings)).toEqual(['YEAR_MISMATCH']);
    expect(findings[0]).toMatchObject({ severity: 'warning', cells: ['meta.year', 'meta.period'] });
    expect(findings[0].messageEn).toContain('2020-01-01');
  });

  test('publication outside [year, year + 1] is a warning; within it is not', () => {
    const late = record();
    late.meta.publishedOn = '2023-03-01';
    expect(validate(late)).toEqual([expect.objectContaining({ rule: 'YEAR_MISMATCH', cells: ['meta.year', 'meta.publishedOn'] })]);
    const early = record();
    early.meta.publishedOn = '2020-12-30';
    expect(rulesOf(validate(early))).toEqual(['YEAR_MISMATCH']);
    for (const publishedOn of ['2021-12-31', '2022-01-25', '2022-12-31']) {
      const onTime = record();
      onTime.meta.publishedOn = publishedOn;
      expect(validate(onTime)).toEqual([]);
    }
  });
});

describe('CARRY_OVER_MISMATCH', () => {
  test("this year's 二 ≠ last year's 四 is a warning per column", () => {
    const previous = record({ year: 2020 });
    set(previous, 'applications.carriedForward.legal', 2);
    set(previous, 'applications.carriedForward.total', 2);
    const findings = validate(record(), previous);
    expect(rulesOf(findings)).toEqual(['CARRY_OVER_MISMATCH', 'CARRY_OVER_MISMATCH']);
    expect(findings[0]).toMatchObject({
      severity: 'warning',
      messageEn: 'carriedOver = 0 in column legal but the 2020 report carried forward 2',
      cells: ['applications.carriedOver.legal'],
    });
    expect(findings[1].cells).toEqual(['applications.carriedOver.total']);
  });

  test('no previous report, or one that is not the year before, is not compared', () => {
    const older = record({ year: 2019 });
    set(older, 'applications.carriedForward.total', 2);
    expect(validate(record(), older)).toEqual([]);
    expect(validate(record(), null)).toEqual([]);
  });
});

describe('STOCK_FLOW_MISMATCH', () => {
  function withStock(year: number, inForce: number, issued = 0, repealed = 0): CanonicalRecord {
    const target = record({ year });
    set(target, 'active.normativeDocuments.inForce', inForce);
    set(target, 'active.normativeDocuments.issued', issued);
    set(target, 'active.normativeDocuments.repealed', repealed);
    return target;
  }

  test('现行有效 ≠ last year + 制发 − 废止 is a warning', () => {
    expect(validate(withStock(2021, 75, 9, 1), withStock(2020, 67))).toEqual([]);
    const findings = validate(withStock(2021, 75, 9, 1), withStock(2020, 66));
    expect(rulesOf(findings)).toEqual(['STOCK_FLOW_MISMATCH']);
    expect(findings[0].messageEn).toBe('normativeDocuments: inForce = 75 but 2020 inForce 66 + issued 9 − repealed 1 = 74');
    expect(findings[0].cells).toEqual(['active.normativeDocuments.inForce', 'active.normativeDocuments.issued', 'active.normativeDocuments.repealed']);
  });

  test('only for the 2021 template, and only when last year has a 现行有效 figure', () => {
    const previous2019 = record({ template: '2019', year: 2020 });
    expect(validate(withStock(2021, 75, 9), previous2019)).toEqual([]);
    const this2019 = record({ template: '2019', year: 2020 });
    expect(validate(this2019, withStock(2019, 66))).toEqual([]);
  });
});

describe('blank cells are not assessable, never 0', () => {
  test('checks whose inputs include null report nothing', () => {
    const target = record();
    set(target, 'applications.newReceived.naturalPerson', 3);
    set(target, 'applications.newReceived.total', null);
    for (const row of ['granted', 'totalHandled']) {
      set(target, `applications.${row}.naturalPerson`, 3);
      set(target, `applications.${row}.total`, 3);
    }
    set(target, 'reviewLitigation.review.upheld', 1);
    set(target, 'reviewLitigation.review.pending', null);
    target.narrative = { applicationsReceived: 5, reviewCases: null };
    const previous = record({ year: 2020 });
    set(previous, 'applications.carriedForward.naturalPerson', 4);
    set(previous, 'applications.carriedForward.total', null);
    for (const row of ['carriedOver', 'carriedForward']) {
      set(target, `applications.${row}.naturalPerson`, 4);
      set(target, `applications.${row}.total`, 4);
    }
    set(target, 'active.regulations.inForce', null);
    set(previous, 'active.regulations.inForce', 5);
    expect(validate(target, previous)).toEqual([]);
  });
});

describe('LEGACY_SUBTOTAL', () => {
  const MARKER = /^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+\.|其中:)/;

  /** Seed 002's indicator list, split the simple way its `marker label | unit | value |` lines allow. */
  function seed002List(): LegacyIndicator[] {
    return seed('002')
      .split('\n')
      .filter((line) => / \| /.test(line) && !line.startsWith('统 计 指 标'))
      .map((line) => {
        const [printed, unit = '', raw = ''] = line.split('|').map((part) => part.trim());
        const marker = MARKER.exec(printed)?.[0] ?? null;
        const label = printed.slice(marker?.length ?? 0).replace(/\(.*$/, '');
        return { key: label, label, marker: marker?.replace(':', '') ?? null, indicator: null, unit: unit || null, value: raw === '' ? null : Number(raw), raw };
      });
  }

  /** Seed 002's list with values filled in, by label as printed without its marker. */
  function legacyRecord(values: Record<string, number>, list = seed002List()): CanonicalRecord {
    const target = record({ template: 'pre2019', year: 2017 });
    target.tables.legacy = list.map((indicator) =>
      indicator.label in values ? { ...indicator, value: values[indicator.label], raw: String(values[indicator.label]) } : indicator,
    );
    return target;
  }

  const indicator = (marker: string | null, label: string, value: number | null, unit: string | null = '件'): LegacyIndicator => ({
    key: label,
    label,
    marker,
    indicator: null,
    unit,
    value,
    raw: value === null ? '' : String(value),
  });

  test('seed 002 as printed: blank parts make nothing assessable', () => {
    const list = seed002List();
    expect(list.find((item) => item.label === '主动公开规范性文件数')).toMatchObject({ marker: '其中', value: 1, unit: '条' });
    expect(validate(legacyRecord({}))).toEqual([]);
  });

  test('numbered items under a （一） indicator must sum to it', () => {
    const findings = validate(legacyRecord({ 收到申请数: 6, 当面申请数: 1, 传真申请数: 1, 网络申请数: 1, 信函申请数: 2 }));
    expect(rulesOf(findings)).toEqual(['LEGACY_SUBTOTAL']);
    expect(findings[0]).toMatchObject({ severity: 'warning' });
    expect(findings[0].messageEn).toBe(
      'the items under "(一)收到申请数" sum to 5 (1.当面申请数 1 + 2.传真申请数 1 + 3.网络申请数 1 + 4.信函申请数 2) but it states 6',
    );
    expect(findings[0].cells).toEqual(['legacy.收到申请数', 'legacy.当面申请数', 'legacy.传真申请数', 'legacy.网络申请数', 'legacy.信函申请数']);
    expect(validate(legacyRecord({ 收到申请数: 5, 当面申请数: 1, 传真申请数: 1, 网络申请数: 1, 信函申请数: 2 }))).toEqual([]);
  });

  test('（一）（二）… under a 一、 indicator with a value must sum to it', () => {
    const findings = validate(legacyRecord({ 行政复议数量: 4, 维持具体行政行为数: 2, 被依法纠错数: 1, 其他情形数: 0 }));
    expect(rulesOf(findings)).toEqual(['LEGACY_SUBTOTAL']);
    expect(findings[0].cells[0]).toBe('legacy.行政复议数量');
    expect(findings[0].messageEn).toContain('sum to 3');
    expect(validate(legacyRecord({ 行政复议数量: 3, 维持具体行政行为数: 2, 被依法纠错数: 1, 其他情形数: 0 }))).toEqual([]);
  });

  test('items under a heading without a value belong to no indicator', () => {
    // Seed 002: "(二)通过不同渠道和方式公开政府信息的情况 | ||" heads items 1–5; they are not parts of (一) = 39.
    const values = { 政府公报公开政府信息数: 1, 政府网站公开政府信息数: 2, 政务微博公开政府信息数: 3, 政务微信公开政府信息数: 59, 其他方式公开政府信息数: 4 };
    expect(validate(legacyRecord(values))).toEqual([]);
    // Without the heading line the same items would be read as a breakdown of (一).
    const withoutHeading = seed002List().filter((item) => item.label !== '通过不同渠道和方式公开政府信息的情况');
    expect(rulesOf(validate(legacyRecord(values, withoutHeading)))).toEqual(['LEGACY_SUBTOTAL']);
  });

  test('a 一、 heading ends the items of the （一） before it', () => {
    const list = [indicator('(一)', '甲', 10), indicator('1.', '乙', 4), indicator('2.', '丙', 6), indicator('二、', '丁', null, null), indicator('1.', '戊', 3)];
    expect(validate(legacyRecord({}, list))).toEqual([]);
    const findings = validate(legacyRecord({}, list.filter((item) => item.label !== '丁')));
    expect(findings.map((item) => item.messageEn)).toEqual(['the items under "(一)甲" sum to 13 (1.乙 4 + 2.丙 6 + 1.戊 3) but it states 10']);
  });

  test('one blank item, or a unit that differs, leaves the sum unchecked', () => {
    expect(validate(legacyRecord({ 收到申请数: 6, 当面申请数: 1, 传真申请数: 1, 网络申请数: 1 }))).toEqual([]);
    const list = [indicator('(一)', '收到申请数', 6), indicator('1.', '当面申请数', 1), indicator('2.', '网络申请数', 2, '次')];
    expect(validate(legacyRecord({}, list))).toEqual([]);
  });

  test('numbered items directly under a 一、 indicator, and a lone item, are not sums', () => {
    const list = [indicator('一、', '甲', 10), indicator('1.', '乙', 1), indicator('2.', '丙', 2), indicator('(一)', '丁', 5), indicator('1.', '戊', 1)];
    expect(validate(legacyRecord({}, list))).toEqual([]);
  });

  test('a 其中 line must not exceed the indicator above it', () => {
    const findings = validate(legacyRecord({ 主动公开规范性文件数: 45 }));
    expect(rulesOf(findings)).toEqual(['LEGACY_SUBTOTAL']);
    expect(findings[0].cells).toEqual(['legacy.主动公开规范性文件数', 'legacy.主动公开政府信息数']);
    expect(findings[0].messageEn).toBe('"其中主动公开规范性文件数" = 45 exceeds the indicator it is part of, "(一)主动公开政府信息数" = 39');
    expect(validate(legacyRecord({ 主动公开规范性文件数: 39 }))).toEqual([]);
  });

  test('consecutive 其中 lines share the indicator above the first, each within it', () => {
    const list = [indicator('1.', '参加或举办新闻发布会总次数', 3, '次'), indicator('其中', '主要负责同志参加', 2, '次'), indicator('其中', '分管同志参加', 4, '次')];
    const findings = validate(legacyRecord({}, list));
    expect(findings.map((item) => item.cells)).toEqual([['legacy.分管同志参加', 'legacy.参加或举办新闻发布会总次数']]);
  });

  test('unmarked lines after a 其中 line are not taken as parts', () => {
    expect(validate(legacyRecord({ 不同意公开答复数: 1, 涉及国家秘密: 1, 涉及商业秘密: 5 }))).toEqual([]);
  });

  test('a label that only reads like a marker is not one', () => {
    // The marker decides, not the label: "其中…" in the label of an unmarked line is no part.
    const list = [indicator(null, '收到申请数', 1), indicator(null, '其中当面申请数', 5)];
    expect(validate(legacyRecord({}, list))).toEqual([]);
  });
});

describe('CONTENT_TAMPERING', () => {
  test('seed 004: the gambling brand in title, agency and body is critical and named', () => {
    const body = seed('004');
    const title = body.split('\n')[0].trim();
    const target = record();
    target.meta.title = title;
    target.meta.agency = title.slice(0, title.indexOf('2021年'));
    const findings = only(validate(target, null, body), 'CONTENT_TAMPERING');
    expect(findings.map((finding) => finding.cells)).toEqual([['meta.title'], ['meta.agency'], ['body']]);
    for (const finding of findings) {
      expect(finding.severity).toBe('critical');
      expect(finding.messageEn).toContain('"bet365亚洲官网"');
    }
  });

  test('seed 004 as a whole record: tampering and the three lost tables', () => {
    const body = seed('004');
    const target = record();
    target.meta.title = body.split('\n')[0].trim();
    target.meta.agency = 'bet365亚洲官网 办公室';
    target.tables = {};
    target.narrative = { proactiveItems: 255, applicationsReceived: 70, reviewCases: 2, litigationCases: 1 };
    expect(rulesOf(validate(target, null, body))).toEqual([
      'CONTENT_TAMPERING',
      'CONTENT_TAMPERING',
      'CONTENT_TAMPERING',
      'TABLE_MISSING',
      'TABLE_MISSING',
      'TABLE_MISSING',
    ]);
  });

  test('genuine reports, with their government links, are not tampered', () => {
    for (const prefix of ['000', '001', '002', '003']) {
      expect(only(validate(record(), null, seed(prefix)), 'CONTENT_TAMPERING')).toEqual([]);
    }
    expect(seed('000')).toContain('http://cgj.panzhihua.gov.cn/');
  });

  test('seed 000 as a whole record: lost tables and sections, nothing else', () => {
    const target = record();
    target.tables = {};
    target.sections = target.sections.filter((section) => section.number !== 3 && section.number !== 4);
    target.narrative = { proactiveItems: 3193, applicationsReceived: 0, reviewCases: 2 };
    target.meta.publishedOn = '2022-01-25';
    expect(rulesOf(validate(target, null, seed('000')))).toEqual([
      'TABLE_MISSING',
      'TABLE_MISSING',
      'TABLE_MISSING',
      'SECTION_MISSING',
      'SECTION_MISSING',
    ]);
  });

  test('links to non-government hosts are named; government, media and e-mail addresses are not', () => {
    const body =
      '网址 http://www.gov.cn/zhengce 与 www.panzhihua.gov.cn,政务微博 https://weibo.com/pzh ,邮箱 pzhcgj@163.com。' +
      '最新优惠请访问 www.vip8888.com 或 https://casino-777.net/register 。';
    const findings = validate(record(), null, body);
    expect(rulesOf(findings)).toEqual(['CONTENT_TAMPERING']);
    expect(findings[0].messageEn).toBe(
      'injected content in the body text: non-government link "www.vip8888.com", non-government link "https://casino-777.net"',
    );
  });

  test('gambling words in legitimate contexts do not count in the body, but do in an agency name', () => {
    const body = '依法打击赌博违法犯罪,查处赌场2处;福利彩票公益金使用情况已公开;企业银行开户许可取消。';
    expect(validate(record(), null, body)).toEqual([]);
    const target = record();
    target.meta.agency = '澳门博彩 办公室';
    const findings = validate(target);
    expect(findings).toEqual([
      {
        rule: 'CONTENT_TAMPERING',
        severity: 'critical',
        message: '机构名称中有被植入的内容：赌博广告“博彩”',
        messageEn: 'injected content in the agency name: gambling spam "博彩"',
        cells: ['meta.agency'],
      },
    ]);
  });

  test('promotional phrasing is caught in the body, full-width or not', () => {
    const findings = validate(record(), null, '点击澳门新葡京娱乐开户送彩金,ＢＥＴ３６５体育投注');
    expect(rulesOf(findings)).toEqual(['CONTENT_TAMPERING']);
    expect(findings[0].messageEn).toContain('"澳门新葡京娱乐开户送"');
    expect(findings[0].messageEn).toContain('"BET365体育投注"');
  });
});

describe('findings in Chinese, by the template’s official names, with English beside', () => {
  const messagesOf = (findings: Finding[], rule: RuleId) => only(findings, rule).map((finding) => finding.message);

  test('the arithmetic of table 三 and 四 names rows and columns as the form prints them', () => {
    const target = record();
    set(target, 'applications.newReceived.naturalPerson', 10);
    set(target, 'applications.newReceived.commercial', 1);
    set(target, 'applications.newReceived.total', 12);
    set(target, 'applications.granted.naturalPerson', 10);
    set(target, 'applications.totalHandled.naturalPerson', 10);
    set(target, 'reviewLitigation.litigationDirect.pending', 1);
    const findings = validate(target);
    expect(messagesOf(findings, 'APPLICATIONS_ROW_TOTAL')).toEqual([
      '一、本年新收政府信息公开申请数量：总计 12 ≠ 自然人 10 + 商业企业 1 + 科研机构 0 + 社会公益组织 0 + 法律服务机构 0 + 其他 0 = 11',
      '(一)予以公开：总计 0 ≠ 自然人 10 + 商业企业 0 + 科研机构 0 + 社会公益组织 0 + 法律服务机构 0 + 其他 0 = 10',
      '(七)总计：总计 0 ≠ 自然人 10 + 商业企业 0 + 科研机构 0 + 社会公益组织 0 + 法律服务机构 0 + 其他 0 = 10',
    ]);
    expect(messagesOf(findings, 'APPLICATIONS_BALANCE')).toEqual([
      '商业企业栏：一、本年新收政府信息公开申请数量 1 + 二、上年结转政府信息公开申请数量 0 = 1 ≠ (七)总计 0 + 四、结转下年度继续办理 0 = 0',
      '总计栏：一、本年新收政府信息公开申请数量 12 + 二、上年结转政府信息公开申请数量 0 = 12 ≠ (七)总计 0 + 四、结转下年度继续办理 0 = 0',
    ]);
    expect(messagesOf(findings, 'REVIEW_LITIGATION_TOTAL')).toEqual(['行政诉讼（未经复议直接起诉）：总计 0 ≠ 结果维持 0 + 结果纠正 0 + 其他结果 0 + 尚未审结 1 = 1']);
    expect(only(findings, 'REVIEW_LITIGATION_TOTAL')[0].messageEn).toBe('litigationDirect: upheld 0 + corrected 0 + other 0 + pending 1 = 1 but total = 0');
  });

  test('an outcome sum lists the outcome rows that hold a count, under their numbered group', () => {
    const target = record();
    set(target, 'applications.denied.stateSecret.social', 2);
    set(target, 'applications.denied.stateSecret.total', 2);
    set(target, 'applications.totalHandled.total', 2);
    expect(messagesOf(validate(target), 'APPLICATIONS_OUTCOMES_SUM')).toEqual([
      '社会公益组织栏：(七)总计 0 ≠ 三、本年度办理结果 21 项之和 2（非零项：(三)不予公开 1.属于国家秘密 2）',
    ]);
  });

  test('value domain, missing tables, cells and sections, and year checks', () => {
    const negative = set(record(), 'active.licensing.decisions', -1);
    expect(messagesOf(validate(negative), 'VALUE_DOMAIN')).toEqual(['行政许可·本年处理决定数量 = -1：件数为负数']);

    const withoutActive = record();
    delete withoutActive.tables.active;
    expect(messagesOf(validate(withoutActive), 'TABLE_MISSING')).toEqual(['2021 年版模板要求的表格“二、主动公开政府信息情况”缺失']);

    const unread = record();
    delete (unread.tables.applications!.granted as TableNode).legal;
    delete (unread.tables.applications!.granted as TableNode).other;
    expect(messagesOf(validate(unread), 'CELL_MISSING')).toEqual([
      '三、收到和处理政府信息公开申请情况 (一)予以公开：未读出“法律服务机构”、“其他”（2021 年版模板有这些栏目）',
    ]);

    const sectionless = record();
    sectionless.sections[4].present = false;
    expect(messagesOf(validate(sectionless), 'SECTION_MISSING')).toEqual(['缺少第五部分“五、存在的主要问题及改进情况”']);

    const late = record();
    late.meta.publishedOn = '2023-03-01';
    expect(messagesOf(validate(late), 'YEAR_MISMATCH')).toEqual(['2021 年度报告的发布日期为 2023-03-01，不在 2021–2022 年内']);
  });

  test('text against tables, and this year against last', () => {
    const target = record();
    target.narrative = { applicationsReceived: 70 };
    target.narrativeSources = { applicationsReceived: '共收到政府信息公开申请70件' };
    expect(messagesOf(validate(target), 'NARRATIVE_MISMATCH')).toEqual([
      '正文所述政府信息公开申请数为 70（“共收到政府信息公开申请70件”），而表格为 0（一、本年新收政府信息公开申请数量·总计 0）',
    ]);

    const previous = record({ year: 2020 });
    set(previous, 'applications.carriedForward.legal', 2);
    set(previous, 'applications.carriedForward.total', 2);
    set(previous, 'active.regulations.inForce', 5);
    expect(messagesOf(validate(record(), previous), 'CARRY_OVER_MISMATCH')[0]).toBe(
      '二、上年结转政府信息公开申请数量·法律服务机构 0 ≠ 2020 年度报告的四、结转下年度继续办理·法律服务机构 2',
    );
    expect(messagesOf(validate(record(), previous), 'STOCK_FLOW_MISMATCH')).toEqual([
      '规章：现行有效件数 0 ≠ 2020 年现行有效件数 5 + 本年制发件数 0 − 本年废止件数 0 = 5',
    ]);
  });

  test('pre-2019 lists are named by their printed labels', () => {
    const target = record({ template: 'pre2019', year: 2017 });
    target.tables.legacy = [
      { key: '甲', label: '甲', marker: '(一)', indicator: null, unit: '件', value: 10, raw: '10' },
      { key: '乙', label: '乙', marker: '1.', indicator: null, unit: '件', value: 4, raw: '4' },
      { key: '丙', label: '丙', marker: '2.', indicator: null, unit: '件', value: 7, raw: '7' },
    ];
    expect(messagesOf(validate(target), 'LEGACY_SUBTOTAL')).toEqual(['“(一)甲” 10 ≠ 其下各项之和 11（1.乙 4 + 2.丙 7）']);
  });

  test('every finding carries both languages, and the Chinese one names no record keys', () => {
    const target = record();
    set(target, 'applications.newReceived.total', 3);
    set(target, 'applications.granted.research', 2);
    set(target, 'active.fees.amountWan', -1);
    set(target, 'reviewLitigation.review.total', 4);
    target.sections[1].present = false;
    target.narrative = { reviewCases: 9, litigationCases: 2 };
    target.meta.title = 'bet365亚洲官网';
    const previous = record({ year: 2020 });
    set(previous, 'applications.carriedForward.total', 1);
    const findings = validate(target, previous, '详见 www.example.com');
    expect(new Set(rulesOf(findings)).size).toBeGreaterThanOrEqual(8);
    for (const finding of findings) {
      expect(finding.messageEn).toEqual(expect.any(String));
      expect(finding.message).toMatch(/\p{Script=Han}/u);
      expect(finding.message).not.toMatch(/\b(?:applications|reviewLitigation|active|narrative)\.|[a-z][A-Z]/);
    }
  });
});
