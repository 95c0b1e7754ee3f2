/** Agencies are places: same-named districts of different cities stay apart, search finds places, one copy counts. */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import { Pool } from 'pg';
import { waitForDocuments } from '../../cli/wait';
import { searchDocuments, submissionsMatrix, type SubmissionsMatrix, type SubmissionsRow } from '../../shared/db/browse';
import { dropSchema, migrationProvider } from '../../shared/db/connect';
import { reportCopies } from '../../shared/db/counted';
import type { Database } from '../../shared/db/schema';
import { submitFile } from '../../shared/submissions';
import { buildWebServer } from '../../web/server';
import { submissionsView } from '../../web/views/submissions';
import { SAMPLES_DIR, TEST_DATABASE_URL } from '../support/environment';
import { pipelineUnderTest } from '../support/pipeline';

jest.setTimeout(120_000);

const OPERATOR = 'operator-credential-for-places-test';
const operator = { authorization: `Bearer ${OPERATOR}` };

/** Sample 001 (湛河区城市管理局, 2021) printed as another agency's report. */
const sample = fs.readFileSync(path.join(SAMPLES_DIR, '001_8775b43b601402e9.txt'), 'utf8');
function reportOf(agency: string, variant = ''): Buffer {
  return Buffer.from(sample.replace('湛河区城市管理局2021年', `${agency}2021年`) + variant);
}

describe('agencies identified by their place', () => {
  const pipeline = pipelineUnderTest({ GONGKAI_OPERATOR_TOKEN: OPERATOR });
  let app: FastifyInstance;
  const ids: Record<string, string> = {};

  async function publish(name: string, bytes: Buffer): Promise<string> {
    const runtime = pipeline.runtime();
    const { documentId } = await submitFile(runtime, { bytes, fileName: `${name}.txt` });
    ids[name] = documentId;
    return documentId;
  }

  beforeAll(async () => {
    const runtime = pipeline.runtime();
    await publish('neijiang', reportOf('内江市市中区人民政府'));
    await publish('leshan', reportOf('乐山市市中区人民政府'));
    await publish('jia', reportOf('甲市第3区人民政府'));
    await publish('yi', reportOf('乙市第3区人民政府'));
    await publish('miyi', reportOf('米易县人民政府'));
    await waitForDocuments(runtime.db, Object.values(ids), { timeoutMs: 90_000, quiet: true });
    // A second copy of 内江's report, submitted later: by rule it counts.
    await publish('neijiang-again', reportOf('内江市市中区人民政府', '\n'));
    await waitForDocuments(runtime.db, [ids['neijiang-again']!], { timeoutMs: 60_000, quiet: true });
    app = await buildWebServer(runtime, { logger: false });
  });

  afterAll(async () => {
    await app?.close();
  });

  async function reportRow(name: string) {
    return pipeline
      .runtime()
      .db.selectFrom('reports')
      .select(['agency', 'agency_key', 'division_code', 'agency_full_name'])
      .where('document_id', '=', ids[name]!)
      .executeTakeFirstOrThrow();
  }

  test('two cities’ 市中区 are two agencies; unplaceable names keep their whole name', async () => {
    const neijiang = await reportRow('neijiang');
    const leshan = await reportRow('leshan');
    expect(neijiang).toEqual({ agency: '内江市市中区人民政府', agency_key: '511002:政府', division_code: '511002', agency_full_name: '内江市市中区人民政府' });
    expect(leshan).toMatchObject({ agency_key: '511102:政府', division_code: '511102' });
    const [jia, yi] = [await reportRow('jia'), await reportRow('yi')];
    expect(jia).toMatchObject({ agency_key: '甲市第3区政府', division_code: null });
    expect(yi).toMatchObject({ agency_key: '乙市第3区政府', division_code: null });
    expect(await reportRow('miyi')).toMatchObject({ division_code: '510421', agency_full_name: '攀枝花市米易县人民政府' });

    const matrix = await submissionsMatrix(pipeline.runtime().db, []);
    const rows = matrix.agencies.filter((row) => /市中区|第3区/.test(row.agency));
    expect(rows.map((row) => [row.agency, row.city, row.county]).sort()).toEqual([
      ['乐山市市中区人民政府', '乐山市', '市中区'],
      ['乙市第3区人民政府', null, null],
      ['内江市市中区人民政府', '内江市', '市中区'],
      ['甲市第3区人民政府', null, null],
    ]);
    const neijiangRow = rows.find((row) => row.key === '511002:政府')!;
    expect(neijiangRow.byYear[2021]).toMatchObject({ documents: 2, countedDocumentId: ids['neijiang-again'], chosenByOperator: false });
  });

  test('search by agency finds places: a city finds its counties’ agencies, Traditional input too', async () => {
    const db = pipeline.runtime().db;
    const found = async (agency: string) => (await searchDocuments(db, { agency, limit: 50, offset: 0 })).rows.map((row) => row.id).sort();
    expect(await found('内江市')).toEqual([ids.neijiang, ids['neijiang-again']].sort());
    expect(await found('乐山')).toEqual([ids.leshan]);
    expect(await found('米易縣')).toEqual([ids.miyi]);
    expect(await found('四川省')).toEqual([ids.neijiang, ids['neijiang-again'], ids.leshan, ids.miyi].sort());
    expect(await found('甲市第3区')).toEqual([ids.jia]);
  });

  test('choosing a copy switches the one that counts, through the API and the page', async () => {
    const db = pipeline.runtime().db;
    const counted = async () => (await db.selectFrom('counted_reports').select(['document_id', 'chosen_by_operator']).where('agency_key', '=', '511002:政府').execute());
    expect(await counted()).toEqual([{ document_id: ids['neijiang-again'], chosen_by_operator: false }]);

    const copies = await app.inject({ url: `/api/documents/${ids.neijiang}/copies`, headers: operator });
    expect(copies.statusCode).toBe(200);
    expect(copies.json().map((copy: { documentId: string; counted: boolean }) => [copy.documentId, copy.counted])).toEqual([
      [ids['neijiang-again'], true],
      [ids.neijiang, false],
    ]);
    const page = await app.inject({ url: `/documents/${ids.neijiang}`, headers: operator });
    expect(page.body).toContain('以此份为准');
    expect(page.body).toContain(`action="/documents/${ids.neijiang}/count"`);

    const anonymous = await app.inject({ method: 'POST', url: `/api/documents/${ids.neijiang}/count` });
    expect(anonymous.statusCode).toBe(401);
    const chosen = await app.inject({ method: 'POST', url: `/api/documents/${ids.neijiang}/count`, headers: operator });
    expect(chosen.statusCode).toBe(200);
    expect(await counted()).toEqual([{ document_id: ids.neijiang, chosen_by_operator: true }]);
    expect((await reportCopies(db, ids.neijiang!))[0]).toMatchObject({ documentId: ids.neijiang, counted: true, chosenBy: 'token' });
    // The other city's 市中区 is untouched.
    expect(await db.selectFrom('counted_reports').select('document_id').where('agency_key', '=', '511102:政府').execute()).toEqual([{ document_id: ids.leshan }]);
    const audit = await db.selectFrom('audit_log').select('detail').where('action', 'like', '%count%').execute();
    expect(audit.map((entry) => entry.detail)).toContainEqual(expect.objectContaining({ documentId: ids.neijiang, year: 2021, chosenBy: 'token' }));

    const submissions = await app.inject({ url: '/submissions', headers: operator });
    expect(submissions.body).toContain('内江市市中区人民政府');
    expect(submissions.body).toContain('乐山市市中区人民政府');
    expect(submissions.body).toContain('共 2 份，1 份不计');
    const matrix = (await app.inject({ url: '/api/submissions', headers: operator })).json();
    const neijiang = matrix.agencies.find((row: { key: string }) => row.key === '511002:政府');
    expect(neijiang).toMatchObject({ city: '内江市', county: '市中区', byYear: { 2021: { documents: 2, countedDocumentId: ids.neijiang, chosenByOperator: true } } });
  });
});

describe('the submissions page', () => {
  test('rows grouped by city, numbered districts in reading order, expected agencies without a report missing', () => {
    const row = (agency: string, placed: Partial<SubmissionsRow>, expected = false): SubmissionsRow => ({
      key: agency,
      agency,
      divisionCode: null,
      province: null,
      city: null,
      county: null,
      ...placed,
      expected,
      byYear: expected ? {} : { 2021: { state: 'published', documents: 1, countedDocumentId: '00000000-0000-0000-0000-000000000000', chosenByOperator: false } },
    });
    const matrix: SubmissionsMatrix = {
      years: [2021],
      agencies: [
        row('甲市第100区人民政府', {}),
        row('乐山市市中区人民政府', { divisionCode: '511102', province: '四川省', city: '乐山市', county: '市中区' }),
        row('甲市第10区人民政府', {}),
        row('内江市市中区人民政府', { divisionCode: '511002', province: '四川省', city: '内江市', county: '市中区' }, true),
        row('甲市第9区人民政府', {}),
      ],
      unattributed: [],
    };
    const page = submissionsView(matrix, true, 'zh-CN').text;
    const order = ['内江市市中区人民政府', '乐山市市中区人民政府', '甲市第9区人民政府', '甲市第10区人民政府', '甲市第100区人民政府'].map((name) => page.indexOf(`>${name}</a>`));
    expect(order.every((position, index) => position > 0 && (index === 0 || position > order[index - 1]!))).toBe(true);
    expect(page).toContain('data-city="内江市"');
    expect(page).toContain('未报送');
    expect(page).toContain('应报未报 1 份');
    expect(submissionsView(matrix, true, 'en').text).toContain('missing');
  });
});

describe('migration 006', () => {
  const schema = `gktest_places_${process.pid}`;
  let db: Kysely<Database>;

  beforeAll(async () => {
    const setup = new Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
    await setup.query(`create schema if not exists ${schema}`);
    await setup.end();
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new Pool({ connectionString: TEST_DATABASE_URL, max: 2, options: `-c search_path=${schema}` }) }) });
  });

  afterAll(async () => {
    await db?.destroy();
    await dropSchema(TEST_DATABASE_URL, schema);
  });

  test('re-keys reports written in the old shape: same-named districts of different cities no longer merge', async () => {
    const migrator = new Migrator({ db, provider: migrationProvider, migrationTableSchema: schema });
    expect((await migrator.migrateTo('005_counted_reports')).error).toBeUndefined();
    // The old key dropped the city (and cut 市中区 to 中区): both districts and both 第3区 shared one.
    const old = [
      { agency: '内江市市中区人民政府', key: '中区政府', title: null },
      { agency: '乐山市市中区人民政府', key: '中区政府', title: null },
      { agency: '市中区人民政府', key: '中区政府', title: '乐山市市中区人民政府2021年政府信息公开工作年度报告' },
      { agency: '甲市第3区人民政府', key: '第3区政府', title: null },
      { agency: '乙市第3区人民政府', key: '第3区政府', title: null },
    ];
    const documentIds: string[] = [];
    for (const [index, report] of old.entries()) {
      const { id } = await db
        .insertInto('documents')
        .values({ sha256: String(index).repeat(64), file_name: `${index}.txt`, size_bytes: 1, status: 'published', current_stage: 'publish' })
        .returning('id')
        .executeTakeFirstOrThrow();
      documentIds.push(id);
      await sql`insert into reports (document_id, schema_version, agency, agency_key, year, template, script, published_on, record, round, pipeline_version)
        values (${id}, 1, ${report.agency}, ${report.key}, 2021, '2021', 'simplified', null, ${JSON.stringify({ meta: { agency: report.agency, title: report.title } })}, 1, 1)`.execute(db);
    }
    expect((await sql<{ n: number }>`select count(*)::int as n from counted_reports`.execute(db)).rows[0]!.n).toBe(2);

    expect((await migrator.migrateTo('006_places')).error).toBeUndefined();
    const rows = await db.selectFrom('reports').select(['document_id', 'agency_key', 'division_code', 'agency_full_name']).execute();
    const byDocument = new Map(rows.map((row) => [row.document_id, row]));
    expect(documentIds.map((id) => byDocument.get(id)!.agency_key)).toEqual(['511002:政府', '511102:政府', '511102:政府', '甲市第3区政府', '乙市第3区政府']);
    expect(byDocument.get(documentIds[2]!)).toMatchObject({ division_code: '511102', agency_full_name: '乐山市市中区人民政府' });
    // Four agencies now: 内江's, 乐山's (two copies, one counts), 甲市's and 乙市's 第3区.
    expect((await sql<{ n: number }>`select count(*)::int as n from counted_reports`.execute(db)).rows[0]!.n).toBe(4);
    const indexes = await sql<{ indexname: string }>`select indexname from pg_indexes where schemaname = ${schema} and tablename = 'reports'`.execute(db);
    expect(indexes.rows.map((row) => row.indexname)).toEqual(expect.arrayContaining(['reports_agency_year_idx', 'reports_division_idx']));
  });
});
