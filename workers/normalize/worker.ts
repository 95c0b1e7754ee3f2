import { loadPages, saveStageOutput } from '../../shared/db/documents';
import type { NormalizedDocument } from '../../shared/record';
import type { StageHandler } from '../stage-worker';
import { ProcessSandbox, READER_ENTRY } from '../sandbox';

/** Normalize walks every character of untrusted text, so it runs in sandbox processes too. */
let normalizers: ProcessSandbox | null = null;

export const handleNormalize: StageHandler = async (job, { db, config }, document) => {
  const pages = await loadPages(db, job.documentId);
  normalizers ??= new ProcessSandbox({ entry: READER_ENTRY, name: 'normalizer', processes: config.policies.normalize.concurrency });
  const normalized = await normalizers.run<NormalizedDocument>(
    'normalize',
    { mediaType: document.media_type ?? 'application/octet-stream', pages },
    { timeoutMs: config.documentTimeoutMs, memoryMb: config.readLimits.memoryMb, subject: document.file_name },
  );
  await saveStageOutput(db, job.documentId, 'normalize', normalized);
};
