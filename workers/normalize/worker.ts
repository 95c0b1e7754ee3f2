import { loadPages, saveStageOutput } from '../../shared/db/documents';
import type { StageHandler } from '../runtime';
import { normalizeDocument } from './core';

export const handleNormalize: StageHandler = async (job, { db }, document) => {
  const pages = await loadPages(db, job.documentId);
  const normalized = normalizeDocument({ mediaType: document.media_type ?? 'application/octet-stream', pages });
  await saveStageOutput(db, job.documentId, 'normalize', normalized);
};
