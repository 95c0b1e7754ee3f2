import { reportIdentity } from '../../shared/agency';
import { loadStageOutput, saveStageOutput } from '../../shared/db/documents';
import { reportPlaceContext } from '../../shared/db/places';
import { findReportRecord } from '../../shared/db/reports';
import type { NormalizedDocument, ParsedReport } from '../../shared/record';
import { readingText } from '../parse/document';
import type { StageHandler } from '../stage-worker';
import { validateReport } from './core';

export const handleValidate: StageHandler = async (job, { db, config }) => {
  const { record } = await loadStageOutput<ParsedReport>(db, job.documentId, 'parse');
  const normalized = await loadStageOutput<NormalizedDocument>(db, job.documentId, 'normalize');
  const { year } = record.meta;
  // The agency is placed as publish will place it, so last year's report of the same agency (not of a same-named one elsewhere) is found.
  const identity = year ? reportIdentity(record.meta, await reportPlaceContext(db, job.documentId, config.web.expectedAgenciesFile)) : null;
  const previous = identity && year ? await findReportRecord(db, identity.key, year - 1) : null;
  const findings = validateReport(record, {
    previous,
    bodyText: readingText(normalized, record.source.mediaType),
  });
  await saveStageOutput(db, job.documentId, 'validate', findings);
};
