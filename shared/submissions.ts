/** Submitting files, reprocessing documents and re-driving dead letters: shared by the CLI and the web upload. */
import type { Kysely } from 'kysely';
import type { BlobStore } from './blob-store';
import { documentRounds, getDocument, outdatedDocuments, startNewRound, submitDocument } from './db/documents';
import type { Database, DocumentRow } from './db/schema';
import { answerDeadLetters, dismissDeadLetters, listDeadLetters, resolveDeadLetters, type DeadLetterFilter } from './db/dead-letters';
import { PIPELINE_VERSION, deadLetterJobId, isStage, stageJobFor, type Stage } from './pipeline';
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
  /** True when a document submitted before runs again (forced, or its result is from an older pipeline version). */
  reprocessed: boolean;
  /**
   * True when it was forced (or outdated) but a round of it was already under way, so no second one was
   * started: somebody else re-drove it meanwhile, or its first run is still going.
   */
  alreadyUnderWay: boolean;
  status: string;
  round: number;
}

export interface SubmitOptions {
  /** Reprocess the file even if these bytes were already processed by the current pipeline version. */
  force?: boolean;
}

/** A finished result from an older pipeline version is redone when its file comes in again. */
function isOutdated(document: DocumentRow): boolean {
  return document.pipeline_version < PIPELINE_VERSION && (document.status === 'published' || document.status === 'dead_lettered');
}

/**
 * A round not yet begun, of the current pipeline: it will run the file from the start anyway, so forcing
 * another would only run it twice (as when two shells force the same file at once).
 */
function isPendingRound(document: DocumentRow): boolean {
  return document.status === 'queued' && document.current_stage === 'ingest' && document.pipeline_version === PIPELINE_VERSION;
}

/**
 * Registers a file and starts it. The same bytes again return the existing document and do nothing,
 * unless forced or outdated: then the document runs again in a new round, and its new report
 * supersedes the old one, which is kept in report_history.
 */
export async function submitFile(deps: PipelineDeps, file: { bytes: Buffer; fileName: string }, options: SubmitOptions = {}): Promise<Submission> {
  const sha256 = await deps.blobs.put(file.bytes);
  return submitStored(deps, { sha256, sizeBytes: file.bytes.length, fileName: file.fileName }, options);
}

/** As submitFile, for a file already in the blob store (streamed there by an upload). */
export async function submitStored(deps: PipelineDeps, file: { sha256: string; sizeBytes: number; fileName: string }, options: SubmitOptions = {}): Promise<Submission> {
  const { document, created } = await submitDocument(deps.db, { sha256: file.sha256, fileName: file.fileName, sizeBytes: file.sizeBytes, pipelineVersion: PIPELINE_VERSION });
  const submission = { documentId: document.id, fileName: file.fileName, created, reprocessed: false, alreadyUnderWay: false, status: document.status, round: document.round };
  if (!created && (options.force || isOutdated(document))) {
    // Only a finished document starts again: a round under way (a forced one a worker already took up,
    // say) already runs the file, so a second force from another shell does not run it twice.
    const restarted = isPendingRound(document) ? undefined : await restartDocument(deps, document, 'ingest', { onlyIfFinished: true });
    if (restarted) return { ...submission, reprocessed: true, status: restarted.status, round: restarted.round };
    const now = (await getDocument(deps.db, document.id)) ?? document;
    if (isPendingRound(now)) await deps.queues.enqueue('ingest', stageJobFor(now, 'ingest'));
    return { ...submission, alreadyUnderWay: true, status: now.status, round: now.round };
  }
  // Enqueueing again is harmless: the job id is deterministic, so an unfinished job is not duplicated.
  if (created || document.status === 'queued') await deps.queues.enqueue('ingest', stageJobFor(document, 'ingest'));
  return submission;
}

/** The document to restart and the round its caller saw: the restart happens only if that is still its round. */
export interface SeenRound {
  id: string;
  round: number;
}

/**
 * Runs a document again from a stage in a new round: its jobs get fresh ids, late jobs of the old round
 * are ignored, and its open dead letters are resolved. Undefined if another restart won the race, so
 * only the winner enqueues. The options narrow it further (startNewRound).
 */
export async function restartDocument(
  deps: PipelineDeps,
  seen: SeenRound,
  stage: Stage,
  options: { onlyIfLetterOpen?: boolean; onlyIfDeadLettered?: boolean; onlyIfFinished?: boolean } = {},
): Promise<DocumentRow | undefined> {
  const restarted = await startNewRound(deps.db, seen.id, seen.round, { stage, pipelineVersion: PIPELINE_VERSION, ...options });
  if (!restarted) return undefined;
  await deps.queues.enqueue(stage, stageJobFor(restarted, stage));
  const oldLetters = (await listDeadLetters(deps.db, { documentId: seen.id })).filter((letter) => letter.round <= seen.round);
  for (const letter of oldLetters) await deps.queues.removeDeadLetter(deadLetterJobId(letter));
  await resolveDeadLetters(deps.db, seen.id, seen.round);
  return restarted;
}

/**
 * Sends matching dead letters back to the stage that failed (or `fromStage`). Returns the re-driven
 * document ids. Each document restarts only from its letter's round while the letter is open, so callers
 * re-driving the same letters at once start one new round between them.
 */
export async function redriveDeadLetters(deps: PipelineDeps, filter: DeadLetterFilter, fromStage?: Stage): Promise<string[]> {
  const redriven: string[] = [];
  for (const letter of await listDeadLetters(deps.db, filter)) {
    const stage = fromStage ?? (isStage(letter.stage) ? letter.stage : 'ingest');
    const restarted = await restartDocument(deps, { id: letter.documentId, round: letter.round }, stage, { onlyIfLetterOpen: true });
    if (restarted) redriven.push(letter.documentId);
  }
  return redriven;
}

/** A person sets a document's open dead letters aside, with the reason; returns false when it had none. */
export async function dismissDeadLetter(deps: PipelineDeps, documentId: string, dismissal: { by: string; reason: string }): Promise<boolean> {
  const letters = await listDeadLetters(deps.db, { documentId });
  if (letters.length === 0) return false;
  for (const letter of letters) await deps.queues.removeDeadLetter(deadLetterJobId(letter));
  return (await dismissDeadLetters(deps.db, documentId, dismissal)) > 0;
}

/** Resolves a document's open dead letters with the document of its corrected file; returns false when it had none. */
export async function answerDeadLetter(deps: PipelineDeps, documentId: string, replacementDocumentId: string): Promise<boolean> {
  const letters = await listDeadLetters(deps.db, { documentId });
  if (letters.length === 0) return false;
  for (const letter of letters) await deps.queues.removeDeadLetter(deadLetterJobId(letter));
  return (await answerDeadLetters(deps.db, documentId, replacementDocumentId)) > 0;
}

export type ReprocessSelection = { documentIds: string[] } | { outdated: true };

/**
 * Runs stored documents again (their originals are in the blob store), e.g. after a pipeline upgrade.
 * Each restarts only from the round read here and only if that round has finished: a document another
 * caller restarted since, or one still being processed, is left to the round under way, so callers
 * reprocessing the same documents at once start one new round each. Returns the restarted ids.
 */
export async function reprocessDocuments(deps: PipelineDeps, selection: ReprocessSelection, fromStage: Stage = 'ingest'): Promise<string[]> {
  const seen = 'outdated' in selection ? await outdatedDocuments(deps.db, PIPELINE_VERSION) : await seenRounds(deps, selection.documentIds);
  const restarted: string[] = [];
  for (const document of seen) {
    if (await restartDocument(deps, document, fromStage, { onlyIfFinished: true })) restarted.push(document.id);
  }
  return restarted;
}

async function seenRounds(deps: PipelineDeps, ids: string[]): Promise<SeenRound[]> {
  const rounds = await documentRounds(deps.db, ids);
  return ids.map((id) => {
    const round = rounds.get(id);
    if (round === undefined) throw new Error(`no document ${id}`);
    return { id, round };
  });
}
