import { sql, type Kysely } from 'kysely';

/**
 * A document's row is updated at every stage it completes. Indexed on (status, current_stage), each
 * update wrote a new entry in all four of its indexes. Indexed on status alone, and with room left on
 * each page, the moves from stage to stage within `processing` change no indexed column and the new
 * row version fits on the same page: Postgres writes no index entry for them (a HOT update). Only the
 * moves into and out of `processing` touch the indexes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop index documents_status_idx`.execute(db);
  await sql`create index documents_status_idx on documents (status)`.execute(db);
  await sql`alter table documents set (fillfactor = 70)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table documents reset (fillfactor)`.execute(db);
  await sql`drop index documents_status_idx`.execute(db);
  await sql`create index documents_status_idx on documents (status, current_stage)`.execute(db);
}
