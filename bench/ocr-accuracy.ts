/**
 * Accuracy measures for the OCR benchmark (bench/ocr.ts), on the scan fixtures of test/fixtures/scans/:
 *
 * - `tableCellAccuracy`: the numeric cells of the tables as drawn on the fixture (row by row, left to
 *   right: the source's tab tables, or for seed 003 its `|` cells poured into seed 001's grid, exactly as
 *   tools/make-scan-fixtures.ts lays them out) against the numeric cells of the OCR text's tab-separated
 *   lines on the fixture's table pages, aligned as a longest common subsequence: a cell counts when its
 *   number is read exactly and in order. Needs all table pages of the fixture (tables span pages).
 * - `parsedCellAccuracy`: the pipeline end to end — the fixture through ingest's `extractDocument`, OCR text
 *   for the pages that need OCR, then normalize and parse — against the parse of the source text; every
 *   numeric leaf of the applications, active and review/litigation tables counts. Needs every scanned page.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ExtractedDocument, ReportTables, TableNode } from '../shared/record';
import { NONZERO_APPLICATIONS } from '../test/fixtures/parse/nonzero';
import { readPipeBlocks, readTabBlocks, tablesOf } from '../tools/scan-fixtures/report-pdf';
import { closePdfReader, extractDocument } from '../workers/ingest/core';
import { normalizeDocument } from '../workers/normalize/core';
import { parseReport } from '../workers/parse/core';

const REPO_ROOT = path.resolve(__dirname, '..');
/** The grid seed 003's `|` cells were poured into (tools/make-scan-fixtures.ts). */
const GRID_TEMPLATE_SEED = 'samples/001_8775b43b601402e9.txt';

const NUMBER_CELL = /^\d+(?:\.\d+)?$/;
const readRepoFile = (relative: string): string => fs.readFileSync(path.join(REPO_ROOT, relative), 'utf8');

export function longestCommonSubsequence(a: string[], b: string[]): number {
  let previous = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i += 1) {
    const current = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = a[i - 1] === b[j - 1] ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
    }
    previous = current;
  }
  return previous[b.length];
}

/** The drawn tables of a fixture's source text (as tools/make-scan-fixtures.ts lays them out). */
function drawnTables(sourceText: string): string[][][] {
  const hasTabTables = sourceText.split(/\r?\n/).some((line) => line.includes('\t'));
  if (hasTabTables) return tablesOf(readTabBlocks(sourceText));
  return tablesOf(readPipeBlocks(sourceText, tablesOf(readTabBlocks(readRepoFile(GRID_TEMPLATE_SEED)))));
}

/** Numeric cells of the fixture's drawn tables, in reading order. */
export function expectedTableNumbers(source: string): string[] {
  return drawnTables(readRepoFile(source)).flatMap((table) => table.flatMap((row) => row.map((cell) => cell.trim()).filter((cell) => NUMBER_CELL.test(cell))));
}

/** Numeric cells of an OCR text's tab-separated lines, in reading order. */
export function ocrTableNumbers(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.includes('\t'))
    .flatMap((line) => line.split('\t').map((cell) => cell.trim()))
    .filter((cell) => NUMBER_CELL.test(cell));
}

export interface CellScore {
  /** Cells whose number was read exactly, in order. */
  correct: number;
  /** Cells expected. */
  total: number;
  /** Numeric cells the OCR produced (more than `correct`: misreads and stray numbers). */
  read: number;
  /** The whole sequence came out exactly. */
  exact: boolean;
}

export function tableCellAccuracy(source: string, tablePageTexts: string[]): CellScore {
  const expected = expectedTableNumbers(source);
  const read = ocrTableNumbers(tablePageTexts.join('\n'));
  return {
    correct: longestCommonSubsequence(expected, read),
    total: expected.length,
    read: read.length,
    exact: expected.length === read.length && expected.every((value, index) => value === read[index]),
  };
}

// ---------------------------------------------------------------------------------------------
// End to end through the parser

type TableKey = 'applications' | 'active' | 'reviewLitigation';
const TABLE_KEYS: TableKey[] = ['applications', 'active', 'reviewLitigation'];

function numericLeaves(node: TableNode | undefined, prefix = ''): Map<string, number> {
  const leaves = new Map<string, number>();
  if (node === undefined) return leaves;
  for (const [key, value] of Object.entries(node)) {
    const at = prefix === '' ? key : `${prefix}.${key}`;
    if (typeof value === 'number') leaves.set(at, value);
    else if (value !== null && typeof value === 'object') for (const [leaf, number] of numericLeaves(value, at)) leaves.set(leaf, number);
  }
  return leaves;
}

function parseTables(doc: ExtractedDocument, fileName: string): ReportTables {
  const source = { sha256: '0'.repeat(64), fileName, mediaType: doc.mediaType, pages: doc.pages.length, ocrPages: doc.pages.filter((page) => page.source === 'ocr').map((page) => page.number) };
  return parseReport(normalizeDocument(doc), source).record.tables;
}

const expectedCache = new Map<string, ReportTables>();
function expectedTables(source: string): ReportTables {
  let tables = expectedCache.get(source);
  if (tables === undefined) {
    const text = readRepoFile(source);
    tables = parseTables({ mediaType: 'text/plain', pages: [{ number: 1, text, source: 'plain', needsOcr: false, ocrReason: null }] }, source);
    // 001-nonzero's parse is the hand-written expectation of test/fixtures/parse/nonzero.ts.
    if (source.endsWith('001-nonzero.txt')) {
      const applications = numericLeaves(tables.applications);
      const columns = ['naturalPerson', 'commercial', 'research', 'social', 'legal', 'other', 'total'];
      for (const [row, values] of Object.entries(NONZERO_APPLICATIONS)) {
        values.forEach((value, index) => {
          if (applications.get(`${row}.${columns[index]}`) !== value) throw new Error(`parse of ${source} disagrees with nonzero.ts at ${row}.${columns[index]}`);
        });
      }
    }
    expectedCache.set(source, tables);
  }
  return tables;
}

export interface ParsedScore extends Omit<CellScore, 'read' | 'exact'> {
  perTable: Record<TableKey, { correct: number; total: number }>;
  /** Parse failed outright (message), scoring nothing. */
  error?: string;
}

/**
 * `ocrText(page)` gives the OCR text of each page that needs OCR (1-based); text-layer pages keep the
 * text ingest extracted, as in the pipeline.
 */
export async function parsedCellAccuracy(fixtureFile: string, source: string, ocrText: (page: number) => string | undefined): Promise<ParsedScore> {
  const expected = expectedTables(source);
  const perTable = {} as ParsedScore['perTable'];
  let total = 0;
  for (const key of TABLE_KEYS) {
    perTable[key] = { correct: 0, total: numericLeaves(expected[key]).size };
    total += perTable[key].total;
  }
  const bytes = fs.readFileSync(fixtureFile);
  const extracted = await extractDocument({ bytes, fileName: path.basename(fixtureFile) });
  const pages = extracted.pages.map((page) => {
    if (!page.needsOcr) return page;
    const text = ocrText(page.number);
    if (text === undefined) throw new Error(`${path.basename(fixtureFile)} page ${page.number} needs OCR but was not read`);
    return { ...page, text, source: 'ocr' as const, needsOcr: false };
  });
  let tables: ReportTables;
  try {
    tables = parseTables({ ...extracted, pages }, path.basename(fixtureFile));
  } catch (error) {
    return { correct: 0, total, perTable, error: error instanceof Error ? error.message : String(error) };
  }
  let correct = 0;
  for (const key of TABLE_KEYS) {
    const got = numericLeaves(tables[key]);
    for (const [leaf, value] of numericLeaves(expected[key])) {
      if (got.get(leaf) === value) {
        perTable[key].correct += 1;
        correct += 1;
      }
    }
  }
  return { correct, total, perTable };
}

export { closePdfReader };
