import { openingOf } from '../../shared/db/places';
import { describeSource, type NormalizedDocument } from '../../shared/record';
import type { StageHandler } from '../stage-worker';
import { ProcessSandbox, READER_ENTRY } from '../sandbox';

/** Normalize walks every character of untrusted text, so it runs in sandbox processes too. */
let normalizers: ProcessSandbox | null = null;

export const handleNormalize: StageHandler<'normalize'> = async (_job, { config }, { file, pages }) => {
  normalizers ??= new ProcessSandbox({ entry: READER_ENTRY, name: 'normalizer', processes: config.policies.normalize.concurrency });
  const normalized = await normalizers.run<NormalizedDocument>(
    'normalize',
    { mediaType: file.mediaType, pages },
    { timeoutMs: config.documentTimeoutMs, memoryMb: config.readLimits.memoryMb, subject: file.fileName },
  );
  return { output: { normalized, source: describeSource(file, pages), opening: openingOf(pages) } };
};
