/** Dead letters in Postgres: written with the queue's letter, listed and filtered, resolved by a re-drive. */
import type { Kysely, Transaction } from 'kysely';
import type { DeadLetterJob } from '../pipeline';
import type { Database } from './schema';

export async function recordDeadLetter(db: Kysely<Database> | Transaction<Database>, letter: DeadLetterJob, stack: string | null): Promise<void> {
  await db
    .insertInto('dead_letters')
    .values({
      document_id: letter.documentId,
      stage: letter.stage,
      round: letter.round,
      error_code: letter.errorCode,
      message: letter.error,
      stack,
      attempts: JSON.stringify(letter.attempts),
      payload: JSON.stringify({ documentId: letter.documentId, round: letter.round }),
    })
    // The same failure dead-lettered twice (a crash between the two writes) is one letter.
    .onConflict((conflict) => conflict.columns(['document_id', 'stage', 'round']).doNothing())
    .execute();
}

export interface DeadLetterFilter {
  documentId?: string;
  stage?: string;
  errorCode?: string;
}

export interface DeadLetterRow {
  documentId: string;
  fileName: string;
  stage: string;
  round: number;
  errorCode: string;
  message: string;
  attempts: number;
  createdAt: Date;
  /** Null while open; set by the re-drive that resolved it. */
  resolvedAt: Date | null;
}

function lettersWithFiles(db: Kysely<Database>) {
  return db
    .selectFrom('dead_letters as l')
    .innerJoin('documents as d', 'd.id', 'l.document_id')
    .select(['l.document_id', 'd.file_name', 'l.stage', 'l.round', 'l.error_code', 'l.message', 'l.attempts', 'l.created_at', 'l.resolved_at'])
    .orderBy('l.created_at');
}

type LetterWithFile = Awaited<ReturnType<ReturnType<typeof lettersWithFiles>['execute']>>[number];

function toDeadLetterRow(row: LetterWithFile): DeadLetterRow {
  return {
    documentId: row.document_id,
    fileName: row.file_name,
    stage: row.stage,
    round: row.round,
    errorCode: row.error_code,
    message: row.message,
    attempts: (row.attempts as unknown as unknown[]).length,
    createdAt: new Date(row.created_at),
    resolvedAt: row.resolved_at ? new Date(row.resolved_at) : null,
  };
}

/** Open (not yet re-driven) dead letters, oldest first. */
export async function listDeadLetters(db: Kysely<Database>, filter: DeadLetterFilter = {}): Promise<DeadLetterRow[]> {
  let query = lettersWithFiles(db).where('l.resolved_at', 'is', null);
  if (filter.documentId) query = query.where('l.document_id', '=', filter.documentId);
  if (filter.stage) query = query.where('l.stage', '=', filter.stage);
  if (filter.errorCode) query = query.where('l.error_code', '=', filter.errorCode);
  return (await query.execute()).map(toDeadLetterRow);
}

/** Every letter of a document, resolved ones included: its failure history. */
export async function deadLetterHistory(db: Kysely<Database>, documentId: string): Promise<DeadLetterRow[]> {
  return (await lettersWithFiles(db).where('l.document_id', '=', documentId).execute()).map(toDeadLetterRow);
}

export async function resolveDeadLetters(db: Kysely<Database>, documentId: string): Promise<void> {
  await db.updateTable('dead_letters').set({ resolved_at: new Date() }).where('document_id', '=', documentId).where('resolved_at', 'is', null).execute();
}
