/**
 * What a table reader hands back, and the helpers every reader uses to turn cells into record values,
 * ExtractedCells with provenance, and TABLE_AMBIGUOUS findings.
 */
import { RULES, type Bilingual, type ExtractedCell, type Finding, type TableNode } from '../../shared/record';
import type { Cell } from './cells';
import { provenanceOf, type Span } from './document';

export type TableName = ExtractedCell['table'];

export interface TableRead {
  node: TableNode;
  cells: ExtractedCell[];
  findings: Finding[];
}

/** One cell to record: read from a value cell, or blank (a row without numbers, an unreadable cell). */
export interface CellInput {
  table: TableName;
  rowKey: string;
  columnKey: string;
  /** The value cell, or null when the cell is recorded as blank at `at`. */
  cell: Cell | null;
  /** Where a blank cell is reported (the row's label). */
  at: Span;
  /** The unit the column implies when the cell prints none. */
  defaultUnit?: string | null;
}

export function extractCell(input: CellInput): ExtractedCell {
  const { cell } = input;
  const value = cell?.value?.kind === 'number' ? cell.value : null;
  return {
    table: input.table,
    rowKey: input.rowKey,
    columnKey: input.columnKey,
    value: value ? value.value : null,
    ...(value ? { exact: value.exact } : {}),
    raw: cell ? cell.span.text : '',
    unit: value?.unit ?? input.defaultUnit ?? null,
    provenance: provenanceOf(cell ? cell.span : { ...input.at, end: input.at.start, text: '' }),
  };
}

/** Sets node[rowKey…][column], creating the nested objects of a dotted row key. */
export function setCell(node: TableNode, rowKey: string, column: string, value: number | string | null): void {
  let target = node;
  for (const part of rowKey.split('.')) {
    const next = target[part];
    if (next === undefined || next === null || typeof next !== 'object') target[part] = {};
    target = target[part] as TableNode;
  }
  target[column] = value;
}

export function ambiguity(message: Bilingual, cells: string[]): Finding {
  return { rule: 'TABLE_AMBIGUOUS', severity: RULES.TABLE_AMBIGUOUS, message: message.zh, messageEn: message.en, cells };
}
