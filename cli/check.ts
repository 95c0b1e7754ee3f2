/**
 * `gongkai check <dir>`: reads every report in a folder with the stage cores in this process, one
 * file at a time, prints what came out of each, and scores the values against `NAME.truth.json`
 * where one lies beside the file. Exit code 1 when a value is wrong and no finding says so, or a
 * file with truth could not be read: those are the errors nobody would notice.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../shared/config';
import { describeError, isPermanent } from '../shared/errors';
import type { CanonicalRecord, ReportTables, Severity } from '../shared/record';
import { closePdfReader, detectMediaType, MEDIA_TYPE } from '../workers/ingest/core';
import { runCoresInProcess } from '../workers/in-process';
import { countReadValues, countTemplateCells, parseTruth, scoreRecord, type Score, type ScoredValue } from './check-score';
import { collectFiles } from './files';
import { printable } from './printable';
import { createTable } from './table';

const TRUTH_SUFFIX = '.truth.json';

/** The tables' short names as the form numbers them. */
const TABLE_NUMBERS: Record<keyof ReportTables, string> = { active: '二', applications: '三', reviewLitigation: '四', legacy: '统计表' };

interface FileCheck {
  /** Relative to the checked folder. */
  file: string;
  parseMs: number;
  /** Why the file could not be read ('NOT_A_REPORT: …'); the rest is then absent. */
  error?: { code: string | null; message: string };
  template?: string | null;
  agency?: string | null;
  year?: number | null;
  tables?: (keyof ReportTables)[];
  valuesRead?: number;
  templateCells?: number;
  findings?: Record<Severity, number>;
  truth?: { file: string; error?: string; score?: Score };
}

/**
 * `NAME.truth.json` beside `NAME.pdf` or `NAME.<layout>.txt` (or `NAME.pdf.truth.json`); several
 * formats of one report share one.
 */
async function findTruthFile(file: string): Promise<string | null> {
  const stem = file.slice(0, file.length - path.extname(file).length);
  const name = path.join(path.dirname(file), path.basename(file).split('.')[0]);
  for (const candidate of [`${file}${TRUTH_SUFFIX}`, `${stem}${TRUTH_SUFFIX}`, `${name}${TRUTH_SUFFIX}`]) {
    if (await fs.stat(candidate).then((stat) => stat.isFile(), () => false)) return candidate;
  }
  return null;
}

function countFindings(record: CanonicalRecord): Record<Severity, number> {
  const counts: Record<Severity, number> = { critical: 0, error: 0, warning: 0 };
  for (const finding of record.findings) counts[finding.severity]++;
  return counts;
}

async function checkFile(root: string, file: string, bytes: Buffer, maxPages: number): Promise<FileCheck> {
  const check: FileCheck = { file: path.relative(root, file) || path.basename(file), parseMs: 0 };
  const truthFile = await findTruthFile(file);
  if (truthFile) check.truth = { file: path.relative(root, truthFile) };
  const started = performance.now();
  let record: CanonicalRecord;
  try {
    record = (await runCoresInProcess(bytes, path.basename(file), { maxPages })).record;
  } catch (error) {
    check.error = { code: isPermanent(error) ? error.code : null, message: describeError(error) };
    return check;
  } finally {
    check.parseMs = Math.round(performance.now() - started);
  }
  Object.assign(check, {
    template: record.meta.template,
    agency: record.meta.agency,
    year: record.meta.year,
    tables: (Object.keys(TABLE_NUMBERS) as (keyof ReportTables)[]).filter((table) => record.tables[table] !== undefined),
    valuesRead: countReadValues(record.tables),
    templateCells: countTemplateCells(record.meta.template, record.tables),
    findings: countFindings(record),
  });
  if (check.truth && truthFile) {
    try {
      check.truth.score = scoreRecord(record, parseTruth(JSON.parse(await fs.readFile(truthFile, 'utf8'))));
    } catch (error) {
      check.truth.error = describeError(error);
    }
  }
  return check;
}

function isFailure(check: FileCheck): boolean {
  return check.truth !== undefined && (check.error !== undefined || check.truth.error !== undefined || (check.truth.score?.silent ?? 0) > 0);
}

const formatLeaf = (value: ScoredValue['got']): string => (value === undefined ? '(none)' : value === null ? 'blank' : String(value));

function printTable(checks: FileCheck[]): void {
  // Fixed widths in the middle, so a failed file's message wraps inside the columns it spans instead of widening them.
  const table = createTable(['file', 'template', 'tables', 'values read', 'critical', 'error', 'warning', 'ms', 'right / flagged / silent'], {
    colWidths: [null, 10, 12, 13, 10, 7, 9, null, null],
  });
  for (const check of checks) {
    const truth = check.truth?.score ? `${check.truth.score.right} / ${check.truth.score.flagged} / ${check.truth.score.silent}` : check.truth?.error ? 'truth unreadable' : '';
    if (check.error) {
      table.push([printable(check.file), { colSpan: 6, content: `FAILED ${printable(check.error.message)}` }, check.parseMs, check.truth ? 'not scored' : '']);
      continue;
    }
    const findings = check.findings ?? { critical: 0, error: 0, warning: 0 };
    table.push([
      printable(check.file),
      check.template ?? '?',
      check.tables?.length ? check.tables.map((name) => TABLE_NUMBERS[name]).join(' ') : '-',
      `${check.valuesRead} / ${check.templateCells}`,
      findings.critical,
      findings.error,
      findings.warning,
      check.parseMs,
      truth,
    ]);
  }
  console.log(table.toString());
}

/** What is wrong in each file with truth: metadata that differs and every value that is not right. */
function printWrongValues(checks: FileCheck[]): void {
  for (const check of checks) {
    if (check.truth?.error) console.log(`\n${printable(check.file)}: ${printable(check.truth.file)} unreadable: ${printable(check.truth.error)}`);
    const score = check.truth?.score;
    if (!score) continue;
    const wrong = score.values.filter((value) => value.verdict !== 'right');
    if (wrong.length === 0 && score.metaMismatches.length === 0) continue;
    console.log(`\n${printable(check.file)}: ${wrong.length} wrong (${score.flagged} flagged, ${score.silent} silent)`);
    for (const mismatch of score.metaMismatches) console.log(`  meta     ${mismatch.field}: expected ${mismatch.expected}, got ${mismatch.got ?? '(none)'}`);
    const keyWidth = Math.max(0, ...wrong.map((value) => value.key.length));
    for (const value of wrong) {
      console.log(`  ${value.verdict.padEnd(8)} ${value.key.padEnd(keyWidth)}  expected ${formatLeaf(value.expected)}, got ${formatLeaf(value.got)}`);
    }
  }
}

/** The machine-readable line of a file: the truth's wrong values only, since the right ones add nothing. */
function summarizeForJson(check: FileCheck): object {
  const score = check.truth?.score;
  if (!check.truth || !score) return check;
  const { values, ...counts } = score;
  return { ...check, truth: { file: check.truth.file, ...counts, wrong: values.filter((value) => value.verdict !== 'right') } };
}

interface Totals {
  files: number;
  failed: number;
  skipped: string[];
  /** Links, special files and unreadable entries the walk did not take. */
  passedOver: { file: string; reason: string }[];
  withTruth: number;
  values: number;
  right: number;
  flagged: number;
  silent: number;
  parseMs: number;
}

function totalsOf(checks: FileCheck[], skipped: string[], passedOver: Totals['passedOver']): Totals {
  const scores = checks.flatMap((check) => (check.truth?.score ? [check.truth.score] : []));
  const sum = (pick: (score: Score) => number) => scores.reduce((total, score) => total + pick(score), 0);
  return {
    files: checks.length,
    failed: checks.filter((check) => check.error).length,
    skipped,
    passedOver,
    withTruth: checks.filter((check) => check.truth).length,
    values: sum((score) => score.values.length),
    right: sum((score) => score.right),
    flagged: sum((score) => score.flagged),
    silent: sum((score) => score.silent),
    parseMs: checks.reduce((total, check) => total + check.parseMs, 0),
  };
}

function printTotals(totals: Totals, failing: FileCheck[]): void {
  const percent = (part: number) => (totals.values === 0 ? '' : ` (${((100 * part) / totals.values).toFixed(1)}%)`);
  console.log(
    `\n${totals.files} file(s) checked, ${totals.failed} failed to read${totals.skipped.length ? `, ${totals.skipped.length} skipped` : ''}; ` +
      `parse time ${Math.round(totals.parseMs)} ms, ${Math.round(totals.parseMs / Math.max(1, totals.files))} ms per file`,
  );
  if (totals.skipped.length > 0) console.log(`skipped, of no report format: ${totals.skipped.map(printable).join(', ')}`);
  for (const entry of totals.passedOver) console.log(`skipped ${printable(entry.file)}: ${entry.reason}`);
  if (totals.withTruth > 0) {
    console.log(
      `truth for ${totals.withTruth} file(s), ${totals.values} values scored: ${totals.right} right${percent(totals.right)}, ` +
        `${totals.flagged} wrong but flagged${percent(totals.flagged)}, ${totals.silent} wrong and silent${percent(totals.silent)}`,
    );
  }
  if (failing.length > 0) console.log(`FAIL: ${failing.map((check) => printable(check.file)).join(', ')}`);
}

export async function runCheck(folder: string, options: { json: boolean; followLinks: boolean }): Promise<number> {
  const root = path.resolve(folder);
  const { maxPages } = loadConfig();
  const checks: FileCheck[] = [];
  const skipped: string[] = [];
  const { files, skipped: notWalked } = await collectFiles([root], { followLinks: options.followLinks });
  const passedOver = notWalked.map((entry) => ({ file: path.relative(root, entry.path) || path.basename(entry.path), reason: entry.reason }));
  try {
    for (const [index, file] of files.entries()) {
      const name = path.relative(root, file) || path.basename(file);
      const bytes = await fs.readFile(file);
      // Binary files of no known format (archives, fonts…) are kept beside reports too; they are listed, not read.
      if (detectMediaType(bytes, file) === MEDIA_TYPE.unknown) {
        skipped.push(name);
        continue;
      }
      if (process.stderr.isTTY) process.stderr.write(`\rchecking ${index + 1}/${files.length} ${printable(name)}\x1b[K`);
      checks.push(await checkFile(root, file, bytes, maxPages));
    }
  } finally {
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    await closePdfReader();
  }

  const totals = totalsOf(checks, skipped, passedOver);
  const failing = checks.filter(isFailure);
  if (options.json) {
    console.log(JSON.stringify({ files: checks.map(summarizeForJson), totals, failing: failing.map((check) => check.file) }, null, 2));
  } else {
    printTable(checks);
    printWrongValues(checks);
    printTotals(totals, failing);
  }
  return failing.length > 0 ? 1 : 0;
}
