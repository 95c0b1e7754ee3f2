/**
 * The templates' own arithmetic as linear equations over cell keys: in table 三 each row's 总计 is
 * the sum of its six applicant columns, 一 + 二 = （七）总计 + 四 in every column, and the outcome
 * rows sum to （七）总计; in table 四 each group's outcomes sum to its 总计. Parse uses them to cut
 * flattened rows (tables/unflatten-applications.ts) and to confirm or repair OCR readings
 * (ocr-confidence.ts); validate checks the same identities on the record.
 */
import { APPLICANT_COLUMNS, REVIEW_COLUMNS, REVIEW_GROUPS, type ApplicationsLayout } from './canonical';

/** The rows of 一 + 二 = （七） + 四, incoming first. */
export const BALANCE_INCOMING = ['newReceived', 'carriedOver'] as const;
export const BALANCE_OUTGOING = ['totalHandled', 'carriedForward'] as const;
export const BALANCE_KEYS: readonly string[] = [...BALANCE_INCOMING, ...BALANCE_OUTGOING];

export interface Term {
  /** Dotted cell key, e.g. `applications.granted.total`. */
  key: string;
  sign: 1 | -1;
}

/** Σ sign × value = 0. */
export interface Equation {
  /** How a finding names it: "applications row granted: total = the six applicant columns". */
  name: string;
  terms: Term[];
}

const APPLICANTS = APPLICANT_COLUMNS.filter((column) => column !== 'total');

export function applicationsEquations(layout: ApplicationsLayout): Equation[] {
  const key = (row: string, column: string) => `applications.${row}.${column}`;
  const rowTotals = layout.rows.map((row) => ({
    name: `applications row ${row.key}: total = the six applicant columns`,
    terms: [{ key: key(row.key, 'total'), sign: 1 as const }, ...APPLICANTS.map((column) => ({ key: key(row.key, column), sign: -1 as const }))],
  }));
  const balances = APPLICANT_COLUMNS.map((column) => ({
    name: `applications column ${column}: newReceived + carriedOver = totalHandled + carriedForward (一 + 二 = 七 + 四)`,
    terms: [
      ...BALANCE_INCOMING.map((row) => ({ key: key(row, column), sign: 1 as const })),
      ...BALANCE_OUTGOING.map((row) => ({ key: key(row, column), sign: -1 as const })),
    ],
  }));
  const outcomeSums = APPLICANT_COLUMNS.map((column) => ({
    name: `applications column ${column}: the outcome rows sum to totalHandled (七)`,
    terms: [{ key: key('totalHandled', column), sign: 1 as const }, ...layout.outcomeKeys.map((row) => ({ key: key(row, column), sign: -1 as const }))],
  }));
  return [...rowTotals, ...balances, ...outcomeSums];
}

export function reviewLitigationEquations(): Equation[] {
  const outcomes = REVIEW_COLUMNS.filter((column) => column !== 'total');
  return REVIEW_GROUPS.map((group) => ({
    name: `reviewLitigation group ${group}: ${outcomes.join(' + ')} = total`,
    terms: [
      { key: `reviewLitigation.${group}.total`, sign: 1 as const },
      ...outcomes.map((column) => ({ key: `reviewLitigation.${group}.${column}`, sign: -1 as const })),
    ],
  }));
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
