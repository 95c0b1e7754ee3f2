/** The web server over HTTP (fastify's inject) on the real pipeline: access control, secrets kept out of logs, uploads, imports, exports, health. */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { waitForDocuments } from '../../cli/wait';
import { loadConfig } from '../../shared/config';
import { buildWebServer } from '../../web/server';
import { SAMPLES_DIR } from '../support/environment';
import { pipelineUnderTest } from '../support/pipeline';

jest.setTimeout(90_000);

const OPERATOR = 'operator-credential-for-web-test';
const VIEWER = 'viewer-credential-for-web-test';
const ADMIN = { username: 'web-admin', password: 'web-admin-password' };
const operator = { authorization: `Bearer ${OPERATOR}` };
const viewer = { authorization: `Bearer ${VIEWER}` };

function multipart(files: Array<{ name: string; bytes: Buffer }>, fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  for (const file of files) form.append('files', new Blob([new Uint8Array(file.bytes)]), file.name);
  return form;
}

describe('gongkai serve', () => {
  const pipeline = pipelineUnderTest({
    GONGKAI_OPERATOR_TOKEN: OPERATOR,
    GONGKAI_VIEWER_TOKEN: VIEWER,
    GONGKAI_ADMIN_USER: ADMIN.username,
    GONGKAI_ADMIN_PASSWORD: ADMIN.password,
    GONGKAI_EXPECTED_AGENCIES: path.join(__dirname, '../browser/expected-agencies.csv'),
  });
  let app: FastifyInstance;
  const logLines: string[] = [];
  let published: string;

  beforeAll(async () => {
    const logStream = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    app = await buildWebServer(pipeline.runtime(), { logger: { level: 'info', stream: logStream } });
    const bytes = fs.readFileSync(path.join(SAMPLES_DIR, '003_6f6c780c05ed1855.txt'));
    const response = await app.inject({ method: 'POST', url: '/api/documents', headers: operator, payload: multipart([{ name: '003.txt', bytes }]) });
    expect(response.statusCode).toBe(200);
    published = response.json().submissions[0].documentId;
    await waitForDocuments(pipeline.runtime().db, [published], { timeoutMs: 60_000, quiet: true });
  });

  afterAll(async () => {
    await app?.close();
  });

  test('viewing needs a credential when a viewer credential is set; pages send the browser to sign in', async () => {
    expect((await app.inject({ url: '/api/documents' })).statusCode).toBe(401);
    const page = await app.inject({ url: '/documents', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toMatch(/^\/login\?next=%2Fdocuments/);
    expect((await app.inject({ url: '/api/documents', headers: viewer })).json()).toMatchObject({ total: 1, rows: [{ id: published, status: 'published' }] });
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready' });
  });

  test('actions need the operator: a viewer is refused, an unknown token is anonymous', async () => {
    const upload = () => multipart([{ name: 'x.txt', bytes: Buffer.from('x') }]);
    expect((await app.inject({ method: 'POST', url: '/api/documents', headers: viewer, payload: upload() })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/api/documents', headers: { authorization: 'Bearer guess' }, payload: upload() })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: `/api/documents/${published}/reprocess`, headers: viewer })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: `/api/documents/${published}/retry`, headers: operator })).json()).toEqual({
      error: 'the document is published, not dead-lettered',
      errorZh: '这个文档的状态是“已发布”，不是死信，无需重试。',
    });
  });

  test('signing in with an account sets an HttpOnly SameSite session cookie; a forged cookie or foreign-site next is refused; a token is no password', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const wrong = await app.inject({ method: 'POST', url: '/login', payload: `username=${ADMIN.username}&password=nope&next=%2Fdocuments`, headers: form });
    expect(wrong.statusCode).toBe(401);
    const token = await app.inject({ method: 'POST', url: '/login', payload: `username=operator&password=${OPERATOR}`, headers: form });
    expect(token.statusCode).toBe(401);
    const login = await app.inject({
      method: 'POST',
      url: '/login',
      payload: `username=${ADMIN.username}&password=${ADMIN.password}&next=%2F%2Fevil.example%2F`,
      headers: form,
    });
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe('/');
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/^gongkai_session=[\w-]{43}; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Strict$/);
    const session = cookie.split(';')[0];
    expect((await app.inject({ url: '/documents', headers: { cookie: session } })).statusCode).toBe(200);
    const forged = `${session.slice(0, -1)}${session.endsWith('A') ? 'B' : 'A'}`;
    expect((await app.inject({ url: '/documents', headers: { cookie: forged, accept: 'text/html' } })).statusCode).toBe(303);
  });

  test('no credential or session appears in the logs', async () => {
    await app.inject({ url: '/api/documents', headers: operator });
    const login = await app.inject({
      method: 'POST',
      url: '/login',
      payload: `username=${ADMIN.username}&password=${ADMIN.password}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const session = String(login.headers['set-cookie']).split(';')[0];
    await app.inject({ url: '/documents?_csrf=csrf-token-in-a-query&status=published', headers: { cookie: session } });
    const logs = logLines.join('');
    expect(logs).toContain('/documents?status=published');
    expect(logs).not.toContain('csrf-token-in-a-query');
    expect(logs).toContain('/api/documents');
    expect(logs).not.toContain(OPERATOR);
    expect(logs).not.toContain(VIEWER);
    expect(logs).not.toContain(ADMIN.password);
    expect(logs).not.toContain(session.split('=')[1]);
    expect(logs).not.toMatch(/gongkai_session=\w/);
  });

  test('an upload takes each file on its own: empty and oversized files are refused, the rest submitted', async () => {
    const small = await buildWebServer({ ...pipeline.runtime(), config: loadConfig({ ...pipeline.environment().env, GONGKAI_MAX_FILE_MB: '0.01' }) });
    try {
      const response = await small.inject({
        method: 'POST',
        url: '/api/documents',
        headers: operator,
        payload: multipart([
          { name: 'empty.txt', bytes: Buffer.alloc(0) },
          { name: 'huge.txt', bytes: Buffer.alloc(20_000, 'a') },
          { name: '../../etc/年报.txt', bytes: fs.readFileSync(path.join(SAMPLES_DIR, '000_9d33212acc5db30e.txt')).subarray(0, 5000) },
        ]),
      });
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body.failures).toEqual([
        { fileName: 'empty.txt', error: 'the file is empty' },
        { fileName: 'huge.txt', error: expect.stringContaining('larger than') },
      ]);
      expect(body.submissions).toEqual([expect.objectContaining({ fileName: '年报.txt', created: true })]);
    } finally {
      await small.close();
    }
  });

  test('URL import refuses private targets unless allowed, then submits the fetched file', async () => {
    const bytes = fs.readFileSync(path.join(SAMPLES_DIR, '002_75831f4e612adbeb.txt'));
    const source = http.createServer((_request, response) => response.end(bytes));
    await new Promise<void>((resolve) => source.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(source.address() as AddressInfo).port}/reports/%E5%B9%B4%E6%8A%A5.txt`;
    const open = await buildWebServer({ ...pipeline.runtime(), config: loadConfig({ ...pipeline.environment().env, GONGKAI_IMPORT_ALLOW_PRIVATE: '1' }) });
    try {
      const refused = await app.inject({ method: 'POST', url: '/api/imports', headers: operator, payload: { url } });
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toMatchObject({ code: 'PRIVATE_ADDRESS' });
      expect((await app.inject({ method: 'POST', url: '/api/imports', headers: operator, payload: { url: 'file:///etc/passwd' } })).json()).toMatchObject({ code: 'BAD_URL' });

      const imported = await open.inject({ method: 'POST', url: '/api/imports', headers: operator, payload: { url } });
      expect(imported.statusCode).toBe(200);
      expect(imported.json()).toMatchObject({ fileName: '年报.txt', created: true });
      await waitForDocuments(pipeline.runtime().db, [imported.json().documentId], { timeoutMs: 60_000, quiet: true });
    } finally {
      await open.close();
      source.close();
    }
  });

  test('exports filter by year and region; CSV opens in Excel (BOM) and XLSX is a workbook', async () => {
    const all = await app.inject({ url: '/api/export/cells.csv', headers: viewer });
    expect(all.headers['content-type']).toContain('text/csv');
    expect(all.body.startsWith('\uFEFF')).toBe(true);
    expect(all.body).toContain('米易县人民政府');
    expect(all.body).toContain('兖州区城市管理行政执法局');
    const region = await app.inject({ url: '/api/export/cells.csv?region=%E6%94%80%E6%9E%9D%E8%8A%B1%E5%B8%82', headers: viewer });
    expect(region.body).toContain('米易县人民政府');
    expect(region.body).not.toContain('兖州区');
    const year = await app.inject({ url: '/api/export/findings.csv?year=2017', headers: viewer });
    expect(year.body).not.toContain('米易县人民政府');
    const xlsx = await app.inject({ url: '/api/export/cells.xlsx?year=2021', headers: viewer });
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
  });

  test('report pages escape what the source says; cells link to where they were read', async () => {
    const report = await app.inject({ url: `/documents/${published}/report`, headers: viewer });
    expect(report.statusCode).toBe(200);
    expect(report.body).toContain('米易县人民政府');
    const link = report.body.match(/href="(\/documents\/[^"]+\/source\?cell=active\.licensing\.decisions)#hit"/);
    expect(link).not.toBeNull();
    const source = await app.inject({ url: link![1], headers: viewer });
    expect(source.body).toContain('class="line hit"');
    expect(source.body).toContain('9544');
  });

  test('the document page shows OCR passed over for a text report', async () => {
    const page = await app.inject({ url: `/documents/${published}`, headers: viewer });
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<div>文字识别<\/div><span class="status skipped">已跳过<\/span>/);
    expect(page.body).toMatch(/<tr class="skipped"><td>0<\/td><td>文字识别<\/td><td>–<\/td>/);
  });

  test('metrics, OpenAPI and the read-only queue dashboard', async () => {
    const metrics = await app.inject({ url: '/metrics', headers: viewer });
    expect(metrics.body).toMatch(/gongkai_stage_job_duration_seconds_count\{stage="publish"\} [1-9]/);
    expect(metrics.body).toContain('gongkai_queue_jobs{queue="dead-letter",state="waiting"}');
    const openapi = (await app.inject({ url: '/api/docs/json', headers: viewer })).json();
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/api/documents', '/api/documents/{id}', '/api/imports', '/api/export/cells.csv', '/api/submissions']));
    expect(Object.keys(openapi.paths).filter((route) => !route.startsWith('/api/'))).toEqual([]);
    const queues = (await app.inject({ url: '/admin/queues/api/queues', headers: viewer })).json();
    expect(queues.queues.map((queue: { name: string }) => queue.name)).toEqual(expect.arrayContaining(['ingest', 'publish', 'dead-letter']));
    expect(queues.queues.every((queue: { readOnlyMode: boolean }) => queue.readOnlyMode)).toBe(true);
  });
});
