import { loadPages } from '../../shared/db/documents';
import type { StageHandler } from '../runtime';
import { passThroughTextPages } from './core';

export const handleOcr: StageHandler = async (job, { db }) => {
  passThroughTextPages(await loadPages(db, job.documentId));
};
