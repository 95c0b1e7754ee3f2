import { openingOf } from '../../shared/db/places';
import { describeSource, type NormalizedDocument } from '../../shared/record';
import type { StageHandler } from '../stage-worker';
import { readerSandbox } from '../sandbox';

/** Normalize walks every character of untrusted text, so it runs in the reader processes too. */
export const handleNormalize: StageHandler<'normalize'> = async (_job, { config }, { file, pages }) => {
  const normalized = await readerSandbox(config.readLimits.processes).run<NormalizedDocument>(
    'normalize',
    { mediaType: file.mediaType, pages },
    { timeoutMs: config.documentTimeoutMs, memoryMb: config.readLimits.memoryMb, subject: file.fileName },
  );
  return { output: { normalized, source: describeSource(file, pages), opening: openingOf(pages) } };
};
