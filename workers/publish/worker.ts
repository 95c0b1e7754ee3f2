import { loadStageOutput } from '../../shared/db/documents';
import { reportPlaceContext } from '../../shared/db/places';
import { writePublication } from '../../shared/db/reports';
import { PIPELINE_VERSION } from '../../shared/pipeline';
import type { Finding, ParsedReport } from '../../shared/record';
import type { StageHandler } from '../stage-worker';
import { buildPublication } from './core';

export const handlePublish: StageHandler = async (job, { db, config }) => {
  const parsed = await loadStageOutput<ParsedReport>(db, job.documentId, 'parse');
  const findings = await loadStageOutput<Finding[]>(db, job.documentId, 'validate');
  const place = await reportPlaceContext(db, job.documentId, config.web.expectedAgenciesFile);
  await writePublication(db, buildPublication({ documentId: job.documentId, round: job.round, pipelineVersion: PIPELINE_VERSION }, parsed, findings, place));
};
