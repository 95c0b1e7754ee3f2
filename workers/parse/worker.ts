import { loadPages, loadStageOutput, saveStageOutput } from '../../shared/db/documents';
import { describeSource, type NormalizedDocument } from '../../shared/record';
import type { StageHandler } from '../stage-worker';
import { parseReport } from './core';

export const handleParse: StageHandler = async (job, { db }, document) => {
  const normalized = await loadStageOutput<NormalizedDocument>(db, job.documentId, 'normalize');
  const pages = await loadPages(db, job.documentId);
  const source = describeSource(
    { sha256: document.sha256, fileName: document.file_name, mediaType: document.media_type ?? 'application/octet-stream' },
    pages,
  );
  const parsed = parseReport(normalized, source);
  await saveStageOutput(db, job.documentId, 'parse', parsed);
};
