/**
 * Reading cells of the record's tables by dotted key ('applications.denied.stateSecret.total').
 * Keys are relative to `record.tables`, the form findings use in `cells`.
 */
import { decimalOf } from '../../shared/decimal';
import type { CanonicalRecord, ReportTables, TableNode } from '../../shared/record';
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

/** What the exact checks read of a record: its tables and the exact decimals they cannot hold. */
export type ExactTables = Pick<CanonicalRecord, 'tables' | 'exactValues'>;

/**
 * The cell's exact decimal: the printed decimal the record keeps (a count beyond 2^53 or beyond any
 * double), else its number's; null where numberAt is null and nothing exact was kept.
 */
export function decimalAt(record: ExactTables, key: string): string | null {
  const exact = record.exactValues?.[key];
  if (exact !== undefined) return exact;
  const value = numberAt(record.tables, key);
  return value === null ? null : decimalOf(value);
}

/** The cells' exact decimals in order, or null when any of them is not assessable. */
export function decimalsAt(record: ExactTables, keys: readonly string[]): string[] | null {
  const values: string[] = [];
  for (const key of keys) {
    const value = decimalAt(record, key);
    if (value === null) return null;
    values.push(value);
  }
  return values;
}

/** Whether the record has the cell at all: a blank cell (null, its placeholder kept) does, an unread one does not. */
export function cellExists(tables: ReportTables, key: string): boolean {
  const value = entryAt(tables, key);
  return value !== undefined && (value === null || typeof value !== 'object');
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
