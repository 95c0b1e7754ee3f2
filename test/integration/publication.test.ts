/**
 * The one-statement publication (shared/db/reports.ts): its parts read the rows as they were before the
 * statement, so a cell key another publication adds meanwhile must still reach the cells.
 */
import { sql } from 'kysely';
import { writePublication } from '../../shared/db/reports';
import { buildPublication } from '../../workers/publish/core';
import { craftedReport, publishCrafted } from '../support/crafted-reports';
import { pipelineUnderTest } from '../support/pipeline';

const pipeline = pipelineUnderTest({}, { startWorkers: false });
const db = () => pipeline.runtime().db;

const cellsOf = async (documentId: string) =>
  (await db().selectFrom('cells').select(['table_name', 'row_key', 'column_key', 'value']).where('document_id', '=', documentId).orderBy('position').execute()).map(
    (cell) => `${cell.table_name}.${cell.row_key}.${cell.column_key}=${cell.value}`,
  );

test('two publications adding the same new cell keys at once both keep every cell', async () => {
  const values = { 'applications.newKey1.total': 1, 'applications.newKey2.total': 2 };
  const [first, second] = [await publishCrafted(db(), 'a.txt', craftedReport('2021', '甲局', 2021, {})), await publishCrafted(db(), 'b.txt', craftedReport('2021', '乙局', 2021, {}))];
  const publicationOf = (documentId: string) => buildPublication({ documentId, round: 0, pipelineVersion: 1 }, craftedReport('2021', '某局', 2021, values));
  // The first adds the keys and holds its transaction open; the second, started meanwhile, waits on
  // them and must find them once the first commits, though its snapshot predates them.
  let releaseFirst!: () => void;
  let firstWrote!: () => void;
  const wrote = new Promise<void>((resolve) => (firstWrote = resolve));
  const firstDone = db()
    .transaction()
    .execute(async (trx) => {
      await writePublication(trx, publicationOf(first));
      firstWrote();
      await new Promise<void>((resolve) => (releaseFirst = resolve));
    });
  await wrote;
  const secondDone = writePublication(db(), publicationOf(second));
  // The second statement is waiting on the first's uncommitted keys.
  for (;;) {
    const { rows } = await sql<{ waiting: number }>`select count(*)::int as waiting from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database() and query like '%current_round%'`.execute(db());
    if (rows[0].waiting > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  releaseFirst();
  await firstDone;
  expect(await secondDone).toBe(true);
  const expected = ['applications.newKey1.total=1', 'applications.newKey2.total=2'];
  expect(await cellsOf(first)).toEqual(expected);
  expect(await cellsOf(second)).toEqual(expected);
  const keys = await db().selectFrom('cell_keys').select('id').where('row_key', 'in', ['newKey1', 'newKey2']).execute();
  expect(keys).toHaveLength(2);
});

test('publishing again replaces the report, its findings and cells in place', async () => {
  const documentId = await publishCrafted(db(), 'c.txt', craftedReport('2021', '丙局', 2021, { 'applications.newReceived.total': 5 }));
  const again = buildPublication({ documentId, round: 0, pipelineVersion: 1 }, craftedReport('2021', '丙局', 2022, { 'applications.newReceived.total': 7, 'applications.carriedOver.total': 1 }));
  expect(await writePublication(db(), again)).toBe(true);
  expect(await cellsOf(documentId)).toEqual(['applications.newReceived.total=7', 'applications.carriedOver.total=1']);
  expect(await db().selectFrom('reports').select(['year', 'agency']).where('document_id', '=', documentId).execute()).toEqual([{ year: 2022, agency: '丙局' }]);
});
