/**
 * Dead letters in Postgres: written with the queue's letter, listed and filtered, resolved by a
 * re-drive or by a corrected file, or dismissed by a person with a reason.
 */
import type { Kysely, Transaction, Updateable } from 'kysely';
import { PERMANENT_ERROR_CODES, isPermanentFailure } from '../errors';
import type { DeadLetterJob } from '../pipeline';
import type { Database, DeadLettersTable } from './schema';

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
  /** Leave out letters whose failure no retry can fix (shared/errors.ts). */
  retryableOnly?: boolean;
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
  /** Null while open; set by the re-drive or the corrected file that resolved it. */
  resolvedAt: Date | null;
  /** Retrying cannot succeed: dismiss it or answer it with a corrected file. */
  permanent: boolean;
  dismissedAt: Date | null;
  dismissedBy: string | null;
  dismissReason: string | null;
  replacedByDocumentId: string | null;
}

function lettersWithFiles(db: Kysely<Database>) {
  return db
    .selectFrom('dead_letters as l')
    .innerJoin('documents as d', 'd.id', 'l.document_id')
    .select([
      'l.document_id',
      'd.file_name',
      'l.stage',
      'l.round',
      'l.error_code',
      'l.message',
      'l.attempts',
      'l.created_at',
      'l.resolved_at',
      'l.dismissed_at',
      'l.dismissed_by',
      'l.dismiss_reason',
      'l.replaced_by_document_id',
    ]);
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
    permanent: isPermanentFailure(row.error_code),
    dismissedAt: row.dismissed_at ? new Date(row.dismissed_at) : null,
    dismissedBy: row.dismissed_by,
    dismissReason: row.dismiss_reason,
    replacedByDocumentId: row.replaced_by_document_id,
  };
}

export const DEAD_LETTER_SORTS = ['time', 'fileName'] as const;
export type DeadLetterSort = (typeof DEAD_LETTER_SORTS)[number];

export interface DeadLetterPage {
  limit: number;
  offset: number;
  /** Oldest first unless asked otherwise. */
  sort?: DeadLetterSort;
  direction?: 'asc' | 'desc';
}

/** File names by their natural key (migration 009), so 第10区 comes before 第100区. */
const LETTER_SORT_KEYS: Record<DeadLetterSort, 'l.created_at' | 'd.file_name_sort'> = { time: 'l.created_at', fileName: 'd.file_name_sort' };

function openLettersMatching(db: Kysely<Database>, filter: DeadLetterFilter) {
  let query = lettersWithFiles(db).where('l.resolved_at', 'is', null).where('l.dismissed_at', 'is', null);
  if (filter.documentId) query = query.where('l.document_id', '=', filter.documentId);
  if (filter.stage) query = query.where('l.stage', '=', filter.stage);
  if (filter.errorCode) query = query.where('l.error_code', '=', filter.errorCode);
  if (filter.retryableOnly) query = query.where('l.error_code', 'not in', [...PERMANENT_ERROR_CODES]);
  return query;
}

/** Open (neither resolved nor dismissed) dead letters, oldest first, or one page of them in the order asked. */
export async function listDeadLetters(db: Kysely<Database>, filter: DeadLetterFilter = {}, page?: DeadLetterPage): Promise<DeadLetterRow[]> {
  const direction = page?.direction ?? 'asc';
  let query = openLettersMatching(db, filter)
    .orderBy(LETTER_SORT_KEYS[page?.sort ?? 'time'], direction)
    .orderBy('l.created_at', direction)
    .orderBy('l.id', direction);
  if (page) query = query.limit(page.limit).offset(page.offset);
  return (await query.execute()).map(toDeadLetterRow);
}

/** How many open letters a filter matches, for the page's pager. */
export async function countDeadLetters(db: Kysely<Database>, filter: DeadLetterFilter = {}): Promise<number> {
  const { total } = await db.selectFrom(openLettersMatching(db, filter).as('m')).select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  return Number(total);
}

/** Open letters per stage and error code, the largest groups first. */
export async function countOpenDeadLetters(db: Kysely<Database>): Promise<Array<{ stage: string; errorCode: string; count: number; permanent: boolean }>> {
  const rows = await db
    .selectFrom('dead_letters')
    .select(['stage', 'error_code', (eb) => eb.fn.countAll<number>().as('count')])
    .where('resolved_at', 'is', null)
    .where('dismissed_at', 'is', null)
    .groupBy(['stage', 'error_code'])
    .orderBy('count', 'desc')
    .orderBy('stage')
    .orderBy('error_code')
    .execute();
  return rows.map((row) => ({ stage: row.stage, errorCode: row.error_code, count: Number(row.count), permanent: isPermanentFailure(row.error_code) }));
}

/** Closes a document's open letters (neither resolved nor dismissed) with the given outcome; returns how many there were. */
async function closeOpenLetters(db: Kysely<Database>, documentId: string, outcome: Updateable<DeadLettersTable>): Promise<number> {
  const rows = await db
    .updateTable('dead_letters')
    .set(outcome)
    .where('document_id', '=', documentId)
    .where('resolved_at', 'is', null)
    .where('dismissed_at', 'is', null)
    .returning('id')
    .execute();
  return rows.length;
}

/** Dismisses a document's open letters with a person's reason; returns how many there were. */
export async function dismissDeadLetters(db: Kysely<Database>, documentId: string, dismissal: { by: string; reason: string }): Promise<number> {
  return closeOpenLetters(db, documentId, { dismissed_at: new Date(), dismissed_by: dismissal.by, dismiss_reason: dismissal.reason });
}

/** Resolves a document's open letters with the corrected file's document; returns how many there were. */
export async function answerDeadLetters(db: Kysely<Database>, documentId: string, replacementDocumentId: string): Promise<number> {
  return closeOpenLetters(db, documentId, { resolved_at: new Date(), replaced_by_document_id: replacementDocumentId });
}

/** Every letter of a document, resolved ones included: its failure history. */
export async function deadLetterHistory(db: Kysely<Database>, documentId: string): Promise<DeadLetterRow[]> {
  return (await lettersWithFiles(db).where('l.document_id', '=', documentId).orderBy('l.created_at').orderBy('l.id').execute()).map(toDeadLetterRow);
}

/**
 * Resolves a document's open letters up to a round; a later round's failure is new and stays open, and a
 * letter dismissed meanwhile stays dismissed.
 */
export async function resolveDeadLetters(db: Kysely<Database>, documentId: string, throughRound: number): Promise<void> {
  await db
    .updateTable('dead_letters')
    .set({ resolved_at: new Date() })
    .where('document_id', '=', documentId)
    .where('round', '<=', throughRound)
    .where('resolved_at', 'is', null)
    .where('dismissed_at', 'is', null)
    .execute();
}
