import { getDocument, savePages, setMediaType } from '../../shared/db/documents';
import { PermanentError } from '../../shared/errors';
import type { StageHandler } from '../runtime';
import { extractDocument } from './core';

export const handleIngest: StageHandler = async (job, { db, blobs, config }) => {
  const document = await getDocument(db, job.documentId);
  if (!document) throw new Error(`document ${job.documentId} not found`);
  if (document.size_bytes > config.maxFileBytes) {
    throw new PermanentError('TOO_LARGE', `file is ${document.size_bytes} bytes; the limit is ${config.maxFileBytes}`);
  }
  const bytes = await blobs.get(document.sha256);
  const extracted = await extractDocument({ bytes, fileName: document.file_name }, { maxPages: config.maxPages, timeoutMs: config.documentTimeoutMs });
  await setMediaType(db, document.id, extracted.mediaType);
  await savePages(db, document.id, extracted.pages);
};
