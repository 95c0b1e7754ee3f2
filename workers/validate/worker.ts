import { agencyKey } from '../../shared/agency';
import { loadStageOutput, saveStageOutput } from '../../shared/db/documents';
import { findReportRecord } from '../../shared/db/reports';
import type { NormalizedDocument, ParsedReport } from '../../shared/record';
import { readingText } from '../parse/document';
import type { StageHandler } from '../runtime';
import { validateReport } from './core';

export const handleValidate: StageHandler = async (job, { db }) => {
  const { record } = await loadStageOutput<ParsedReport>(db, job.documentId, 'parse');
  const normalized = await loadStageOutput<NormalizedDocument>(db, job.documentId, 'normalize');
  const { agency, year } = record.meta;
  const previous = agency && year ? await findReportRecord(db, agencyKey(agency), year - 1) : null;
  const findings = validateReport(record, {
    previous,
    bodyText: readingText(normalized, record.source.mediaType),
  });
  await saveStageOutput(db, job.documentId, 'validate', findings);
};
