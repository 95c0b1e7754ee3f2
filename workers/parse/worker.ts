import { saveStageOutput } from '../../shared/db/stage-outputs';
import type { StageHandler } from '../stage-worker';
import { parseReport } from './core';
import { readingText } from './document';

export const handleParse: StageHandler<'parse'> = async (job, _context, _document, { normalized, source, opening }) => {
  const parsed = parseReport(normalized, source);
  const bodyText = readingText(normalized, source.mediaType);
  return (trx) => saveStageOutput(trx, job.documentId, 'parse', { parsed, bodyText, opening });
};
