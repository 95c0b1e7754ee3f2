/**
 * The human view of `gongkai parse`: metadata, then each table laid out like the official form, with
 * the template's Chinese row and column labels (from the template model, shared/template), merged group cells
 * as in the form, blank cells shown as □ (never as 0), and every finding numbered: its number marks
 * the cells it concerns and its text follows the table; findings about no table come last.
 */
import type Table from 'cli-table3';
import type { CanonicalRecord, Finding } from '../shared/record';
import { BLANK, concernsTable, layoutForm, type FormCell, type FormTable } from '../shared/template/form-layout';
import type { TableName } from '../shared/template/templates';
import { createTable } from './table';

export { BLANK };
const LEGEND = `${BLANK} blank or placeholder cell (not 0)   [n] the cell is named by finding n`;

/** Findings numbered in record order; `shown` keeps track of those already printed beside a table. */
class FindingIndex {
  private readonly shown = new Set<number>();

  constructor(private readonly findings: readonly Finding[]) {}

  /** ' [1,3]' for the findings naming the cell, '' for none. */
  markerFor(cellKey: string): string {
    const numbers = this.findings.flatMap((finding, index) => (finding.cells.includes(cellKey) ? [index + 1] : []));
    return numbers.length > 0 ? ` [${numbers.join(',')}]` : '';
  }

  /** The notes of the findings that concern the table, each printed once. */
  notesFor(table: TableName): string[] {
    return this.take((finding) => concernsTable(finding.cells, table));
  }

  remainingNotes(): string[] {
    return this.take(() => true);
  }

  private take(concerns: (finding: Finding) => boolean): string[] {
    const notes: string[] = [];
    this.findings.forEach((finding, index) => {
      if (this.shown.has(index) || !concerns(finding)) return;
      this.shown.add(index);
      notes.push(`  [${index + 1}] ${finding.severity.toUpperCase()} ${finding.rule}: ${finding.message}`);
    });
    return notes;
  }
}

/** Display width: CJK characters take two terminal columns. */
function displayWidth(text: string): number {
  let width = 0;
  for (const character of text) width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(character) ? 2 : 1;
  return width;
}

/** Breaks a label into lines of at most `width` columns (CJK text has no spaces to wrap at). */
function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const character of text) {
    if (line !== '' && displayWidth(line + character) > width) {
      lines.push(line);
      line = '';
    }
    line += character;
  }
  return [...lines, line].join('\n');
}

function drawCell(cell: FormCell, findings: FindingIndex): Table.Cell {
  const text = cell.wrapWidth ? wrap(cell.text, cell.wrapWidth) : cell.text;
  return {
    content: cell.cellKey ? text + findings.markerFor(cell.cellKey) : text,
    ...(cell.colSpan ? { colSpan: cell.colSpan } : {}),
    ...(cell.rowSpan ? { rowSpan: cell.rowSpan } : {}),
    // Group labels sit in the middle of the rows they span, as in the form; headers stay at the top.
    ...(cell.rowSpan && cell.kind === 'label' ? { vAlign: 'center' as const } : {}),
    ...(cell.align ? { hAlign: cell.align } : {}),
  };
}

function drawTable(table: FormTable, findings: FindingIndex): string {
  const drawn = createTable(table.head ?? []);
  for (const row of table.rows) drawn.push(row.map((cell) => drawCell(cell, findings)));
  return drawn.toString();
}

export function renderReport(record: CanonicalRecord): string {
  const { meta, narrative } = record;
  const findings = new FindingIndex(record.findings);
  const lines = [
    `${meta.title ?? record.source.fileName}`,
    `agency: ${meta.agency ?? '?'}   year: ${meta.year ?? '?'}   template: ${meta.template ?? '?'}   script: ${meta.script}   published: ${meta.publishedOn ?? '?'}`,
    `sections: ${record.sections.map((section) => `${section.number}${section.present ? '✓' : '✗'}`).join(' ')}`,
    `narrative: ${Object.entries(narrative).map(([key, value]) => `${key}=${value ?? '?'}`).join('  ') || 'none'}`,
    LEGEND,
  ];
  for (const table of layoutForm(record)) {
    lines.push('', table.title, drawTable(table, findings), ...findings.notesFor(table.name));
  }
  const remaining = findings.remainingNotes();
  lines.push('', record.findings.length === 0 ? 'no findings' : remaining.length > 0 ? 'other findings:' : 'no other findings');
  lines.push(...remaining);
  return lines.join('\n');
}
