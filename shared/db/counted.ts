/** Which report counts for an agency and year (the counted_reports view), its copies, and an operator's choice. */
import type { Kysely } from 'kysely';
import type { Database, DocumentStatus } from './schema';

export interface ReportCopy {
  documentId: string;
  fileName: string;
  status: DocumentStatus;
  submittedAt: Date;
  /** The agency's name qualified with its place (reports.agency_full_name), else as printed. */
  agency: string | null;
  year: number;
  /** The one copy roll-ups and exports count. */
  counted: boolean;
  /** Set on the copy an operator marked: who and when. The counted copy without it counts by rule (newest submission). */
  chosenBy: string | null;
  chosenAt: Date | null;
  chosenByOperator: boolean;
}

/** Every report of the document's agency (its identity) and year, the one that counts first, then newest first. */
export async function reportCopies(db: Kysely<Database>, documentId: string): Promise<ReportCopy[]> {
  const own = await db.selectFrom('reports').select(['agency_key', 'year']).where('document_id', '=', documentId).executeTakeFirst();
  if (!own?.agency_key || own.year === null) return [];
  const rows = await db
    .selectFrom('reports as r')
    .innerJoin('documents as d', 'd.id', 'r.document_id')
    .leftJoin('counted_reports as k', 'k.document_id', 'r.document_id')
    .leftJoin('report_choices as c', 'c.document_id', 'r.document_id')
    .select(['r.document_id', 'r.agency', 'r.agency_full_name', 'd.file_name', 'd.status', 'd.submitted_at', 'k.document_id as counted_id', 'c.chosen_by', 'c.chosen_at'])
    .where('r.agency_key', '=', own.agency_key)
    .where('r.year', '=', own.year)
    .orderBy('d.submitted_at', 'desc')
    .orderBy('d.id', 'desc')
    .execute();
  return rows
    .map((row) => ({
      documentId: row.document_id,
      fileName: row.file_name,
      status: row.status,
      submittedAt: new Date(row.submitted_at),
      agency: row.agency_full_name ?? row.agency,
      year: own.year!,
      counted: row.counted_id !== null,
      chosenBy: row.chosen_by,
      chosenAt: row.chosen_at === null ? null : new Date(row.chosen_at),
      chosenByOperator: row.counted_id !== null && row.chosen_by !== null,
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
