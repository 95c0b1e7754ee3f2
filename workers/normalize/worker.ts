import { openingOf } from '../../shared/db/places';
import { saveStageOutput } from '../../shared/db/stage-outputs';
import { describeSource, type NormalizedDocument } from '../../shared/record';
import type { StageHandler } from '../stage-worker';
import { ProcessSandbox, READER_ENTRY } from '../sandbox';

/** Normalize walks every character of untrusted text, so it runs in sandbox processes too. */
let normalizers: ProcessSandbox | null = null;

export const handleNormalize: StageHandler<'normalize'> = async (job, { config }, document, pages) => {
  const mediaType = document.media_type ?? 'application/octet-stream';
  normalizers ??= new ProcessSandbox({ entry: READER_ENTRY, name: 'normalizer', processes: config.policies.normalize.concurrency });
  const normalized = await normalizers.run<NormalizedDocument>(
    'normalize',
    { mediaType, pages },
    { timeoutMs: config.documentTimeoutMs, memoryMb: config.readLimits.memoryMb, subject: document.file_name },
  );
  const source = describeSource({ sha256: document.sha256, fileName: document.file_name, mediaType }, pages);
  return (trx) => saveStageOutput(trx, job.documentId, 'normalize', { normalized, source, opening: openingOf(pages) });
};
