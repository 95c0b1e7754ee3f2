import { loadPages, saveStageOutput } from '../../shared/db/documents';
import { stagePolicy } from '../../shared/pipeline';
import type { NormalizedDocument } from '../../shared/record';
import type { StageHandler } from '../runtime';
import { ProcessSandbox, READER_ENTRY } from '../sandbox';

/** Normalize walks every character of untrusted text, so it runs in sandbox processes too. */
const normalizers = new ProcessSandbox({ entry: READER_ENTRY, name: 'normalizer', processes: stagePolicy('normalize').concurrency });

export const handleNormalize: StageHandler = async (job, { db, config }, document) => {
  const pages = await loadPages(db, job.documentId);
  const normalized = await normalizers.run<NormalizedDocument>(
    'normalize',
    { mediaType: document.media_type ?? 'application/octet-stream', pages },
    { timeoutMs: config.documentTimeoutMs, memoryMb: config.readLimits.memoryMb, subject: document.file_name },
  );
  await saveStageOutput(db, job.documentId, 'normalize', normalized);
};
