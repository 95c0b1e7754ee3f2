/**
 * Scoring a record against what a person reads in the same file (`NAME.truth.json`, the shape of
 * ../shared/corpus/real/): every truth value is right, wrong but named by a finding, or wrong and
 * silent. Pure: `gongkai check` reads the files and runs the parser; this only compares.
 */
import { z } from 'zod';
import { agencyKey } from '../shared/agency';
import { legacyCellKey, type CanonicalRecord, type Finding, type LegacyIndicator, type ReportTables, type TableNode, type TemplateId } from '../shared/record';
import { ACTIVE_2019, ACTIVE_2021, APPLICANT_COLUMNS, APPLICATIONS_2019, APPLICATIONS_2021, REVIEW_COLUMNS, REVIEW_GROUPS } from '../shared/template/rows';
import { labelKey } from '../workers/parse/labels';

type Leaf = number | string | null;
type TruthNode = { [key: string]: Leaf | TruthNode };

const leafSchema = z.union([z.number(), z.string(), z.null()]);
const nodeSchema: z.ZodType<TruthNode> = z.lazy(() => z.record(z.string(), z.union([leafSchema, nodeSchema])));
const truthSchema = z.object({
  template: z.enum(['2021', '2019', 'pre2019']).optional(),
  agency: z.string().optional(),
  year: z.number().int().optional(),
  tables: z.object({
    active: nodeSchema.optional(),
    applications: nodeSchema.optional(),
    reviewLitigation: nodeSchema.optional(),
    /** Pre-2019 lists have no fixed keys: each value is matched to the record's indicator by its label. */
    legacy: z.array(z.object({ label: z.string(), value: z.number().nullable() })).optional(),
  }),
});
export type Truth = z.infer<typeof truthSchema>;

/** The truth file's contents, checked; a malformed file says what is wrong with it. */
export function parseTruth(json: unknown): Truth {
  const parsed = truthSchema.safeParse(json);
  if (!parsed.success) throw new Error(`not a truth file: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export type Verdict = 'right' | 'flagged' | 'silent';

export interface ScoredValue {
  /** The dotted cell key findings use: `applications.denied.stateSecret.total`, `legacy.<key>`. */
  key: string;
  expected: Leaf;
  /** undefined: the record has no such cell. */
  got: Leaf | undefined;
  verdict: Verdict;
}

export interface MetaMismatch {
  field: 'agency' | 'year' | 'template';
  expected: string | number;
  got: string | number | null;
}

export interface Score {
  values: ScoredValue[];
  right: number;
  flagged: number;
  silent: number;
  metaMismatches: MetaMismatch[];
}

const MATRIX_TABLES = ['active', 'applications', 'reviewLitigation'] as const;

/** Every leaf of a table tree under its dotted key (`applications.denied.stateSecret.total`). */
export function flattenTable(node: TruthNode | TableNode, prefix: string): Map<string, Leaf> {
  const flat = new Map<string, Leaf>();
  for (const [key, value] of Object.entries(node)) {
    const path = `${prefix}.${key}`;
    if (value !== null && typeof value === 'object') for (const [leafKey, leaf] of flattenTable(value, path)) flat.set(leafKey, leaf);
    else flat.set(path, value);
  }
  return flat;
}

/**
 * Pairs each truth indicator with the record's by label, the nth repeat of a label with the nth
 * (lists repeat 其他情形数 under 复议, 诉讼 and 投诉). Labels compare without numbering or punctuation.
 */
function legacyTruthValues(truth: NonNullable<Truth['tables']['legacy']>, recorded: readonly LegacyIndicator[]): Array<[key: string, expected: Leaf, got: Leaf | undefined]> {
  const recordedByLabel = new Map<string, LegacyIndicator[]>();
  for (const indicator of recorded) {
    const label = labelKey(indicator.label);
    recordedByLabel.set(label, [...(recordedByLabel.get(label) ?? []), indicator]);
  }
  const seen = new Map<string, number>();
  return truth.map(({ label, value }) => {
    const comparable = labelKey(label);
    const occurrence = (seen.get(comparable) ?? 0) + 1;
    seen.set(comparable, occurrence);
    const match = recordedByLabel.get(comparable)?.[occurrence - 1];
    if (match) return [legacyCellKey(match.key), value, match.value];
    return [legacyCellKey(occurrence > 1 ? `${label}#${occurrence}` : label), value, undefined];
  });
}

/** A finding names the cell when one of its cells is the key or a prefix of it at a dot boundary. */
export function isNamedByFinding(key: string, findings: readonly Finding[]): boolean {
  return findings.some((finding) => finding.cells.some((cell) => key === cell || key.startsWith(`${cell}.`)));
}

function classify(key: string, expected: Leaf, got: Leaf | undefined, findings: readonly Finding[]): Verdict {
  if (got !== undefined && got === expected) return 'right';
  return isNamedByFinding(key, findings) ? 'flagged' : 'silent';
}

function compareMeta(truth: Truth, meta: CanonicalRecord['meta']): MetaMismatch[] {
  const mismatches: MetaMismatch[] = [];
  // Agency names are compared as validate's year-over-year check compares them, so 米易县人民政府 = 米易县政府.
  if (truth.agency !== undefined && (meta.agency === null || agencyKey(meta.agency) !== agencyKey(truth.agency))) {
    mismatches.push({ field: 'agency', expected: truth.agency, got: meta.agency });
  }
  if (truth.year !== undefined && meta.year !== truth.year) mismatches.push({ field: 'year', expected: truth.year, got: meta.year });
  if (truth.template !== undefined && meta.template !== truth.template) {
    mismatches.push({ field: 'template', expected: truth.template as TemplateId, got: meta.template });
  }
  return mismatches;
}

/** Scores every truth value against the record; values the record has beyond the truth are not scored. */
export function scoreRecord(record: CanonicalRecord, truth: Truth): Score {
  const recorded = new Map<string, Leaf>();
  for (const table of MATRIX_TABLES) {
    const node = record.tables[table];
    if (node) for (const [key, value] of flattenTable(node, table)) recorded.set(key, value);
  }
  const expected: Array<[key: string, expected: Leaf, got: Leaf | undefined]> = [];
  for (const table of MATRIX_TABLES) {
    const node = truth.tables[table];
    if (node) for (const [key, value] of flattenTable(node, table)) expected.push([key, value, recorded.get(key)]);
  }
  if (truth.tables.legacy) expected.push(...legacyTruthValues(truth.tables.legacy, record.tables.legacy ?? []));

  const values = expected.map(([key, value, got]): ScoredValue => ({ key, expected: value, got, verdict: classify(key, value, got, record.findings) }));
  const count = (verdict: Verdict) => values.filter((value) => value.verdict === verdict).length;
  return { values, right: count('right'), flagged: count('flagged'), silent: count('silent'), metaMismatches: compareMeta(truth, record.meta) };
}

const isPrinted = (value: number | null | undefined, raw: string | undefined): boolean => (value !== null && value !== undefined) || (raw ?? '').trim() !== '';

/**
 * Cells the record holds a value for: a number, or null for a blank or placeholder cell of a
 * template table; a printed number or placeholder in a pre-2019 list. Units aside.
 */
export function countReadValues(tables: ReportTables): number {
  let read = 0;
  for (const table of MATRIX_TABLES) {
    const node = tables[table];
    if (node) for (const value of flattenTable(node, table).values()) if (typeof value !== 'string') read++;
  }
  for (const indicator of tables.legacy ?? []) {
    if (isPrinted(indicator.value, indicator.raw)) read++;
    if (isPrinted(indicator.cumulative, indicator.cumulativeRaw)) read++;
  }
  return read;
}

/**
 * The value cells the report's template has: every cell of tables 二, 三 and 四 for the national
 * templates; for a pre-2019 list, which has no fixed form, its own indicators with a unit (headings
 * hold no value), in each value column the list prints (本年度, and 历年累计 where printed).
 */
export function countTemplateCells(template: TemplateId | null, tables: ReportTables): number {
  if (template === null) return 0;
  if (template === 'pre2019') {
    const list = tables.legacy ?? [];
    const columns = list.some((indicator) => indicator.cumulative !== undefined) ? 2 : 1;
    return list.filter((indicator) => indicator.unit !== null || indicator.value !== null).length * columns;
  }
  const active = template === '2019' ? ACTIVE_2019 : ACTIVE_2021;
  const applications = template === '2019' ? APPLICATIONS_2019 : APPLICATIONS_2021;
  return (
    active.reduce((cells, row) => cells + row.columns.length, 0) +
    applications.rows.length * APPLICANT_COLUMNS.length +
    REVIEW_GROUPS.length * REVIEW_COLUMNS.length
  );
}
