/**
 * Reading cells of the record's tables by dotted key ('applications.denied.stateSecret.total').
 * Keys are relative to `record.tables`, the form findings use in `cells`.
 */
import type { ReportTables, TableNode } from '../../shared/record';

type Leaf = number | string | null;
type MatrixTableName = 'active' | 'applications' | 'reviewLitigation';
export const MATRIX_TABLES: readonly MatrixTableName[] = ['active', 'applications', 'reviewLitigation'];

function isMatrixTable(name: string): name is MatrixTableName {
  return (MATRIX_TABLES as readonly string[]).includes(name);
}

/**
 * The cell's number, or null when the cell is blank, a placeholder, absent or not a number: every
 * check that needs such a cell is not assessable, never computed as if it were 0.
 */
export function numberAt(tables: ReportTables, key: string): number | null {
  const [tableName, ...path] = key.split('.');
  if (!isMatrixTable(tableName)) return null;
  let node: TableNode | Leaf | undefined = tables[tableName];
  for (const part of path) {
    if (node === null || node === undefined || typeof node !== 'object' || !Object.hasOwn(node, part)) return null;
    node = node[part];
  }
  return typeof node === 'number' && Number.isFinite(node) ? node : null;
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
