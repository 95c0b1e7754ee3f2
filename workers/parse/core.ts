/**
 * The parse stage's pure core: a normalized document in, the canonical record (spec §3) and every
 * extracted cell with its provenance out. Parse does not validate; its only findings are places
 * where a table could not be read unambiguously (TABLE_AMBIGUOUS), OCR readings it is unsure of
 * or had to infer from the tables' arithmetic (LOW_CONFIDENCE_CELL), and numbers printed in a form
 * the tables cannot hold (NUMBER_FORMAT).
 */
import { PermanentError } from '../../shared/errors';
import {
  SCHEMA_VERSION,
  type ExtractedCell,
  type Finding,
  type NormalizedDocument,
  type ParsedReport,
  type ReportTables,
  type SourceInfo,
  type TemplateId,
} from '../../shared/record';
import { readCrawlHeader } from './crawl-header';
import { documentLines, isOcrPage, type DocLine } from './document';
import { readMetadata } from './metadata';
import { readNarrative } from './narrative';
import { exactValuesOf, reviewNumberFormats } from './number-format';
import { reviewOcrCells } from './ocr-confidence';
import { tableRegion } from './regions';
import { findSectionHeadings, sectionList, type SectionHeading } from './sections';
import { readActiveTable } from './tables/active';
import { readApplicationsTable } from './tables/applications';
import { readLegacyList } from './tables/legacy';
import { readReviewLitigationTable } from './tables/review-litigation';
import { detectTemplate } from './template';

/** Without a title, a report still shows itself by this many of the six section headings. */
const MIN_HEADINGS_WITHOUT_TITLE = 3;

export function parseReport(doc: NormalizedDocument, source: SourceInfo): ParsedReport {
  const { header, body: lines } = documentLines(doc, source.mediaType);
  const meta = readMetadata(lines, readCrawlHeader(header.map((line) => line.text)));
  const headings = findSectionHeadings(lines);
  const template = detectTemplate(lines.map((line) => line.text).join('\n'), meta.year);
  const { tables, cells, findings } = readTables(lines, headings, template);

  const hasTables = Object.keys(tables).length > 0;
  if (meta.title === null && headings.length < MIN_HEADINGS_WITHOUT_TITLE && !hasTables) {
    throw new PermanentError('NOT_A_REPORT', 'no report title, section headings or statistical tables found');
  }

  const narrative = readNarrative(lines);
  const exactValues = exactValuesOf(cells);
  return {
    record: {
      schemaVersion: SCHEMA_VERSION,
      source,
      meta: { ...meta, template, script: doc.script },
      sections: sectionList(headings, template),
      tables,
      narrative: narrative.values,
      narrativeSources: narrative.sources,
      findings,
      ...(Object.keys(exactValues).length > 0 ? { exactValues } : {}),
    },
    cells,
  };
}

interface TablesRead {
  tables: ReportTables;
  cells: ExtractedCell[];
  findings: Finding[];
}

/** The tables, then LOW_CONFIDENCE_CELL on what OCR read of them (see ocr-confidence.ts). */
function readTables(lines: DocLine[], headings: SectionHeading[], template: TemplateId | null): TablesRead {
  const read = readTablesAsPrinted(lines, headings, template);
  const ocrPages = new Set(lines.filter((line) => isOcrPage(line.page)).map((line) => line.page.number));
  if (ocrPages.size > 0) read.findings.push(...reviewOcrCells(read.tables, read.cells, template, ocrPages));
  read.findings.push(...reviewNumberFormats(read.cells, ocrPages));
  return { ...read, findings: collapseRepeats(read.findings) };
}

/**
 * The same finding about the same cells, once: a table pasted ten times would otherwise raise one
 * "row … appears twice" per extra copy of every row (hundreds of findings saying one thing).
 */
function collapseRepeats(findings: Finding[]): Finding[] {
  const counts = new Map<string, { finding: Finding; count: number }>();
  for (const finding of findings) {
    const key = JSON.stringify([finding.rule, finding.severity, finding.message, finding.cells]);
    const seen = counts.get(key);
    if (seen) seen.count += 1;
    else counts.set(key, { finding, count: 1 });
  }
  return [...counts.values()].map(({ finding, count }) =>
    count === 1
      ? finding
      : { ...finding, message: `${finding.message}（共 ${count} 次）`, ...(finding.messageEn === undefined ? {} : { messageEn: `${finding.messageEn} (raised ${count} times)` }) },
  );
}

function readTablesAsPrinted(lines: DocLine[], headings: SectionHeading[], template: TemplateId | null): TablesRead {
  const read: TablesRead = { tables: {}, cells: [], findings: [] };
  if (template === 'pre2019') {
    const legacy = readLegacyList(lines);
    if (legacy) {
      read.tables.legacy = legacy.indicators;
      read.cells.push(...legacy.cells);
      read.findings.push(...legacy.findings);
    }
    return read;
  }
  const layout = template ?? '2021';
  const tableReads = {
    active: readActiveTable(tableRegion(lines, headings, 'active'), layout),
    applications: readApplicationsTable(tableRegion(lines, headings, 'applications'), layout),
    reviewLitigation: readReviewLitigationTable(tableRegion(lines, headings, 'reviewLitigation')),
  };
  for (const [name, table] of Object.entries(tableReads)) {
    if (!table) continue;
    read.tables[name as keyof typeof tableReads] = table.node;
    read.cells.push(...table.cells);
    read.findings.push(...table.findings);
  }
  return read;
}
