import { openingOf } from '../../shared/db/places';
import { describeSource } from '../../shared/record';
import type { StageHandler } from '../stage-worker';
import { normalizeDocument } from './core';

/**
 * Normalize runs in the worker's own thread: one linear pass over text that ingest already bounded
 * (GONGKAI_MAX_TEXT_CHARS), with no pattern that can backtrack. A trip to a reader process cost more
 * than the pass itself.
 */
export const handleNormalize: StageHandler<'normalize'> = async (_job, _context, input) => {
  const { file, pages } = input.value;
  return { output: { normalized: normalizeDocument({ mediaType: file.mediaType, pages }), source: describeSource(file, pages), opening: openingOf(pages) } };
};
