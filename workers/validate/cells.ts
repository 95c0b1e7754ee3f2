/**
 * Reading cells of the record's tables by dotted key ('applications.denied.stateSecret.total').
 * Keys are relative to `record.tables`, the form findings use in `cells`.
 */
import type { ReportTables, TableNode } from '../../shared/record';
import { MATRIX_TABLES, type MatrixTableName } from '../../shared/template/templates';

type Leaf = number | string | null;

function isMatrixTable(name: string): name is MatrixTableName {
  return (MATRIX_TABLES as readonly string[]).includes(name);
}

/** What the record holds at the key: a leaf, a row, or undefined where it has no such key. */
function entryAt(tables: ReportTables, key: string): TableNode | Leaf | undefined {
  const [tableName, ...path] = key.split('.');
  if (!isMatrixTable(tableName)) return undefined;
  let node: TableNode | Leaf | undefined = tables[tableName];
  for (const part of path) {
    if (node === null || node === undefined || typeof node !== 'object' || !Object.hasOwn(node, part)) return undefined;
    node = node[part];
  }
  return node;
}

/**
 * The cell's number, or null when the cell is blank, a placeholder, absent or not a number: every
 * check that needs such a cell is not assessable, never computed as if it were 0.
 */
export function numberAt(tables: ReportTables, key: string): number | null {
  const value = entryAt(tables, key);
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Whether the record has the cell at all: a blank cell (null, its placeholder kept) does, an unread one does not. */
export function cellExists(tables: ReportTables, key: string): boolean {
  const value = entryAt(tables, key);
  return value !== undefined && (value === null || typeof value !== 'object');
}

/** The cells' values in order, or null when any of them is not assessable. */
export function numbersAt(tables: ReportTables, keys: readonly string[]): number[] | null {
  const values: number[] = [];
  for (const key of keys) {
    const value = numberAt(tables, key);
    if (value === null) return null;
    values.push(value);
  }
  return values;
}

export function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Every leaf under `node` with its dotted key. */
export function* leaves(node: TableNode, prefix: string): Generator<[string, Leaf]> {
  for (const [key, value] of Object.entries(node)) {
    const path = `${prefix}.${key}`;
    if (value !== null && typeof value === 'object') yield* leaves(value, path);
    else yield [path, value];
  }
}

/** Legacy indicators have no fixed keys; the printed label names the cell, as in the cells table. */
export function legacyKey(key: string): string {
  return `legacy.${key}`;
}
