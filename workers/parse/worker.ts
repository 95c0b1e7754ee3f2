import { loadStageOutput, saveStageOutput } from '../../shared/db/stage-outputs';
import type { StageHandler } from '../stage-worker';
import { parseReport } from './core';
import { readingText } from './document';

export const handleParse: StageHandler = async (job, { db }) => {
  const { normalized, source, opening } = await loadStageOutput(db, job.documentId, 'normalize');
  const parsed = parseReport(normalized, source);
  const bodyText = readingText(normalized, source.mediaType);
  return (trx) => saveStageOutput(trx, job.documentId, 'parse', { parsed, bodyText, opening });
};
