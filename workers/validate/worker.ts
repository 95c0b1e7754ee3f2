import { reportIdentity } from '../../shared/agency';
import { findReportRecord } from '../../shared/db/reports';
import { loadExpectedAgencies } from '../../shared/expected-agencies';
import type { StageHandler } from '../stage-worker';
import { validateReport, withValidationFindings } from './core';

export const handleValidate: StageHandler<'validate'> = async (_job, { db, config }, input) => {
  const { parsed, bodyText, opening } = input.value;
  const { year } = parsed.record.meta;
  // The agency is placed as publish will place it, so last year's report of the same agency (not of a same-named one elsewhere) is found.
  const identity = year ? reportIdentity(parsed.record.meta, { opening, expected: await loadExpectedAgencies(config.web.expectedAgenciesFile) }) : null;
  const previous = identity && year ? await findReportRecord(db, identity.key, year - 1) : null;
  const report = withValidationFindings(parsed, validateReport(parsed.record, { previous, bodyText }));
  return { output: { report, opening } };
};
