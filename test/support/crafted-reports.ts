/**
 * Published reports made to measure, for the roll-up tests: a record holding exactly the given cells,
 * published through publish's own core (buildPublication: the agency placed as the pipeline places
 * it) and writePublication, as its own document.
 */
import type { Kysely } from 'kysely';
import type { ExpectedPlace } from '../../shared/agency';
import { submitDocument } from '../../shared/db/documents';
import { writePublication } from '../../shared/db/reports';
import type { Database } from '../../shared/db/schema';
import { SCHEMA_VERSION, type ExtractedCell, type Finding, type ParsedReport, type TableNode, type TemplateId } from '../../shared/record';
import { buildPublication } from '../../workers/publish/core';
import { withValidationFindings } from '../../workers/validate/core';

/** A record of `template` holding exactly these cells (dotted keys, as findings name them). */
export function craftedReport(template: TemplateId, agency: string, year: number, values: Record<string, number | null>): ParsedReport {
  const tables: Record<string, TableNode> = {};
  const cells: ExtractedCell[] = [];
  for (const [key, value] of Object.entries(values)) {
    const [table, ...rest] = key.split('.');
    const column = rest.pop()!;
    let node = (tables[table] ??= {});
    for (const part of rest) node = (node[part] ??= {}) as TableNode;
    node[column] = value;
    const unit = key === 'active.fees.amountWan' ? '万元' : null;
    cells.push({ table: table as ExtractedCell['table'], rowKey: rest.join('.'), columnKey: column, value, raw: value === null ? '' : String(value), unit, provenance: { page: 1 } });
  }
  return {
    record: {
      schemaVersion: SCHEMA_VERSION,
      source: { sha256: '', fileName: `${agency}${year}年报.txt`, mediaType: 'text/plain', pages: 1, ocrPages: [] },
      meta: { agency, year, template, script: 'simplified', publishedOn: null, period: null, title: `${agency}${year}年政府信息公开工作年度报告` },
      sections: [],
      tables,
      narrative: {},
      narrativeSources: {},
      findings: [],
    },
    cells,
  };
}

/** A pre-2019 list of `label | unit | value` rows, each with the cross-template indicator its label prints. */
export function craftedLegacyReport(agency: string, year: number, rows: Array<{ label: string; indicator: string | null; value: number }>): ParsedReport {
  const report = craftedReport('pre2019', agency, year, {});
  report.record.tables.legacy = rows.map((row) => ({ key: row.label, label: row.label, marker: null, indicator: row.indicator, unit: '件', value: row.value, raw: String(row.value) }));
  report.cells = rows.map((row) => ({ table: 'legacy', rowKey: row.label, columnKey: 'value', value: row.value, raw: String(row.value), unit: '件', provenance: { page: 1 } }));
  return report;
}

let sequence = 0;

/** Publishes the report as a new document submitted `minutesAgo` minutes ago; returns the document id. */
export async function publishCrafted(
  db: Kysely<Database>,
  fileName: string,
  parsed: ParsedReport,
  options: { findings?: Finding[]; minutesAgo?: number; expected?: readonly ExpectedPlace[] } = {},
): Promise<string> {
  sequence++;
  const sha256 = `${process.pid.toString(16).padStart(8, '0')}${'0'.repeat(48)}${sequence.toString(16).padStart(8, '0')}`;
  const { document } = await submitDocument(db, { sha256, fileName, sizeBytes: 1, pipelineVersion: 1 });
  await db
    .updateTable('documents')
    .set({ submitted_at: new Date(Date.now() - (options.minutesAgo ?? 0) * 60_000) })
    .where('id', '=', document.id)
    .execute();
  const publication = buildPublication({ documentId: document.id, round: document.round, pipelineVersion: 1 }, withValidationFindings(parsed, options.findings ?? []), {
    opening: null,
    expected: options.expected ?? [],
  });
  // As the publish stage's completion would: the report's rows and the document's status in one transaction.
  const written = await db.transaction().execute(async (trx) => {
    if (!(await writePublication(trx, publication))) return false;
    await trx.updateTable('documents').set({ status: 'published', current_stage: 'publish', published_at: new Date() }).where('id', '=', document.id).execute();
    return true;
  });
  if (!written) throw new Error(`${fileName} was not published`);
  return document.id;
}
