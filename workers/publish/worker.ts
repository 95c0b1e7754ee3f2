import { publicationWrites } from '../../shared/db/reports';
import { loadExpectedAgencies } from '../../shared/expected-agencies';
import { PIPELINE_VERSION } from '../../shared/pipeline';
import type { StageHandler } from '../stage-worker';
import { buildPublication } from './core';

export const handlePublish: StageHandler<'publish'> = async (job, { config }, input) => {
  const { report, opening } = input.value;
  const place = { opening, expected: await loadExpectedAgencies(config.web.expectedAgenciesFile) };
  const publication = buildPublication({ documentId: job.documentId, round: job.round, pipelineVersion: PIPELINE_VERSION }, report, place);
  return { writes: (moved) => publicationWrites(publication, moved) };
};
