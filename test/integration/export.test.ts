/**
 * Cell and finding exports of published documents: official Chinese names, each value's findings,
 * which copy of an agency-year counts, place and filters, exact numbers, the CSV formula guard, and
 * streaming (every row of a large export, over several sheets; embedded Postgres's cursor).
 */
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { PGlite } from '@electric-sql/pglite';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { Kysely, sql } from 'kysely';
import { waitForDocuments } from '../../cli/wait';
import { PgliteDialect } from '../../shared/db/pglite-dialect';
import { appendCells as writeCellsFrom, type PublishedCell } from '../../shared/db/reports';
import { divisionByCode } from '../../shared/divisions';
import { submitFile } from '../../shared/submissions';
import { CELL_COLUMNS, exportRows, exportStream, writeXlsx, type CellExportRow, type ExportFilter, type ExportJob, type FindingExportRow } from '../../web/export';
import { buildWebServer } from '../../web/server';
import { SAMPLES_DIR } from '../support/environment';
import { pipelineUnderTest } from '../support/pipeline';

jest.setTimeout(120_000);

const VIEWER = 'viewer-credential-for-export-test';
const viewer = { authorization: `Bearer ${VIEWER}` };

const sample = (name: string, suffix = '') => ({ bytes: Buffer.concat([fs.readFileSync(path.join(SAMPLES_DIR, name)), Buffer.from(suffix)]), fileName: name });
const ZHANHE = '001_8775b43b601402e9.txt';
const YANZHOU = '002_75831f4e612adbeb.txt';
const MIYI = '003_6f6c780c05ed1855.txt';
/** 米易县's report again, a later submission of the same agency and year: the copy that counts. */
const MIYI_AGAIN = '003-again.txt';

async function collect<T>(batches: AsyncIterable<T[]>): Promise<T[]> {
  const rows: T[] = [];
  for await (const batch of batches) rows.push(...batch);
  return rows;
}

/** CSV text split into rows of fields (RFC 4180 quoting), without the BOM. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = text.startsWith('\uFEFF') ? 1 : 0; index < text.length; index++) {
    const character = text[index];
    if (quoted && character === '"' && text[index + 1] === '"') {
      field += '"';
      index++;
    } else if (character === '"') {
      quoted = !quoted;
    } else if (quoted) {
      field += character;
    } else if (character === ',') {
      row.push(field);
      field = '';
    } else if (character === '\r' && text[index + 1] === '\n') {
      rows.push([...row, field]);
      row = [];
      field = '';
      index++;
    } else {
      field += character;
    }
  }
  return rows;
}

describe('exports', () => {
  const pipeline = pipelineUnderTest({ GONGKAI_VIEWER_TOKEN: VIEWER });
  const db = () => pipeline.runtime().db;
  /** Adds crafted cells after a published document's own. */
  const appendCells = (documentId: string, added: PublishedCell[]) =>
    db()
      .transaction()
      .execute(async (trx) => {
        const { next } = await trx.selectFrom('cell_values').select((eb) => eb.fn.coalesce(eb(eb.fn.max('position'), '+', 1), eb.lit(0)).as('next')).where('document_id', '=', documentId).executeTakeFirstOrThrow();
        await writeCellsFrom(trx, documentId, added, Number(next));
      });
  const ids = new Map<string, string>();
  let app: FastifyInstance;
  const cells = (filter: Partial<ExportFilter> = {}) => collect(exportRows(db(), 'cells', { countedOnly: false, ...filter }));
  const findings = (filter: Partial<ExportFilter> = {}) => collect(exportRows(db(), 'findings', { countedOnly: false, ...filter }));
  const documentsOf = (rows: Array<{ document: { documentId: string } }>) => new Set(rows.map((row) => row.document.documentId));

  beforeAll(async () => {
    for (const name of [ZHANHE, YANZHOU, MIYI]) ids.set(name, (await submitFile(pipeline.runtime(), sample(name))).documentId);
    expect(await waitForDocuments(db(), [...ids.values()], { timeoutMs: 60_000, quiet: true })).toMatchObject({ published: 3 });
    // Submitted later, so it is the copy that counts (counted_reports: the newest submission).
    const again = await submitFile(pipeline.runtime(), { ...sample(MIYI, '\n副本\n'), fileName: MIYI_AGAIN });
    ids.set(MIYI_AGAIN, again.documentId);
    expect(await waitForDocuments(db(), [again.documentId], { timeoutMs: 60_000, quiet: true })).toMatchObject({ published: 1 });
    app = await buildWebServer(pipeline.runtime());
  });

  afterAll(async () => {
    await app?.close();
  });

  test('the samples are placed where the region filters below expect them', async () => {
    const reports = await db().selectFrom('reports').select(['document_id', 'agency', 'year', 'division_code']).execute();
    const byId = new Map(reports.map((report) => [report.document_id, report]));
    expect(byId.get(ids.get(ZHANHE)!)).toMatchObject({ agency: '湛河区城市管理局', year: 2021, division_code: '410411' });
    expect(byId.get(ids.get(YANZHOU)!)).toMatchObject({ agency: '兖州区城市管理行政执法局', year: 2017, division_code: '370812' });
    expect(byId.get(ids.get(MIYI)!)).toMatchObject({ agency: '米易县人民政府', year: 2021, division_code: '510421' });
  });

  test('every cell of every published document is exported once, named as the template names it, the place spelled out', async () => {
    const stored = await db().selectFrom('cells').select(['document_id', 'raw', 'value']).execute();
    const exported = await cells();
    expect(exported.map((row) => JSON.stringify([row.document.documentId, row.raw, row.value])).sort()).toEqual(
      stored.map((cell) => JSON.stringify([cell.document_id, cell.raw, cell.value])).sort(),
    );
    const received = exported.find((row) => row.document.documentId === ids.get(MIYI) && row.cellKey === 'applications.newReceived.naturalPerson')!;
    expect(received).toMatchObject({
      table: '三、收到和处理政府信息公开申请情况',
      row: '一、本年新收政府信息公开申请数量',
      column: '自然人',
      document: { agency: '米易县人民政府', year: 2021, template: '2021', divisionCode: '510421', province: '四川省', city: '攀枝花市', county: '米易县' },
    });
    const denied = exported.find((row) => row.document.documentId === ids.get(MIYI) && row.cellKey === 'applications.denied.stateSecret.total')!;
    expect(denied).toMatchObject({ row: '(三)不予公开 1.属于国家秘密', column: '总计' });
    const legacy = exported.filter((row) => row.document.documentId === ids.get(YANZHOU));
    expect(legacy.length).toBeGreaterThan(0);
    expect(legacy.every((row) => row.table === '政府信息公开工作情况统计表' && row.cellKey.startsWith('legacy.') && !row.row.includes('.'))).toBe(true);
    // Numbers stay Postgres numeric text: never a float on the way.
    expect(exported.every((row) => row.value === null || typeof row.value === 'string')).toBe(true);
  });

  test('each value carries the findings that name its cell, and no other', async () => {
    const miyi = ids.get(MIYI)!;
    await db()
      .insertInto('findings')
      .values({
        document_id: miyi,
        rule: 'APPLICATIONS_BALANCE',
        severity: 'error',
        message: '收支不平衡（测试）',
        message_en: 'does not balance (test)',
        cells: JSON.stringify(['applications.newReceived.naturalPerson', 'applications.totalHandled.naturalPerson']),
      })
      .execute();
    const exported = (await cells()).filter((row) => row.document.documentId === miyi);
    const named = exported.filter((row) => row.findings.some((finding) => finding.message === '收支不平衡（测试）'));
    expect(named.map((row) => row.cellKey).sort()).toEqual(['applications.newReceived.naturalPerson', 'applications.totalHandled.naturalPerson']);
    expect(named[0].findings).toContainEqual({ rule: 'APPLICATIONS_BALANCE', message: '收支不平衡（测试）', messageEn: 'does not balance (test)' });

    const csv = await app.inject({ url: '/api/export/cells.csv?region=510421', headers: viewer });
    const [header, ...rows] = parseCsv(csv.body);
    const column = (name: string) => header.indexOf(name);
    const row = rows.find((fields) => fields[column('文档编号')] === miyi && fields[column('单元格键')] === 'applications.newReceived.naturalPerson');
    // 米易县's first copy does not count, so the default export has none of its rows.
    expect(row).toBeUndefined();
    const all = parseCsv((await app.inject({ url: '/api/export/cells.csv?region=510421&counted=0', headers: viewer })).body);
    const withFinding = all.find((fields) => fields[column('文档编号')] === miyi && fields[column('单元格键')] === 'applications.newReceived.naturalPerson')!;
    expect(withFinding[column('问题规则')]).toBe('APPLICATIONS_BALANCE');
    expect(withFinding[column('问题')]).toContain('收支不平衡（测试）');
  });

  test('two copies of one agency-year: only the one that counts by default; with every copy, the other points to it', async () => {
    const [first, again] = [ids.get(MIYI)!, ids.get(MIYI_AGAIN)!];
    expect(documentsOf(await cells({ countedOnly: true, year: 2021 }))).toEqual(new Set([ids.get(ZHANHE), again]));
    const everyCopy = await cells({ region: divisionByCode('510421') });
    expect(documentsOf(everyCopy)).toEqual(new Set([first, again]));
    expect(everyCopy.find((row) => row.document.documentId === again)!.document).toMatchObject({ counted: true, countedCopy: null });
    expect(everyCopy.find((row) => row.document.documentId === first)!.document).toMatchObject({ counted: false, countedCopy: again });

    const csv = parseCsv((await app.inject({ url: '/api/export/cells.csv?counted=0&region=510421', headers: viewer })).body);
    const [header, ...rows] = csv;
    expect(header.slice(0, 8)).toEqual(['机关', '年度', '省', '市', '县', '行政区划代码', '是否计入', '计入的副本']);
    const counted = (id: string) => rows.filter((row) => row[header.indexOf('文档编号')] === id).map((row) => [row[header.indexOf('是否计入')], row[header.indexOf('计入的副本')]]);
    expect(new Set(counted(first).map(String))).toEqual(new Set([`否,${again}`]));
    expect(new Set(counted(again).map(String))).toEqual(new Set(['是,']));
  });

  test('filters: year, region (a division and every division within it, by code or by a name only one division has)', async () => {
    const counted = (filter: Partial<ExportFilter>) => cells({ countedOnly: true, ...filter }).then(documentsOf);
    expect(await counted({ year: 2017 })).toEqual(new Set([ids.get(YANZHOU)]));
    expect(await counted({ year: 1999 })).toEqual(new Set());
    const region = async (query: string) => {
      const response = await app.inject({ url: `/api/export/cells.csv?${query}`, headers: viewer });
      expect(response.statusCode).toBe(200);
      const [header, ...rows] = parseCsv(response.body);
      return new Set(rows.map((row) => row[header.indexOf('文档编号')]));
    };
    expect(await region('region=510000')).toEqual(new Set([ids.get(MIYI_AGAIN)]));
    expect(await region('region=510400')).toEqual(new Set([ids.get(MIYI_AGAIN)]));
    expect(await region(`region=${encodeURIComponent('攀枝花市')}`)).toEqual(new Set([ids.get(MIYI_AGAIN)]));
    expect(await region('region=410000')).toEqual(new Set([ids.get(ZHANHE)]));
    expect(await region('region=410000&year=2017')).toEqual(new Set());
    expect((await app.inject({ url: '/api/export/cells.csv?region=999999', headers: viewer })).statusCode).toBe(400);
    // 市中区 is a district of four cities: no single division.
    expect((await app.inject({ url: `/api/export/cells.csv?region=${encodeURIComponent('市中区')}`, headers: viewer })).statusCode).toBe(400);
  });

  test('findings are exported as the findings table holds them, with the cells they name by their Chinese names', async () => {
    const stored = await db().selectFrom('findings').select(['document_id', 'rule', 'message', 'cells']).execute();
    const exported: FindingExportRow[] = await findings();
    const key = (documentId: string, row: { rule: string; message: string; cells: string[] }) => JSON.stringify([documentId, row.rule, row.message, row.cells]);
    expect(exported.map((row) => key(row.document.documentId, row)).sort()).toEqual(stored.map((row) => key(row.document_id, row)).sort());
    const csv = parseCsv((await app.inject({ url: '/api/export/findings.csv?counted=0&region=510421', headers: viewer })).body);
    const [header, ...rows] = csv;
    const test = rows.find((row) => row[header.indexOf('说明')] === '收支不平衡（测试）')!;
    expect(test[header.indexOf('严重程度')]).toBe('错误');
    expect(test[header.indexOf('涉及的单元格')]).toBe('一、本年新收政府信息公开申请数量·自然人；(七)总计·自然人');
  });

  test('headers are Chinese; English with ?lang=en, messages too', async () => {
    const zh = parseCsv((await app.inject({ url: '/api/export/cells.csv?region=510421', headers: viewer })).body)[0];
    expect(zh).toEqual(CELL_COLUMNS.map((column) => column.zh));
    expect(zh.slice(8, 15)).toEqual(['模板', '表', '行', '列', '数值', '原文', '单位']);
    const en = parseCsv((await app.inject({ url: '/api/export/findings.csv?region=510421&counted=0&lang=en', headers: viewer })).body);
    expect(en[0].slice(0, 3)).toEqual(['Agency', 'Year', 'Province']);
    expect(en.some((row) => row.includes('does not balance (test)') && row.includes('error'))).toBe(true);
  });

  test('numbers are exact, in CSV and workbook; text a spreadsheet would run is guarded in CSV', async () => {
    const yanzhou = ids.get(YANZHOU)!;
    await appendCells(yanzhou, [
      { table: 'legacy', rowKey: '=HYPERLINK("http://evil.example")', columnKey: 'value', value: '12345678901234567890.25', raw: '12345678901234567890.25', unit: null, provenance: { page: 1 } },
      { table: 'legacy', rowKey: '@SUM(A1)', columnKey: 'value', value: 3.25, raw: '-3.25', unit: '万元', provenance: { page: 1 } },
      { table: 'legacy', rowKey: '<b>&\u0001', columnKey: 'value', value: null, raw: '/', unit: null, provenance: { page: 1 } },
    ]);
    const response = await app.inject({ url: '/api/export/cells.csv?year=2017', headers: viewer });
    const text = response.body;
    expect(text).toContain(`'=HYPERLINK(""http://evil.example"")`);
    expect(text).toContain(`'@SUM(A1)`);
    const [header, ...rows] = parseCsv(text);
    const big = rows.find((row) => row[header.indexOf('行')] === `'=HYPERLINK("http://evil.example")`)!;
    expect(big[header.indexOf('数值')]).toBe('12345678901234567890.25');
    const amount = rows.find((row) => row[header.indexOf('行')] === `'@SUM(A1)`)!;
    // A negative number is a number, not a formula: no quote.
    expect([amount[header.indexOf('数值')], amount[header.indexOf('原文')]]).toEqual(['3.25', '-3.25']);

    const xlsx = await app.inject({ url: '/api/export/cells.xlsx?year=2017', headers: viewer });
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ExcelJS.Buffer);
    const sheet = workbook.worksheets[0];
    expect(sheet.name).toBe('单元格');
    expect(sheet.getRow(1).getCell(1).value).toBe('机关');
    expect(sheet.getRow(1).getCell(1).font).toMatchObject({ bold: true });
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const valueColumn = CELL_COLUMNS.findIndex((column) => column.zh === '数值') + 1;
    const rowColumn = CELL_COLUMNS.findIndex((column) => column.zh === '行') + 1;
    const valueOf = (label: string) => {
      for (let number = 2; number <= sheet.rowCount; number++) if (sheet.getRow(number).getCell(rowColumn).value === label) return sheet.getRow(number).getCell(valueColumn).value;
      throw new Error(`no row ${label}`);
    };
    // More digits than Excel keeps: text, every digit there. Fewer: a number.
    expect(valueOf('=HYPERLINK("http://evil.example")')).toBe('12345678901234567890.25');
    expect(valueOf('@SUM(A1)')).toBe(3.25);
    // Markup is text, and a character XML cannot hold is left out.
    expect(valueOf('<b>&')).toBeNull();
    expect(sheet.getColumn(CELL_COLUMNS.findIndex((column) => column.zh === '原文') + 1).values).toContain('/');
    expect(sheet.rowCount).toBe((await cells({ year: 2017, countedOnly: true })).length + 1);
  });

  test('a large export streams every row, in order, over as many sheets as it needs', async () => {
    const zhanhe = ids.get(ZHANHE)!;
    await appendCells(
      zhanhe,
      Array.from({ length: 12000 }, (_, index) => {
        const n = index + 1;
        return { table: 'legacy', rowKey: `bulk ${String(n).padStart(6, '0')}`, columnKey: 'value', value: n, raw: String(n), unit: null, provenance: { page: 1 } };
      }),
    );
    const filter: ExportFilter = { countedOnly: true, region: divisionByCode('410411') };
    const exported: CellExportRow[] = await cells(filter);
    const bulk = exported.filter((row) => row.row.startsWith('bulk '));
    expect(bulk.map((row) => row.value)).toEqual(Array.from({ length: 12000 }, (_, index) => String(index + 1)));

    const output = new PassThrough();
    const chunks: Buffer[] = [];
    output.on('data', (chunk: Buffer) => chunks.push(chunk));
    await Promise.all([writeXlsx(exportRows(db(), 'cells', filter), CELL_COLUMNS, 'zh-CN', '单元格', output, { rowsPerSheet: 5_000 }), new Promise((resolve) => output.on('end', resolve))]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.concat(chunks) as unknown as ExcelJS.Buffer);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['单元格', '单元格 2', '单元格 3']);
    expect(workbook.worksheets.reduce((sum, sheet) => sum + sheet.rowCount - 1, 0)).toBe(exported.length);
    expect(workbook.worksheets.every((sheet) => sheet.getRow(1).getCell(1).value === '机关')).toBe(true);
  });

  test('a download the client leaves stops: its thread ends and closes its cursor', async () => {
    const exportQueries = async () =>
      Number((await sql<{ count: string }>`select count(*) from pg_stat_activity where query like '%gongkai_natural_key(r.agency)%' and pid <> pg_backend_pid()`.execute(db())).rows[0].count);
    const body = exportStream(db(), pipeline.runtime().config, { kind: 'cells', format: 'csv', filter: { countedOnly: false }, locale: 'zh-CN' });
    try {
      // The header, then a first batch of rows; not read further, backpressure holds the thread with its cursor open.
      await new Promise<void>((resolve) => {
        let chunks = 0;
        body.on('data', () => {
          if (++chunks < 2) return;
          body.pause();
          resolve();
        });
      });
      expect(await exportQueries()).toBe(1);
    } finally {
      body.destroy();
    }
    const deadline = Date.now() + 10_000;
    while ((await exportQueries()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await exportQueries()).toBe(0);
  });

  test('without a Postgres server (embedded) the export is written in the server\'s thread, byte for byte the same', async () => {
    const job: ExportJob = { kind: 'cells', format: 'csv', filter: { countedOnly: false, year: 2021 }, locale: 'zh-CN' };
    const read = async (stream: NodeJS.ReadableStream) => {
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
      return Buffer.concat(chunks).toString('utf8');
    };
    const { config } = pipeline.runtime();
    const inThread = await read(exportStream(db(), config, job));
    const here = await read(exportStream(db(), { ...config, databaseUrl: null }, job));
    expect(here).toBe(inThread);
    expect(parseCsv(here).length).toBe((await cells({ year: 2021 })).length + 1);
  });

  test('the export page offers the years and the divisions in the data, counted copies only by default', async () => {
    const page = await app.inject({ url: '/export', headers: viewer });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('导出数据');
    expect(page.body).toContain('<option value="510421">\u3000\u3000米易县</option>');
    expect(page.body).toContain('<option value="510400">\u3000攀枝花市</option>');
    expect(page.body).toContain('<option value="510000">四川省</option>');
    expect(page.body).toMatch(/name="counted" value="1" checked/);
    expect((await app.inject({ url: '/export?lang=en', headers: viewer })).body).toContain('only the one that counts');
  });
});

describe('embedded Postgres streams through a cursor', () => {
  test('in batches, inside and outside a transaction, and gives the connection back when the reader stops early', async () => {
    const db = new Kysely<{ numbers: { n: number } }>({ dialect: new PgliteDialect(await PGlite.create()) });
    try {
      await sql`create table numbers as select n from generate_series(1, 1000) n`.execute(db);
      const query = db.selectFrom('numbers').select('n').where('n', '>', 10).orderBy('n');
      const batches: number[] = [];
      for await (const { rows } of db.getExecutor().stream(query.compile(), 300)) batches.push(rows.length);
      expect(batches).toEqual([300, 300, 300, 90]);
      const streamed: number[] = [];
      for await (const row of query.stream(100)) {
        streamed.push(row.n);
        if (streamed.length === 150) break;
      }
      expect(streamed).toEqual(Array.from({ length: 150 }, (_, index) => index + 11));
      // The early stop ended its transaction: the next statement runs, outside any transaction.
      expect((await sql<{ count: number }>`select count(*)::int as count from numbers`.execute(db)).rows[0].count).toBe(1000);
      const inTransaction = await db.transaction().execute(async (trx) => {
        const rows: number[] = [];
        for await (const row of trx.selectFrom('numbers').select('n').where('n', '<=', 5).orderBy('n').stream(2)) rows.push(row.n);
        await sql`insert into numbers values (0)`.execute(trx);
        return rows;
      });
      expect(inTransaction).toEqual([1, 2, 3, 4, 5]);
      expect((await sql<{ count: number }>`select count(*)::int as count from numbers`.execute(db)).rows[0].count).toBe(1001);
    } finally {
      await db.destroy();
    }
  });
});
