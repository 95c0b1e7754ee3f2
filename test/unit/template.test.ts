/** The template model (shared/template): its equations as validate and OCR repair use them, collapsed groups, cells never silently missing. */
import { SCHEMA_VERSION, type CanonicalRecord, type ExtractedCell, type Finding, type TableNode } from '../../shared/record';
import { tableEquations } from '../../shared/template/equations';
import { layoutForm } from '../../shared/template/form-layout';
import { APPLICANT_COLUMNS, APPLICATIONS_2019, APPLICATIONS_2021, collapsedGroupsIn } from '../../shared/template/rows';
import { MATRIX_TEMPLATES, templateCells } from '../../shared/template/templates';
import { reviewOcrCells } from '../../workers/parse/ocr-confidence';
import { validateReport } from '../../workers/validate/core';

const APPLICANTS = APPLICANT_COLUMNS.filter((column) => column !== 'total');

/** One row of table 三: the six applicant columns, the total their sum. */
function row(byApplicant: Partial<Record<(typeof APPLICANTS)[number], number>> = {}): TableNode {
  const values = APPLICANTS.map((column) => byApplicant[column] ?? 0);
  return { ...Object.fromEntries(APPLICANTS.map((column, index) => [column, values[index]])), total: values.reduce((sum, value) => sum + value, 0) };
}

/** An all-zero table 三 of the 2021 template, written out by hand. */
function applications2021(): TableNode {
  const rows = (keys: string[]) => Object.fromEntries(keys.map((key) => [key, row()]));
  return {
    newReceived: row(),
    carriedOver: row(),
    granted: row(),
    partiallyGranted: row(),
    denied: rows(['stateSecret', 'prohibitedByLaw', 'securityStability', 'thirdPartyRights', 'internalAffairs', 'processInformation', 'enforcementFiles', 'administrativeQuery']),
    unableToProvide: rows(['notHeld', 'needsCreation', 'unclear']),
    notProcessed: rows(['complaint', 'duplicate', 'publication', 'massRepeated', 'reconfirm']),
    otherHandling: rows(['noCorrection', 'unpaidFee', 'other']),
    totalHandled: row(),
    carriedForward: row(),
  };
}

function reviewLitigation(): TableNode {
  const group = () => ({ upheld: 0, corrected: 0, other: 0, pending: 0, total: 0 });
  return { review: group(), litigationDirect: group(), litigationAfterReview: group() };
}

function record(applications: TableNode, findings: Finding[] = []): CanonicalRecord {
  return {
    schemaVersion: SCHEMA_VERSION,
    source: { sha256: 'b'.repeat(64), fileName: 'report.pdf', mediaType: 'application/pdf', pages: 1, ocrPages: [] },
    meta: { agency: '淮安市人民政府', year: 2021, template: '2021', script: 'simplified', publishedOn: '2022-01-20', period: null, title: null },
    sections: [1, 2, 3, 4, 5, 6].map((number) => ({ number, title: `section ${number}`, present: true })),
    tables: {
      active: {
        regulations: { issued: 0, repealed: 0, inForce: 0 },
        normativeDocuments: { issued: 0, repealed: 0, inForce: 0 },
        licensing: { decisions: 0 },
        punishment: { decisions: 0 },
        enforcement: { decisions: 0 },
        fees: { amountWan: 0 },
      },
      applications,
      reviewLitigation: reviewLitigation(),
    },
    narrative: {},
    narrativeSources: {},
    findings,
  };
}

/** Table 三 with 5 requests from natural persons, 3 of them in (六)其他处理 printed as one row. */
function collapsedApplications(otherHandling: TableNode): TableNode {
  const table = applications2021();
  table.newReceived = row({ naturalPerson: 5 });
  table.granted = row({ naturalPerson: 2 });
  table.otherHandling = otherHandling;
  table.totalHandled = row({ naturalPerson: 5 });
  return table;
}

const rowCollapsed: Finding = {
  rule: 'ROW_COLLAPSED',
  severity: 'warning',
  message: '(六)其他处理 printed as one row',
  cells: APPLICANT_COLUMNS.map((column) => `applications.otherHandling.${column}`),
};

const validate = (target: CanonicalRecord): Finding[] => validateReport(target, { previous: null });

describe('the equations of the model', () => {
  test('2021: a row total per row, a balance and an outcome sum per column, a total per review group; each carries its rule', () => {
    const equations = tableEquations(MATRIX_TEMPLATES['2021'], record(applications2021()).tables);
    const count = (rule: string) => equations.filter((equation) => equation.rule === rule).length;
    expect([count('APPLICATIONS_ROW_TOTAL'), count('APPLICATIONS_BALANCE'), count('APPLICATIONS_OUTCOMES_SUM'), count('REVIEW_LITIGATION_TOTAL')]).toEqual([25, 7, 7, 3]);
    const outcomesOfTotal = equations.find((equation) => equation.name.en.startsWith('applications column total: the outcome rows'))!;
    expect(outcomesOfTotal.terms).toHaveLength(22);
    expect(outcomesOfTotal.terms[0]).toEqual({ key: 'applications.totalHandled.total', sign: 1 });
  });

  test('only the tables present have equations; 2019 sums 19 outcome rows', () => {
    const tables = { reviewLitigation: reviewLitigation() };
    expect(tableEquations(MATRIX_TEMPLATES['2021'], tables).map((equation) => equation.rule)).toEqual(Array(3).fill('REVIEW_LITIGATION_TOTAL'));
    const of2019 = tableEquations(MATRIX_TEMPLATES['2019'], { applications: {} });
    expect(of2019.find((equation) => equation.rule === 'APPLICATIONS_OUTCOMES_SUM')!.terms).toHaveLength(20);
  });

  test('validate reports each failing equation once, under its rule, naming its cells in term order', () => {
    const table = applications2021();
    table.newReceived = row({ legal: 2 });
    table.totalHandled = row({ legal: 2 });
    const target = record(table);
    (target.tables.reviewLitigation!.review as TableNode).corrected = 4;
    const findings = validate(target);
    expect(findings.map((finding) => [finding.rule, finding.cells[0]])).toEqual([
      ['APPLICATIONS_OUTCOMES_SUM', 'applications.totalHandled.legal'],
      ['APPLICATIONS_OUTCOMES_SUM', 'applications.totalHandled.total'],
      ['REVIEW_LITIGATION_TOTAL', 'reviewLitigation.review.total'],
    ]);
    expect(findings[0].messageEn).toBe('the 21 outcome rows sum to 0 but totalHandled = 2 in column legal');
    expect(findings[2].messageEn).toBe('review: upheld 0 + corrected 4 + other 0 + pending 0 = 4 but total = 0');
  });
});

describe('a group printed as one row (ROW_COLLAPSED)', () => {
  test('the model marks 2021’s (六)其他处理 as one that may be printed collapsed', () => {
    expect(APPLICATIONS_2021.groups.filter((group) => group.mayCollapse).map((group) => group.key)).toEqual(['otherHandling']);
    expect(APPLICATIONS_2019.groups.map((group) => group.key)).toEqual(['denied', 'unableToProvide', 'notProcessed']);
  });

  test('the group’s own values take part in the sums: a consistent record validates clean', () => {
    const target = record(collapsedApplications(row({ naturalPerson: 3 })), [rowCollapsed]);
    expect(collapsedGroupsIn(APPLICATIONS_2021, target.tables.applications)).toEqual(new Set(['otherHandling']));
    expect(validate(target)).toEqual([]);
  });

  test('and an inconsistent one fails, naming the group’s cells', () => {
    const target = record(collapsedApplications(row({ naturalPerson: 2 })), [rowCollapsed]);
    const findings = validate(target);
    expect(findings.map((finding) => finding.rule)).toEqual(['APPLICATIONS_OUTCOMES_SUM', 'APPLICATIONS_OUTCOMES_SUM']);
    expect(findings[0].messageEn).toBe('the 19 outcome rows sum to 4 but totalHandled = 5 in column naturalPerson');
    expect(findings[0].cells).toContain('applications.otherHandling.naturalPerson');
    expect(findings[0].cells).not.toContain('applications.otherHandling.other.naturalPerson');
  });

  test('a group row’s own total must still be the sum of its applicant columns', () => {
    const target = record(collapsedApplications({ ...row({ naturalPerson: 3 }), total: 4 }), [rowCollapsed]);
    expect(validate(target).map((finding) => finding.rule)).toContain('APPLICATIONS_ROW_TOTAL');
  });

  test('OCR repair solves a misread cell of the collapsed row from the same equations', () => {
    // Read by OCR: 3 misread as 8, with low confidence.
    const { tables } = record(collapsedApplications({ ...row({ naturalPerson: 3 }), naturalPerson: 8 }));
    const cells = templateCells(MATRIX_TEMPLATES['2021'], 'applications', tables.applications).map((key): ExtractedCell => {
      const [, rowKey, columnKey] = /^applications\.(.+)\.([^.]+)$/.exec(key)!;
      const value = rowKey.split('.').reduce<TableNode>((node, part) => node[part] as TableNode, tables.applications!)[columnKey] as number;
      const confidence = key === 'applications.otherHandling.naturalPerson' ? 41 : 95;
      return { table: 'applications', rowKey, columnKey, value, raw: String(value), unit: null, provenance: { page: 1, confidence } };
    });
    const findings = reviewOcrCells(tables, cells, '2021', new Set([1]));
    expect((tables.applications!.otherHandling as TableNode).naturalPerson).toBe(3);
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'LOW_CONFIDENCE_CELL',
        messageEn: "applications.otherHandling.naturalPerson: inferred from applications row otherHandling: total = the six applicant columns: read '8' (confidence 41), set to 3",
      }),
    ]);
  });

  test('the form shows the group as the one row it was printed as', () => {
    const form = layoutForm(record(collapsedApplications(row({ naturalPerson: 3 })), [rowCollapsed]));
    const applications = form.find((table) => table.name === 'applications')!;
    const labels = applications.rows.flatMap((cells) => cells.filter((cell) => cell.kind === 'label').map((cell) => cell.text));
    expect(labels).toContain('(六)其他处理');
    expect(labels.some((label) => label.includes('逾期不补正'))).toBe(false);
    const groupRow = applications.rows.find((cells) => cells.some((cell) => cell.text === '(六)其他处理'))!;
    expect(groupRow.filter((cell) => cell.kind === 'value').map((cell) => [cell.cellKey, cell.text])[0]).toEqual(['applications.otherHandling.naturalPerson', '3']);
  });
});

describe('CELL_MISSING: a template cell the record lacks is never silent', () => {
  test('each row with absent cells is a finding naming them; a blank (null) cell is not absent', () => {
    const table = applications2021();
    delete (table.denied as TableNode).stateSecret;
    delete (table.granted as TableNode).legal;
    (table.granted as TableNode).research = null;
    const findings = validate(record(table));
    const missing = findings.filter((finding) => finding.rule === 'CELL_MISSING');
    expect(missing.map((finding) => finding.cells)).toEqual([
      ['applications.granted.legal'],
      APPLICANT_COLUMNS.map((column) => `applications.denied.stateSecret.${column}`),
    ]);
    expect(missing[0]).toMatchObject({ severity: 'warning', messageEn: 'applications row granted: legal not read (the 2021 template has them)' });
  });

  test('cells a parse finding already names are accounted for, and a collapsed group covers its sub-rows', () => {
    const table = applications2021();
    delete (table.denied as TableNode).stateSecret;
    const ambiguous: Finding = {
      rule: 'TABLE_AMBIGUOUS',
      severity: 'warning',
      message: 'applications: row denied.stateSecret (属于国家秘密) not found',
      cells: APPLICANT_COLUMNS.map((column) => `applications.denied.stateSecret.${column}`),
    };
    expect(validate(record(table, [ambiguous]))).toEqual([]);
    // Parse reported (六) collapsed, but its values were lost: the sub-rows are not asked for again.
    const lost = applications2021();
    lost.otherHandling = {};
    expect(validate(record(lost, [rowCollapsed]))).toEqual([]);
  });

  test('a table without any value is TABLE_MISSING alone, not a wall of missing cells', () => {
    const target = record(applications2021());
    target.tables.reviewLitigation = { review: { upheld: null } };
    expect(validate(target).map((finding) => finding.rule)).toEqual(['TABLE_MISSING']);
  });
});
