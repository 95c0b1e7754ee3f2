/** The human view of `gongkai parse`: metadata, each table as rows × columns, findings beside their cells. */
import { createTable } from './table';
import type { CanonicalRecord, Finding, TableNode } from '../shared/record';

type Row = { key: string; values: Record<string, number | string | null> };

/** Flattens nested rows (applications.denied.stateSecret) into one row per leaf object. */
function rowsOf(node: TableNode, prefix = ''): Row[] {
  const leaves = Object.entries(node).filter(([, value]) => value === null || typeof value !== 'object');
  const rows: Row[] = leaves.length > 0 ? [{ key: prefix, values: Object.fromEntries(leaves) as Row['values'] }] : [];
  for (const [key, value] of Object.entries(node)) {
    if (value !== null && typeof value === 'object') rows.push(...rowsOf(value, prefix ? `${prefix}.${key}` : key));
  }
  return rows;
}

function mark(findings: Finding[], cellKey: string): string {
  const indexes = findings.flatMap((finding, index) => (finding.cells.includes(cellKey) ? [index + 1] : []));
  return indexes.length > 0 ? ` [${indexes.join(',')}]` : '';
}

function renderTable(name: string, node: TableNode, findings: Finding[]): string {
  const rows = rowsOf(node);
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row.values)))];
  const table = createTable([name, ...columns]);
  for (const row of rows) {
    table.push([row.key, ...columns.map((column) => {
      const value = row.values[column];
      const display = value === undefined ? '' : value === null ? '(blank)' : String(value);
      return display + mark(findings, `${name}.${row.key}.${column}`);
    })]);
  }
  return table.toString();
}

export function renderReport(record: CanonicalRecord): string {
  const { meta, tables, narrative, findings } = record;
  const lines = [
    `${meta.title ?? record.source.fileName}`,
    `agency: ${meta.agency ?? '?'}   year: ${meta.year ?? '?'}   template: ${meta.template ?? '?'}   script: ${meta.script}   published: ${meta.publishedOn ?? '?'}`,
    `sections: ${record.sections.map((section) => `${section.number}${section.present ? '✓' : '✗'}`).join(' ')}`,
    `narrative: ${Object.entries(narrative).map(([key, value]) => `${key}=${value ?? '?'}`).join('  ') || 'none'}`,
  ];
  for (const name of ['active', 'applications', 'reviewLitigation'] as const) {
    const node = tables[name];
    if (node) lines.push('', renderTable(name, node, findings));
  }
  if (tables.legacy) {
    const legacy = createTable(['indicator', 'unit', 'value']);
    for (const item of tables.legacy) legacy.push([item.label, item.unit ?? '', item.value === null ? `(blank${item.raw ? ` ${item.raw}` : ''})` : item.value]);
    lines.push('', legacy.toString());
  }
  lines.push('', findings.length === 0 ? 'no findings' : 'findings:');
  findings.forEach((finding, index) => lines.push(`  [${index + 1}] ${finding.severity.toUpperCase()} ${finding.rule}: ${finding.message}${finding.cells.length ? ` (${finding.cells.join(', ')})` : ''}`));
  return lines.join('\n');
}
