import { submittedFile } from '../../shared/db/documents';
import { PermanentError } from '../../shared/errors';
import type { StageHandler } from '../stage-worker';
import { readerSandbox } from '../sandbox';
import { readLimitsFrom } from './core';
import { extractForStore, readsInWorker, type Extracted, type ExtractTask } from './extract-task';

/**
 * Ingest's input is the submitted file, which its job names (or, for a job enqueued without it, its
 * document); it hands on the file's text, page by page, as ingest's task encoded it.
 */
export const handleIngest: StageHandler<'ingest'> = async (job, { db, blobs, config }) => {
  const file = job.file ?? (await submittedFile(db, job.documentId, job.round));
  if (!file) return null;
  if (file.bytes > config.maxFileBytes) {
    throw new PermanentError('TOO_LARGE', `文件有 ${file.bytes} 字节，超过上限 ${config.maxFileBytes} 字节。file is ${file.bytes} bytes; the limit is ${config.maxFileBytes}`);
  }
  const bytes = await blobs.get(file.sha256);
  const task: ExtractTask = { file: { sha256: file.sha256, fileName: file.name }, limits: readLimitsFrom(config) };
  // Every other file is read in the sandbox's reader processes, so a hostile file never touches this process.
  const { mediaType, output } = readsInWorker(bytes, file.name)
    ? await extractForStore(task, bytes)
    : await readerSandbox(config.readLimits.processes).run<Extracted>(
        'extract',
        task,
        // A little over the PDF reader's own time limit, so its more precise message wins.
        { timeoutMs: config.documentTimeoutMs + 5_000, memoryMb: config.readLimits.memoryMb, subject: file.name },
        bytes,
      );
  return { encoded: output, document: { media_type: mediaType } };
};
