/** Turns the parsed record and its findings into the rows publish writes. */
import { reportIdentity, type ReportPlaceContext } from '../../shared/agency';
import type { Publication } from '../../shared/db/reports';
import type { ParsedReport } from '../../shared/record';

/** Which run of which document a result comes from. */
export interface PublicationRun {
  documentId: string;
  round: number;
  pipelineVersion: number;
}

/**
 * `report`: the parsed report with every finding (validate's output). `place`: what else places the
 * report's agency (shared/agency.ts); without it, the agency's name and the title alone.
 */
export function buildPublication(run: PublicationRun, report: ParsedReport, place: ReportPlaceContext = { opening: null, expected: [] }): Publication {
  const { documentId } = run;
  const { record } = report;
  const { meta } = record;
  const identity = reportIdentity(meta, place);
  return {
    documentId,
    round: run.round,
    record,
    report: {
      document_id: documentId,
      schema_version: record.schemaVersion,
      agency: meta.agency,
      agency_key: identity?.key ?? null,
      division_code: identity?.divisionCode ?? null,
      agency_full_name: identity?.fullName ?? null,
      year: meta.year,
      template: meta.template,
      script: meta.script,
      published_on: meta.publishedOn,
      record: JSON.stringify(record),
      round: run.round,
      pipeline_version: run.pipelineVersion,
    },
    cells: report.cells.map((cell) => ({
      table: cell.table,
      rowKey: cell.rowKey,
      columnKey: cell.columnKey,
      // The exact decimal, so numeric holds a 20-digit count as printed; records before pipeline 4 have only the double.
      value: cell.exact ?? cell.value,
      raw: cell.raw,
      unit: cell.unit,
      provenance: cell.provenance,
    })),
    findings: record.findings.map((finding) => ({
      document_id: documentId,
      rule: finding.rule,
      severity: finding.severity,
      message: finding.message,
      message_en: finding.messageEn ?? null,
      cells: JSON.stringify(finding.cells),
    })),
  };
}
