import { sql, type Kysely } from 'kysely';
import { loadExpectedAgencies } from '../../expected-agencies';
import { rekeyReports } from '../places';
import type { Database } from '../schema';

/**
 * Agencies identified by their place (shared/agency.ts): every report gets its division code and a
 * name qualified with its place, and its agency_key is recomputed by the same code publish runs —
 * before, the key dropped the city, so 内江市市中区 and 乐山市市中区 (and every city's 第3区) were one
 * agency. The expected-agency list (GONGKAI_EXPECTED_AGENCIES), when set, is used as publish uses it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('reports').addColumn('division_code', 'text').addColumn('agency_full_name', 'text').execute();
  await db.schema.createIndex('reports_division_idx').on('reports').column('division_code').execute();
  // 001 made reports_agency_year_idx on (agency_key, year); the roll-ups rely on it.
  await sql`create index if not exists reports_agency_year_idx on reports (agency_key, year)`.execute(db);
  const expected = await loadExpectedAgencies(process.env.GONGKAI_EXPECTED_AGENCIES || null);
  await rekeyReports(db as Kysely<Database>, expected);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('reports_division_idx').execute();
  await db.schema.alterTable('reports').dropColumn('division_code').dropColumn('agency_full_name').execute();
}
