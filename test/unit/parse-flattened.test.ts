/**
 * Flattened tables: the crawler dropped the cell boundaries, so "151 | 3 | 0 | 0 | 0 | 0 | 154" arrives
 * as "15130000154". The fixed count of numbers and the table's arithmetic choose the cut.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TableNode } from '../../shared/record';
import { parseText, seedText } from '../fixtures/parse/documents';
import { applicantValues, expectNonzeroApplications, NONZERO_ACTIVE, NONZERO_APPLICATIONS, NONZERO_REVIEW, rowAt } from '../fixtures/parse/nonzero';
import { cutsWithTotal, groupedCutsWithTotal, plainCuts } from '../../workers/parse/flattened';

const NONZERO_TEXT = fs.readFileSync(path.resolve(__dirname, '../fixtures/parse/001-nonzero.txt'), 'utf8');

/** What the crawler does: every cell boundary of every table row disappears. */
function flatten(text: string): string {
  return text.replace(/\t/g, '');
}

describe('cutting a digit run', () => {
  test('a row with its total: "15130000154" can only be 151 3 0 0 0 0 154', () => {
    expect(cutsWithTotal('15130000154', 7)).toEqual([['151', '3', '0', '0', '0', '0', '154']]);
  });

  test('no leading zeros', () => {
    expect(plainCuts('000', 3)).toEqual([['0', '0', '0']]);
    expect(plainCuts('1012', 3)).toEqual([
      ['1', '0', '12'],
      ['10', '1', '2'],
    ]);
  });

  test('several cuts can share a row total', () => {
    expect(cutsWithTotal('110000011', 7)).toEqual([
      ['1', '10', '0', '0', '0', '0', '11'],
      ['11', '0', '0', '0', '0', '0', '11'],
    ]);
  });

  test('table 四: three groups, each with its total', () => {
    expect(groupedCutsWithTotal('100010000000000', 3, 5, 2)).toEqual([['1', '0', '0', '0', '1', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0']]);
  });
});

describe('a flattened table 三 with non-zero numbers', () => {
  const flat = flatten(NONZERO_TEXT);
  const { record, cells } = parseText(flat);

  test('the one consistent cut of the whole table is found', () => {
    expectNonzeroApplications(record.tables.applications!);
    expect(record.findings.filter((finding) => finding.cells.some((cell) => cell.startsWith('applications.')))).toEqual([]);
  });

  test('table 四 is cut by its group totals', () => {
    expect(record.tables.reviewLitigation).toEqual(NONZERO_REVIEW);
  });

  test('table 二 has no arithmetic: a row with several cuts is ambiguous, a single-number row is read', () => {
    const active = record.tables.active!;
    expect(active.regulations).toEqual({ issued: null, repealed: null, inForce: null });
    expect(active.normativeDocuments).toEqual({ issued: null, repealed: null, inForce: null });
    expect(active.licensing).toEqual(NONZERO_ACTIVE.licensing);
    expect(active.fees).toEqual(NONZERO_ACTIVE.fees);
    const ambiguous = record.findings.filter((finding) => finding.rule === 'TABLE_AMBIGUOUS');
    expect(ambiguous.flatMap((finding) => finding.cells)).toEqual([
      'active.regulations.issued',
      'active.regulations.repealed',
      'active.regulations.inForce',
      'active.normativeDocuments.issued',
      'active.normativeDocuments.repealed',
      'active.normativeDocuments.inForce',
    ]);
  });

  test('each number of a cut row points at its own digits', () => {
    const received = cells.filter((cell) => cell.rowKey === 'newReceived');
    expect(received.map((cell) => flat.slice(cell.provenance.start, cell.provenance.end))).toEqual(['1315', '155', '129', '142', '184', '110', '2035']);
    expect(new Set(received.map((cell) => cell.provenance.line)).size).toBe(1);
  });
});

describe('flattened seed 001 (all zeros)', () => {
  test('every run of zeros has one cut', () => {
    const { record } = parseText(flatten(seedText('001')));
    expect(record.tables).toEqual(parseText(seedText('001')).record.tables);
    expect(record.findings).toEqual([]);
  });
});

describe('when several cuts are consistent', () => {
  /** Two outcome rows that can trade digits: 11+0 / 1+10 keep every row and column sum. */
  const twin = (text: string) =>
    text
      .replace('1.属于国家秘密\t0\t0\t5\t5\t0\t1\t11', '1.属于国家秘密\t11\t0\t5\t5\t0\t1\t22')
      .replace('2.其他法律行政法规禁止公开\t0\t13\t5\t0\t21\t0\t39', '2.其他法律行政法规禁止公开\t1\t10\t5\t0\t21\t0\t37')
      .replace('1315\t155', '1327\t152')
      .replace('2035', '2044')
      .replace('1316\t156', '1328\t153')
      .replace('2036', '2045');

  test('the variant keeps the table arithmetic (一+二 = 七+四, outcomes sum to 七)', () => {
    const applications = parseText(twin(NONZERO_TEXT)).record.tables.applications!;
    expect(rowAt(applications, 'denied.stateSecret')).toEqual(applicantValues([11, 0, 5, 5, 0, 1, 22]));
    const row = (key: string) => Object.values(rowAt(applications, key) as Record<string, number>);
    const outcomeKeys = Object.keys(NONZERO_APPLICATIONS).filter((key) => !['newReceived', 'carriedOver', 'totalHandled', 'carriedForward'].includes(key));
    row('totalHandled').forEach((handled, c) => {
      expect(row('newReceived')[c] + row('carriedOver')[c]).toBe(handled + row('carriedForward')[c]);
      expect(outcomeKeys.reduce((sum, key) => sum + row(key)[c], 0)).toBe(handled);
    });
  });

  test('the rows that could trade digits are ambiguous; the rest is still cut', () => {
    // "110550122" is 11 0 5 5 0 1 22 or 1 10 5 5 0 1 22; "1105021037" is 1 10 5 0 21 0 37 or 11 0 5 0 21 0 37.
    const { record } = parseText(flatten(twin(NONZERO_TEXT)));
    const applications = record.tables.applications as TableNode;
    const denied = applications.denied as TableNode;
    const unknown = applicantValues(Array(7).fill(null));
    expect(denied.stateSecret).toEqual(unknown);
    expect(denied.prohibitedByLaw).toEqual(unknown);
    expect(rowAt(applications, 'granted')).toEqual(applicantValues([1234, 56, 5, 0, 0, 13, 1308]));
    const ambiguous = record.findings.filter((finding) => finding.cells.some((cell) => cell.startsWith('applications.')));
    expect(ambiguous.map((finding) => finding.rule)).toEqual(['TABLE_AMBIGUOUS', 'TABLE_AMBIGUOUS']);
    expect(ambiguous[0].cells).toContain('applications.denied.stateSecret.total');
  });
});
