/**
 * The templates' own arithmetic (spec §2) as linear equations over cell keys: in table 三 each row's
 * 总计 is the sum of its six applicant columns, 一 + 二 = （七）总计 + 四 in every column, and the
 * outcome rows sum to （七）总计; in table 四 each group's outcomes sum to its 总计. Each equation
 * carries the rule a failure breaks. Validate checks them on the record; parse uses them to cut
 * flattened rows (tables/unflatten-applications.ts) and to confirm or repair OCR readings
 * (ocr-confidence.ts).
 */
import { compareDecimals, signedSum, sumDecimals } from '../decimal';
import type { Bilingual, ReportTables, RuleId } from '../record';
import { columnName, reviewGroupName, rowName } from './cell-names';
import { APPLICANT_COLUMNS, REVIEW_COLUMNS, REVIEW_GROUPS, printedApplications, type ApplicationsLayout } from './rows';
import type { MatrixTemplateModel } from './templates';

export interface Term {
  /** Dotted cell key, e.g. `applications.granted.total`. */
  key: string;
  sign: 1 | -1;
}

/** Σ sign × value = 0. */
export interface Equation {
  rule: Extract<RuleId, 'APPLICATIONS_BALANCE' | 'APPLICATIONS_OUTCOMES_SUM' | 'APPLICATIONS_ROW_TOTAL' | 'REVIEW_LITIGATION_TOTAL'>;
  /** How a finding names it: "（一）予以公开：总计 = 各类申请人之和" / "applications row granted: total = the six applicant columns". */
  name: Bilingual;
  terms: Term[];
  /** What a failure says, given the terms' exact decimals in term order. */
  explain(values: readonly string[]): Bilingual;
}

/** The rows of 一 + 二 = （七） + 四, incoming first. */
const BALANCE_INCOMING = ['newReceived', 'carriedOver'] as const;
const BALANCE_OUTGOING = ['totalHandled', 'carriedForward'] as const;

const APPLICANTS = APPLICANT_COLUMNS.filter((column) => column !== 'total');
const REVIEW_OUTCOMES = REVIEW_COLUMNS.filter((column) => column !== 'total');

const total = (values: readonly string[]): string => sumDecimals(values);
const plus = (keys: readonly string[]): Term[] => keys.map((key) => ({ key, sign: 1 }));
const minus = (keys: readonly string[]): Term[] => keys.map((key) => ({ key, sign: -1 }));

/** `自然人 10 + 商业企业 1 + …`: each term by its name, with its value. */
const namedSum = (names: readonly string[], values: readonly string[]): string => names.map((name, index) => `${name} ${values[index]}`).join(' + ');

const rowOfApplications = (row: string) => rowName('applications', row);
const applicantColumn = (column: string) => columnName('applications', column);

/** The equations of table 三 with its rows as `layout` has them (see printedApplications for a record's). */
export function applicationsEquations(layout: ApplicationsLayout): Equation[] {
  const key = (row: string, column: string) => `applications.${row}.${column}`;
  const rowTotals = layout.rows.map(
    (row): Equation => ({
      rule: 'APPLICATIONS_ROW_TOTAL',
      name: {
        zh: `${rowOfApplications(row.key)}：${applicantColumn('total')} = 各类申请人之和`,
        en: `applications row ${row.key}: total = the six applicant columns`,
      },
      terms: [...plus([key(row.key, 'total')]), ...minus(APPLICANTS.map((column) => key(row.key, column)))],
      explain: ([rowTotal, ...byApplicant]) => ({
        zh: `${rowOfApplications(row.key)}：${applicantColumn('total')} ${rowTotal} ≠ ${namedSum(APPLICANTS.map(applicantColumn), byApplicant)} = ${total(byApplicant)}`,
        en: `the six applicant columns of ${row.key} sum to ${total(byApplicant)} (${byApplicant.join(' + ')}) but its total = ${rowTotal}`,
      }),
    }),
  );
  const balances = APPLICANT_COLUMNS.map(
    (column): Equation => ({
      rule: 'APPLICATIONS_BALANCE',
      name: {
        zh: `${applicantColumn(column)}栏：一 + 二 = （七）+ 四`,
        en: `applications column ${column}: newReceived + carriedOver = totalHandled + carriedForward (一 + 二 = 七 + 四)`,
      },
      terms: [...plus(BALANCE_INCOMING.map((row) => key(row, column))), ...minus(BALANCE_OUTGOING.map((row) => key(row, column)))],
      explain: ([newReceived, carriedOver, totalHandled, carriedForward]) => ({
        zh: `${applicantColumn(column)}栏：${namedSum(BALANCE_INCOMING.map(rowOfApplications), [newReceived, carriedOver])} = ${total([newReceived, carriedOver])} ≠ ${namedSum(
          BALANCE_OUTGOING.map(rowOfApplications),
          [totalHandled, carriedForward],
        )} = ${total([totalHandled, carriedForward])}`,
        en: `newReceived ${newReceived} + carriedOver ${carriedOver} = ${total([newReceived, carriedOver])} but totalHandled ${totalHandled} + carriedForward ${carriedForward} = ${total([totalHandled, carriedForward])} in column ${column}`,
      }),
    }),
  );
  const outcomeSums = APPLICANT_COLUMNS.map(
    (column): Equation => ({
      rule: 'APPLICATIONS_OUTCOMES_SUM',
      name: {
        zh: `${applicantColumn(column)}栏：三、本年度办理结果各项之和 = ${rowOfApplications('totalHandled')}`,
        en: `applications column ${column}: the outcome rows sum to totalHandled (七)`,
      },
      terms: [...plus([key('totalHandled', column)]), ...minus(layout.outcomeKeys.map((row) => key(row, column)))],
      explain: ([totalHandled, ...outcomes]) => {
        // Twenty rows are too many to list; the ones with a count are the ones to look at.
        const counted = layout.outcomeKeys.flatMap((row, index) => (compareDecimals(outcomes[index], '0') === 0 ? [] : [`${rowOfApplications(row)} ${outcomes[index]}`]));
        return {
          zh: `${applicantColumn(column)}栏：${rowOfApplications('totalHandled')} ${totalHandled} ≠ 三、本年度办理结果 ${outcomes.length} 项之和 ${total(outcomes)}${
            counted.length > 0 ? `（非零项：${counted.join('、')}）` : ''
          }`,
          en: `the ${outcomes.length} outcome rows sum to ${total(outcomes)} but totalHandled = ${totalHandled} in column ${column}`,
        };
      },
    }),
  );
  return [...rowTotals, ...balances, ...outcomeSums];
}

function reviewLitigationEquations(): Equation[] {
  const outcomeNames = REVIEW_OUTCOMES.map((column) => columnName('reviewLitigation', column));
  return REVIEW_GROUPS.map((group) => ({
    rule: 'REVIEW_LITIGATION_TOTAL',
    name: {
      zh: `${reviewGroupName(group)}：${outcomeNames.join(' + ')} = ${columnName('reviewLitigation', 'total')}`,
      en: `reviewLitigation group ${group}: ${REVIEW_OUTCOMES.join(' + ')} = total`,
    },
    terms: [...plus([`reviewLitigation.${group}.total`]), ...minus(REVIEW_OUTCOMES.map((column) => `reviewLitigation.${group}.${column}`))],
    explain: ([groupTotal, ...outcomes]) => ({
      zh: `${reviewGroupName(group)}：${columnName('reviewLitigation', 'total')} ${groupTotal} ≠ ${namedSum(outcomeNames, outcomes)} = ${total(outcomes)}`,
      en: `${group}: ${REVIEW_OUTCOMES.map((outcome, index) => `${outcome} ${outcomes[index]}`).join(' + ')} = ${total(outcomes)} but total = ${groupTotal}`,
    }),
  }));
}

/**
 * Every equation between the cells of the tables present, for `tables` read under `model`: a group
 * of table 三 the record holds collapsed takes part with its own cells in place of its sub-rows'.
 */
export function tableEquations(model: MatrixTemplateModel, tables: ReportTables): Equation[] {
  return [
    ...(tables.applications ? applicationsEquations(printedApplications(model.applications, tables.applications)) : []),
    ...(tables.reviewLitigation ? reviewLitigationEquations() : []),
  ];
}

/** Σ sign × value, or null when a cell has no number. */
export function residual(equation: Equation, valueOf: (key: string) => number | null): number | null {
  let sum = 0;
  for (const term of equation.terms) {
    const value = valueOf(term.key);
    if (value === null) return null;
    sum += term.sign * value;
  }
  return sum;
}

/**
 * Σ sign × value over exact decimals, or null when a cell has no number: "0" exactly when the equation
 * holds, however many digits its counts have.
 */
export function exactResidual(equation: Equation, decimalOf: (key: string) => string | null): string | null {
  const terms: { value: string; sign: 1 | -1 }[] = [];
  for (const term of equation.terms) {
    const value = decimalOf(term.key);
    if (value === null) return null;
    terms.push({ value, sign: term.sign });
  }
  return signedSum(terms);
}

/** The value of `key` that makes the equation hold, given every other cell; null when another cell has no number. */
export function solveFor(equation: Equation, key: string, valueOf: (key: string) => number | null): number | null {
  let rest = 0;
  let sign: number | null = null;
  for (const term of equation.terms) {
    if (term.key === key) {
      sign = term.sign;
      continue;
    }
    const value = valueOf(term.key);
    if (value === null) return null;
    rest += term.sign * value;
  }
  return sign === null ? null : -rest / sign;
}

/**
 * Whether the equation can still hold once its cells without a number are filled with counts, which
 * are never negative: a complete equation must balance, and where every missing term has the same
 * sign the known terms must not already be past what those terms can make up.
 */
export function canHold(equation: Equation, valueOf: (key: string) => number | null): boolean {
  let known = 0;
  const missingSigns = new Set<number>();
  for (const term of equation.terms) {
    const value = valueOf(term.key);
    if (value === null) missingSigns.add(term.sign);
    else known += term.sign * value;
  }
  if (missingSigns.size === 0) return known === 0;
  if (missingSigns.size === 2) return true;
  return missingSigns.has(1) ? known <= 0 : known >= 0;
}

/** The row of a table 三 or 四 cell key: `denied.stateSecret` of `applications.denied.stateSecret.total`. */
export function rowOf(key: string): string {
  return key.slice(key.indexOf('.') + 1, key.lastIndexOf('.'));
}
