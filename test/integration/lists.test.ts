/**
 * The documents list as users asked for it: names with numbers sorted as numbers (第10区 before
 * 第100区) on Postgres and on embedded PGlite, page numbers and totals, filters by finding rule,
 * severity and "has errors", Chinese by default and English with ?lang=en, times in Beijing time,
 * findings in the page's language; the dead letters and batches lists paged by the same pager.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { searchDocuments, type DocumentSearch } from '../../shared/db/browse';
import { openDatabase, type DatabaseHandle } from '../../shared/db/connect';
import { submitDocument } from '../../shared/db/documents';
import type { Database } from '../../shared/db/schema';
import type { Finding } from '../../shared/record';
import { buildWebServer } from '../../web/server';
import { craftedReport, publishCrafted } from '../support/crafted-reports';
import { createTestEnvironment, type TestEnvironment } from '../support/environment';
import { pipelineUnderTest } from '../support/pipeline';

jest.setTimeout(60_000);

const BALANCE: Finding = {
  rule: 'APPLICATIONS_BALANCE',
  severity: 'error',
  message: '总计栏：一、本年新收政府信息公开申请数量 12 + 二、上年结转政府信息公开申请数量 0 = 12 ≠ (七)总计 11 + 四、结转下年度继续办理 0 = 11',
  messageEn: 'newReceived 12 + carriedOver 0 = 12 but totalHandled 11 + carriedForward 0 = 11 in column total',
  cells: ['applications.newReceived.total'],
};
const SECTION: Finding = { rule: 'SECTION_MISSING', severity: 'warning', message: '缺少第五部分“五、存在的主要问题及改进情况”', messageEn: 'section 五、存在的主要问题及改进情况 is absent', cells: [] };
const TAMPERED: Finding = { rule: 'CONTENT_TAMPERING', severity: 'critical', message: '标题中有被植入的内容：赌博广告“博彩”', messageEn: 'injected content in the title: gambling spam "博彩"', cells: ['meta.title'] };

/** Districts whose names sort wrongly as plain text (第100区 < 第10区 < 第2区), with their findings. */
const DISTRICTS: Array<{ name: string; year: number; findings: Finding[] }> = [
  { name: '第100区', year: 2021, findings: [BALANCE, SECTION] },
  { name: '第10区', year: 2022, findings: [SECTION] },
  { name: '第2区', year: 2020, findings: [] },
  { name: '第9区', year: 2021, findings: [TAMPERED, BALANCE, BALANCE] },
];

async function publishDistricts(db: Kysely<Database>): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const [index, district] of DISTRICTS.entries()) {
    const parsed = craftedReport('2021', `${district.name}人民政府`, district.year, { 'applications.newReceived.total': 12 });
    ids.set(district.name, await publishCrafted(db, `${district.name}2021年报.txt`, parsed, { findings: district.findings, minutesAgo: index }));
  }
  return ids;
}

const fileNames = async (db: Kysely<Database>, search: Partial<DocumentSearch>) =>
  (await searchDocuments(db, { limit: 50, offset: 0, ...search })).rows.map((row) => row.fileName);

describe('the documents list on Postgres', () => {
  const pipeline = pipelineUnderTest({}, { startWorkers: false });
  const db = () => pipeline.runtime().db;
  let app: FastifyInstance;
  let ids: Map<string, string>;
  let queued: string;

  beforeAll(async () => {
    ids = await publishDistricts(db());
    // Never parsed: no agency, no year, no findings.
    queued = (await submitDocument(db(), { sha256: 'f'.repeat(64), fileName: '第1区.txt', sizeBytes: 1, pipelineVersion: 1 })).document.id;
    // 16:30 UTC is half past midnight the next day in Beijing.
    await db().updateTable('documents').set({ updated_at: new Date('2026-12-01T16:30:00Z') }).where('id', '=', ids.get('第10区')!).execute();
    app = await buildWebServer(pipeline.runtime());
  });

  afterAll(async () => {
    await app?.close();
  });

  test('file names and agencies sort with their numbers as numbers, both ways; an unknown agency comes last', async () => {
    const natural = ['第1区.txt', '第2区2021年报.txt', '第9区2021年报.txt', '第10区2021年报.txt', '第100区2021年报.txt'];
    expect(await fileNames(db(), { sort: 'fileName', direction: 'asc' })).toEqual(natural);
    expect(await fileNames(db(), { sort: 'fileName', direction: 'desc' })).toEqual([...natural].reverse());
    const agencies = (await searchDocuments(db(), { limit: 50, offset: 0, sort: 'agency', direction: 'asc' })).rows.map((row) => row.agency);
    expect(agencies).toEqual(['第2区人民政府', '第9区人民政府', '第10区人民政府', '第100区人民政府', null]);
  });

  test('year, errors and status sort; ties fall back to the file name', async () => {
    expect(await fileNames(db(), { sort: 'year', direction: 'desc' })).toEqual([
      '第10区2021年报.txt',
      '第9区2021年报.txt',
      '第100区2021年报.txt',
      '第2区2021年报.txt',
      '第1区.txt',
    ]);
    // Error and critical findings counted: 第9区 has three, 第100区 one.
    expect((await fileNames(db(), { sort: 'errors' })).slice(0, 2)).toEqual(['第9区2021年报.txt', '第100区2021年报.txt']);
    expect((await fileNames(db(), { sort: 'status', direction: 'asc' }))[0]).toBe('第1区.txt');
  });

  test('pages of a given size, with the total of all matches', async () => {
    const second = await searchDocuments(db(), { limit: 2, offset: 2, sort: 'fileName', direction: 'asc' });
    expect(second.total).toBe(5);
    expect(second.rows.map((row) => row.fileName)).toEqual(['第9区2021年报.txt', '第10区2021年报.txt']);
    const api = await app.inject({ url: '/api/documents?sort=fileName&dir=asc&limit=2&page=3' });
    expect(api.statusCode).toBe(200);
    expect(api.json()).toMatchObject({ total: 5, rows: [{ fileName: '第100区2021年报.txt' }] });
  });

  test('filters by finding rule, by severity and by having errors, alone or with the others', async () => {
    expect(await fileNames(db(), { rule: 'APPLICATIONS_BALANCE', sort: 'fileName' })).toEqual(['第9区2021年报.txt', '第100区2021年报.txt']);
    expect(await fileNames(db(), { severity: 'warning', sort: 'fileName' })).toEqual(['第10区2021年报.txt', '第100区2021年报.txt']);
    expect(await fileNames(db(), { severity: 'critical' })).toEqual(['第9区2021年报.txt']);
    expect(await fileNames(db(), { hasErrors: true, sort: 'fileName' })).toEqual(['第9区2021年报.txt', '第100区2021年报.txt']);
    expect(await fileNames(db(), { hasErrors: true, year: 2021, rule: 'SECTION_MISSING' })).toEqual(['第100区2021年报.txt']);
    const api = (await app.inject({ url: '/api/documents?hasErrors=true&rule=CONTENT_TAMPERING' })).json();
    expect(api).toMatchObject({ total: 1, rows: [{ id: ids.get('第9区'), critical: 1, errors: 2 }] });
    expect((await app.inject({ url: '/api/documents?severity=bogus' })).statusCode).toBe(400);
  });

  test('the page is Chinese by default and English with ?lang=en; times are Beijing time', async () => {
    const chinese = await app.inject({ url: '/documents?sort=fileName&limit=2' });
    expect(chinese.statusCode).toBe(200);
    expect(chinese.body).toContain('<html lang="zh-CN">');
    expect(chinese.body).toContain('第 1 / 3 页');
    expect(chinese.body).toContain('共 5 份文档');
    // The select offers the rules that occur, by their Chinese names.
    expect(chinese.body).toContain('<option value="CONTENT_TAMPERING">内容被篡改 (CONTENT_TAMPERING)</option>');
    expect(chinese.body).not.toContain('value="VALUE_DOMAIN"');
    expect(chinese.body.indexOf('第1区.txt')).toBeLessThan(chinese.body.indexOf('第2区2021年报.txt'));
    expect(chinese.body).toContain('<span class="status queued">排队中</span>');

    const tenth = await app.inject({ url: `/documents?file=${encodeURIComponent('第10区')}` });
    expect(tenth.body).toContain('2026-12-02 00:30:00');
    expect(tenth.body).not.toContain('2026-12-01T16:30');
    expect(tenth.body).toContain('<span class="status published">已发布</span>');

    const english = await app.inject({ url: '/documents?sort=fileName&limit=2&lang=en' });
    expect(english.body).toContain('<html lang="en">');
    expect(english.body).toContain('Page 1 of 3');
    expect(english.body).toContain('<span class="status queued">queued</span>');
    expect(english.body).not.toContain('排队中');

    const document = await app.inject({ url: `/documents/${queued}` });
    expect(document.body).toContain('<dt>提交时间</dt>');
    expect(document.body).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
  });

  test('publish stores both languages; the report page shows the page’s one, and an older English-only finding as stored', async () => {
    const stored = await db().selectFrom('findings').select(['message', 'message_en']).where('document_id', '=', ids.get('第100区')!).where('rule', '=', 'APPLICATIONS_BALANCE').executeTakeFirstOrThrow();
    expect(stored).toEqual({ message: BALANCE.message, message_en: BALANCE.messageEn });

    const chinese = (await app.inject({ url: `/documents/${ids.get('第100区')}/report` })).body;
    expect(chinese).toContain(`<div class="message">${BALANCE.message}</div>`);
    expect(chinese).toContain('申请数量收支不平衡');
    const english = (await app.inject({ url: `/documents/${ids.get('第100区')}/report?lang=en` })).body;
    expect(english).toContain(`<div class="message">${BALANCE.messageEn}</div>`);
    expect(english).not.toContain(BALANCE.message);

    const older = craftedReport('2021', '第3区人民政府', 2019, {});
    const olderId = await publishCrafted(db(), '第3区2019年报.txt', older, { findings: [{ ...SECTION, message: 'section 五 is absent', messageEn: undefined }] });
    expect((await db().selectFrom('findings').select('message_en').where('document_id', '=', olderId).executeTakeFirstOrThrow()).message_en).toBeNull();
    expect((await app.inject({ url: `/documents/${olderId}/report` })).body).toContain('<div class="message">section 五 is absent</div>');
  });
});

describe('the documents list on embedded PGlite', () => {
  let environment: TestEnvironment;
  let database: DatabaseHandle;

  beforeAll(async () => {
    environment = createTestEnvironment({}, { embeddedDatabase: true });
    database = await openDatabase(environment.config);
  });

  afterAll(async () => {
    await database?.close();
    await environment?.cleanup();
  });

  test('sorts 第10区 before 第100区 too, and filters the same', async () => {
    expect(database.kind).toBe('embedded');
    await publishDistricts(database.db);
    expect(await fileNames(database.db, { sort: 'fileName', direction: 'asc' })).toEqual(['第2区2021年报.txt', '第9区2021年报.txt', '第10区2021年报.txt', '第100区2021年报.txt']);
    expect(await fileNames(database.db, { hasErrors: true, sort: 'agency', direction: 'desc' })).toEqual(['第100区2021年报.txt', '第9区2021年报.txt']);
  });
});

describe('the dead letters page pages, sorts and keeps its filters', () => {
  const pipeline = pipelineUnderTest({}, { startWorkers: false });
  const db = () => pipeline.runtime().db;
  let app: FastifyInstance;
  const LETTERS = 240;

  /** The file names of the letters a page lists, in its order. */
  const listed = (body: string) => [...body.matchAll(/<tr id="[^"]+" data-document="[^"]+" data-code="[^"]+"><td><a href="\/documents\/[^"]+">([^<]+)<\/a>/g)].map((match) => match[1]);

  beforeAll(async () => {
    // 第1区 … 第240区, failed at parse (odd) or ingest (even); the higher the number, the older the letter.
    const numbers = Array.from({ length: LETTERS }, (_, index) => index + 1);
    const documents = await db()
      .insertInto('documents')
      .values(numbers.map((number) => ({ sha256: number.toString(16).padStart(64, '0'), file_name: `第${number}区.txt`, size_bytes: 1, status: 'dead_lettered', current_stage: number % 2 ? 'parse' : 'ingest', media_type: null, error: null })))
      .returning(['id', 'file_name'])
      .execute();
    await db()
      .insertInto('dead_letters')
      .values(
        documents.map((document) => {
          const number = Number(/\d+/.exec(document.file_name)![0]);
          return {
            document_id: document.id,
            stage: number % 2 ? 'parse' : 'ingest',
            round: 0,
            error_code: number % 2 ? 'TRANSIENT' : 'CORRUPT_FILE',
            message: 'failed',
            stack: null,
            attempts: '[]',
            payload: '{}',
            created_at: new Date(Date.UTC(2026, 11, 1) - number * 60_000),
          };
        }),
      )
      .execute();
    app = await buildWebServer(pipeline.runtime());
  });

  afterAll(async () => {
    await app?.close();
  });

  test('oldest first, a page at a time, with the total counted', async () => {
    const first = (await app.inject({ url: '/dead-letters' })).body;
    expect(first).toContain(`共 ${LETTERS} 个未处理的死信`);
    expect(first).toContain('第 1 / 3 页');
    expect(first).toContain(`筛选出 ${LETTERS} 个，显示第 1–100 个`);
    expect(listed(first)).toHaveLength(100);
    expect(listed(first).slice(0, 2)).toEqual(['第240区.txt', '第239区.txt']);
    expect(first).toContain('<a href="/dead-letters?offset=100" rel="next" data-page="2">下一页 ›</a>');

    const last = (await app.inject({ url: '/dead-letters?offset=200' })).body;
    expect(last).toContain('第 3 / 3 页');
    expect(listed(last)).toHaveLength(40);
    expect(listed(last).at(-1)).toBe('第1区.txt');
    expect(last).toContain('<span class="muted">下一页 ›</span>');
  });

  test('by file name with numbers as numbers; the stage filter and the order stay in the page links', async () => {
    const parse = (await app.inject({ url: '/dead-letters?stage=parse&sort=fileName' })).body;
    expect(parse).toContain('第 1 / 2 页');
    expect(parse).toContain(`筛选出 ${LETTERS / 2} 个`);
    expect(listed(parse).slice(0, 6)).toEqual(['第1区.txt', '第3区.txt', '第5区.txt', '第7区.txt', '第9区.txt', '第11区.txt']);
    expect(parse).toContain('<a href="/dead-letters?stage=parse&amp;sort=fileName&amp;offset=100" rel="next" data-page="2">下一页 ›</a>');
    // A second click on the current column turns it around.
    expect(parse).toContain('data-sort="fileName" href="/dead-letters?stage=parse&amp;sort=fileName&amp;dir=desc"');

    const second = (await app.inject({ url: '/dead-letters?stage=parse&sort=fileName&offset=100' })).body;
    expect(listed(second)).toHaveLength(20);
    expect(listed(second).at(-1)).toBe('第239区.txt');

    const byCode = (await app.inject({ url: '/dead-letters?errorCode=CORRUPT_FILE&sort=fileName&dir=desc&lang=en' })).body;
    expect(byCode).toContain('Page 1 of 2');
    expect(listed(byCode)[0]).toBe('第240区.txt');
    expect(byCode).toContain('<a href="/dead-letters?errorCode=CORRUPT_FILE&amp;sort=fileName&amp;dir=desc&amp;offset=100" data-page="2">Last »</a>');
  });

  test('the batches list pages too, newest first', async () => {
    const batches = Array.from({ length: 51 }, (_, index) => ({ created_by: 'li', refused: '[]', created_at: new Date(Date.UTC(2026, 11, 1, 0, index)) }));
    await db().insertInto('upload_batches').values(batches).execute();
    const first = (await app.inject({ url: '/batches' })).body;
    expect(first).toContain('第 1 / 2 页');
    expect(first.match(/<tr data-batch=/g)).toHaveLength(50);
    expect(first).toContain('2026-12-01 08:50:00');
    const second = (await app.inject({ url: '/batches?offset=50' })).body;
    expect(second).toContain('第 2 / 2 页');
    expect(second.match(/<tr data-batch=/g)).toHaveLength(1);
    expect(second).toContain('2026-12-01 08:00:00');
  });
});
