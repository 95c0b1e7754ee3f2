import { savePages, setMediaType } from '../../shared/db/documents';
import { PermanentError } from '../../shared/errors';
import type { StageHandler } from '../runtime';
import { extractDocument } from './core';

export const handleIngest: StageHandler = async (_job, { db, blobs, config }, document) => {
  if (document.size_bytes > config.maxFileBytes) {
    throw new PermanentError('TOO_LARGE', `file is ${document.size_bytes} bytes; the limit is ${config.maxFileBytes}`);
  }
  const bytes = await blobs.get(document.sha256);
  const extracted = await extractDocument({ bytes, fileName: document.file_name }, { maxPages: config.maxPages, timeoutMs: config.documentTimeoutMs });
  await setMediaType(db, document.id, extracted.mediaType);
  await savePages(db, document.id, extracted.pages);
};
