/**
 * What places a stored report's agency (reportIdentity, shared/agency.ts): its first page's opening
 * text (carried from normalize to publish in the stage outputs); and re-placing every stored report
 * (migration 006). Publish, validate's previous-year look-up and the migration all place a report
 * from the same inputs, so they agree.
 */
import { sql, type Kysely } from 'kysely';
import { reportIdentity, type ExpectedPlace } from '../agency';
import type { Database } from './schema';

/** As much of the first page as names the agency's place (its title, 来源/发布机构 lines). */
const OPENING_CHARACTERS = 3000;

/** The opening of the first of a document's pages (ordered by number), as documentOpening reads it from Postgres. */
export function openingOf(pages: ReadonlyArray<{ text: string }>): string | null {
  return pages.length > 0 ? Array.from(pages[0].text).slice(0, OPENING_CHARACTERS).join('') : null;
}

const REPORTS_PER_BATCH = 500;

/**
 * Places every stored report again (agency_key, division_code, agency_full_name) in batches, one
 * update statement per batch. Returns how many reports were written.
 */
export async function rekeyReports(db: Kysely<Database>, expected: readonly ExpectedPlace[]): Promise<number> {
  let after = '';
  let written = 0;
  for (;;) {
    const rows = await db
      .selectFrom('reports as r')
      .select([
        'r.document_id',
        sql<string | null>`r.record -> 'meta' ->> 'agency'`.as('agency'),
        sql<string | null>`r.record -> 'meta' ->> 'title'`.as('title'),
        sql<string | null>`(select left(p.text, ${OPENING_CHARACTERS}) from pages p where p.document_id = r.document_id order by p.page_number limit 1)`.as('opening'),
      ])
      .where(sql<boolean>`r.document_id::text > ${after}`)
      .orderBy(sql`r.document_id::text`)
      .limit(REPORTS_PER_BATCH)
      .execute();
    if (rows.length === 0) return written;
    const placed = rows.map((row) => {
      const identity = reportIdentity({ agency: row.agency, title: row.title }, { opening: row.opening, expected });
      return { id: row.document_id, key: identity?.key ?? null, code: identity?.divisionCode ?? null, name: identity?.fullName ?? null };
    });
    await sql`
      update reports r set agency_key = v.key, division_code = v.code, agency_full_name = v.name
      from jsonb_to_recordset(${JSON.stringify(placed)}::jsonb) as v(id uuid, key text, code text, name text)
      where r.document_id = v.id
    `.execute(db);
    written += rows.length;
    after = rows.at(-1)!.document_id;
  }
}
