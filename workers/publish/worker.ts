import { writePublication } from '../../shared/db/reports';
import { loadStageOutput } from '../../shared/db/stage-outputs';
import { loadExpectedAgencies } from '../../shared/expected-agencies';
import { PIPELINE_VERSION } from '../../shared/pipeline';
import type { StageHandler } from '../stage-worker';
import { buildPublication } from './core';

export const handlePublish: StageHandler = async (job, { db, config }) => {
  const { report, opening } = await loadStageOutput(db, job.documentId, 'validate');
  const place = { opening, expected: await loadExpectedAgencies(config.web.expectedAgenciesFile) };
  const publication = buildPublication({ documentId: job.documentId, round: job.round, pipelineVersion: PIPELINE_VERSION }, report, place);
  return async (trx) => {
    await writePublication(trx, publication);
  };
};
