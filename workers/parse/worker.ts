import type { StageHandler } from '../stage-worker';
import { parseReport } from './core';
import { readingText } from './document';

export const handleParse: StageHandler<'parse'> = async (_job, _context, { normalized, source, opening }) => {
  const parsed = parseReport(normalized, source);
  return { output: { parsed, bodyText: readingText(normalized, source.mediaType), opening } };
};
