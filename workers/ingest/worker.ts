import { setMediaType } from '../../shared/db/documents';
import { savePages } from '../../shared/db/pages';
import { PermanentError } from '../../shared/errors';
import type { ExtractedDocument } from '../../shared/record';
import type { StageHandler } from '../stage-worker';
import { ProcessSandbox, READER_ENTRY } from '../sandbox';
import type { ExtractTask } from '../sandbox-entry';
import { readLimitsFrom } from './core';

/** Files are read in sandbox processes, one per concurrent job, so a hostile file never touches this process. */
let readers: ProcessSandbox | null = null;

export const handleIngest: StageHandler<'ingest'> = async (_job, { blobs, config }, document) => {
  if (document.size_bytes > config.maxFileBytes) {
    throw new PermanentError('TOO_LARGE', `文件有 ${document.size_bytes} 字节，超过上限 ${config.maxFileBytes} 字节。file is ${document.size_bytes} bytes; the limit is ${config.maxFileBytes}`);
  }
  const bytes = await blobs.get(document.sha256);
  const task: ExtractTask = { fileName: document.file_name, limits: readLimitsFrom(config) };
  readers ??= new ProcessSandbox({ entry: READER_ENTRY, name: 'ingest reader', processes: config.policies.ingest.concurrency });
  const extracted = await readers.run<ExtractedDocument>(
    'extract',
    task,
    // A little over the PDF reader's own time limit, so its more precise message wins.
    { timeoutMs: config.documentTimeoutMs + 5_000, memoryMb: config.readLimits.memoryMb, subject: document.file_name },
    bytes,
  );
  return async (trx) => {
    await setMediaType(trx, document.id, extracted.mediaType);
    await savePages(trx, document.id, extracted.pages);
  };
};
