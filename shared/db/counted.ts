/** Which report counts for an agency and year (the counted_reports view), its copies, and an operator's choice. */
import type { Kysely } from 'kysely';
import type { Database } from './schema';

export interface ReportCopy {
  documentId: string;
  fileName: string;
  submittedAt: Date;
  counted: boolean;
  chosenByOperator: boolean;
}

/** Every report of the document's agency and year, the one that counts first, then newest first. */
export async function reportCopies(db: Kysely<Database>, documentId: string): Promise<ReportCopy[]> {
  const own = await db.selectFrom('reports').select(['agency_key', 'year']).where('document_id', '=', documentId).executeTakeFirst();
  if (!own?.agency_key || own.year === null) return [];
  const rows = await db
    .selectFrom('reports as r')
    .innerJoin('documents as d', 'd.id', 'r.document_id')
    .leftJoin('counted_reports as k', 'k.document_id', 'r.document_id')
    .select(['r.document_id', 'd.file_name', 'd.submitted_at', 'k.document_id as counted_id', 'k.chosen_by_operator'])
    .where('r.agency_key', '=', own.agency_key)
    .where('r.year', '=', own.year)
    .orderBy('d.submitted_at', 'desc')
    .orderBy('d.id', 'desc')
    .execute();
  return rows
    .map((row) => ({
      documentId: row.document_id,
      fileName: row.file_name,
      submittedAt: new Date(row.submitted_at),
      counted: row.counted_id !== null,
      chosenByOperator: row.chosen_by_operator === true,
    }))
    .sort((a, b) => Number(b.counted) - Number(a.counted));
}

/**
 * Makes a document's report the one that counts for its agency and year, replacing any earlier
 * choice among its copies. False when the document has no report with an agency and year.
 */
export async function chooseCountedReport(db: Kysely<Database>, documentId: string, chosenBy: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const own = await trx.selectFrom('reports').select(['agency_key', 'year']).where('document_id', '=', documentId).executeTakeFirst();
    if (!own?.agency_key || own.year === null) return false;
    const copies = trx.selectFrom('reports').select('document_id').where('agency_key', '=', own.agency_key).where('year', '=', own.year);
    await trx.deleteFrom('report_choices').where('document_id', 'in', copies).execute();
    await trx.insertInto('report_choices').values({ document_id: documentId, chosen_by: chosenBy }).execute();
    return true;
  });
}
