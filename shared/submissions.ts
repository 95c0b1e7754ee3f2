/** Submitting files to the pipeline and re-driving dead letters: shared by the CLI and (later) the web upload. */
import type { Kysely } from 'kysely';
import type { BlobStore } from './blob-store';
import { getDocument, setDocumentState, submitDocument } from './db/documents';
import type { Database } from './db/schema';
import { listDeadLetters, resolveDeadLetters, type DeadLetterFilter } from './db/dead-letters';
import { deadLetterJobId, isStage, type Stage } from './pipeline';
import type { PipelineQueues } from './queues';

export interface PipelineDeps {
  db: Kysely<Database>;
  blobs: BlobStore;
  queues: PipelineQueues;
}

export interface Submission {
  documentId: string;
  fileName: string;
  /** False when the same bytes were submitted before. */
  created: boolean;
  status: string;
}

export async function submitFile(deps: PipelineDeps, file: { bytes: Buffer; fileName: string }): Promise<Submission> {
  const sha256 = await deps.blobs.put(file.bytes);
  const { document, created } = await submitDocument(deps.db, { sha256, fileName: file.fileName, sizeBytes: file.bytes.length });
  // Enqueueing again is harmless: the job id is deterministic, so an unfinished job is not duplicated.
  if (created || document.status === 'queued') await deps.queues.enqueue('ingest', { documentId: document.id, round: document.round });
  return { documentId: document.id, fileName: file.fileName, created, status: document.status };
}

/**
 * Sends matching dead letters back to the stage that failed, in a new round so that their job ids are
 * fresh and any late job of the old round is ignored. Returns the re-driven document ids.
 */
export async function redriveDeadLetters(deps: PipelineDeps, filter: DeadLetterFilter, fromStage?: Stage): Promise<string[]> {
  const redriven: string[] = [];
  for (const letter of await listDeadLetters(deps.db, filter)) {
    if (redriven.includes(letter.documentId)) continue;
    const document = await getDocument(deps.db, letter.documentId);
    if (!document) continue;
    const stage = fromStage ?? (isStage(letter.stage) ? letter.stage : 'ingest');
    const round = document.round + 1;
    await setDocumentState(deps.db, document.id, { status: 'queued', stage, error: null, round });
    await deps.queues.enqueue(stage, { documentId: document.id, round });
    await deps.queues.removeDeadLetter(deadLetterJobId(letter));
    await resolveDeadLetters(deps.db, document.id);
    redriven.push(document.id);
  }
  return redriven;
}
