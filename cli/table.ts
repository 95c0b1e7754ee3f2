import Table from 'cli-table3';

/** Uncoloured tables: the output is read by people in terminals and by scripts from pipes alike. */
export function createTable(head: string[], options: { colWidths?: (number | null)[] } = {}): Table.Table {
  return new Table({ head, style: { head: [], border: [] }, wordWrap: true, ...options });
}
