/**
 * The web pages in a real browser (Debian's chromium driven by playwright-core) against the real
 * pipeline: sign in, upload a report, watch it publish, find its failing cell and where it was read,
 * retry a dead-lettered document. With GONGKAI_SCREENSHOTS=<dir> each page is saved there
 * (`npm run docs:screenshots` writes docs/screenshots).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { waitForDocuments } from '../../cli/wait';
import { createUser } from '../../shared/db/accounts';
import { getDocument } from '../../shared/db/documents';
import { submitFile } from '../../shared/submissions';
import { buildWebServer } from '../../web/server';
import { SAMPLES_DIR } from '../support/environment';
import { launchChromium } from '../support/browser';
import { pipelineUnderTest } from '../support/pipeline';

jest.setTimeout(180_000);

const OPERATOR = { username: 'operator-olga', password: 'browser-test-operator-password' };
const SCREENSHOTS = process.env.GONGKAI_SCREENSHOTS ? path.resolve(process.env.GONGKAI_SCREENSHOTS) : null;

/** Sample 003 with one applicant count changed, so its row total and the table's balance fail. */
function reportWithAFailingCell(dir: string): string {
  const text = fs.readFileSync(path.join(SAMPLES_DIR, '003_6f6c780c05ed1855.txt'), 'utf8');
  const altered = text.replace('一、本年新收政府信息公開申請數量 |\n10 |', '一、本年新收政府信息公開申請數量 |\n12 |');
  expect(altered).not.toBe(text);
  const file = path.join(dir, '米易县2021年报-改.txt');
  fs.writeFileSync(file, altered);
  return file;
}

describe('gongkai serve in a browser', () => {
  const pipeline = pipelineUnderTest(
    { GONGKAI_ATTEMPTS: '2', GONGKAI_BACKOFF_MS: '50', GONGKAI_EXPECTED_AGENCIES: path.join(__dirname, 'expected-agencies.csv') },
    { startWorkers: false },
  );
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-browser-'));
  let server: FastifyInstance;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  let failedId: string;

  const shoot = async (name: string) => {
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    const runtime = pipeline.runtime();
    // A document whose original is missing while it is first processed: it is dead-lettered at ingest,
    // and once the original is back a retry publishes it.
    const bytes = fs.readFileSync(path.join(SAMPLES_DIR, '002_75831f4e612adbeb.txt'));
    failedId = (await submitFile(runtime, { bytes, fileName: '兖州区2017年报.txt' })).documentId;
    const { sha256 } = (await getDocument(runtime.db, failedId))!;
    const blob = path.join(runtime.config.blobDir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
    fs.renameSync(blob, `${blob}.away`);
    runtime.startWorkers();
    await waitForDocuments(runtime.db, [failedId], { timeoutMs: 30_000, quiet: true });
    fs.renameSync(`${blob}.away`, blob);

    await createUser(runtime.db, { ...OPERATOR, role: 'operator' });
    server = await buildWebServer(runtime);
    baseUrl = await server.listen({ port: 0, host: '127.0.0.1' });
    if (SCREENSHOTS) fs.mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('viewing and acting need an account: an anonymous visitor is sent to sign in and back', async () => {
    await page.goto(`${baseUrl}/upload`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('input[name=username]', OPERATOR.username);
    await page.fill('input[name=password]', 'not the password');
    await page.click('form.login button[type=submit]');
    expect(await page.locator('.banner').innerText()).toContain('用户名或密码不正确');
    await shoot('login');
    await page.fill('input[name=password]', OPERATOR.password);
    await page.click('form.login button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/upload');
    expect(await page.locator('header .who').innerText()).toContain(`${OPERATOR.username} (操作员)`);
  });

  test('upload a report, watch it publish, and see its failing cell highlighted beside its finding', async () => {
    await shoot('upload');
    await page.setInputFiles('input[name=files]', [reportWithAFailingCell(workDir), path.join(SAMPLES_DIR, '004_821e3546fb6fcf9b.txt')]);
    await page.click('text=上传并处理');
    expect(new URL(page.url()).pathname).toMatch(/^\/batches\//);
    expect(await page.locator('table.batch-documents').innerText()).toContain('米易县2021年报-改.txt');
    await shoot('submitted');

    await page.click('text=米易县2021年报-改.txt');
    // The document page refreshes itself until the document is published.
    await page.waitForSelector('text=打开报告', { timeout: 60_000 });
    expect(await page.locator('dl.meta').innerText()).toContain('已发布');
    expect(await page.locator('table.timeline').innerText()).toContain('发布');
    await shoot('document');

    await page.click('text=打开报告');
    const failing = page.locator('td.failing[data-cell="applications.newReceived.naturalPerson"]');
    expect(await failing.count()).toBe(1);
    expect(await failing.innerText()).toContain('12');
    const findingNumber = await failing.locator('sup.marker a').first().textContent();
    const finding = page.locator(`#finding-${findingNumber}`);
    expect(await finding.innerText()).toContain('错误');
    expect(await finding.innerText()).toContain('一、本年新收政府信息公开申请数量');
    await shoot('report');

    await failing.locator('a').first().click();
    expect(page.url()).toMatch(/#hit$/);
    expect(await page.locator('h1').innerText()).toContain('一、本年新收政府信息公开申请数量·自然人');
    expect(await page.locator('span.line.hit').innerText()).toContain('12');
    await shoot('source');
  });

  test('a tampered page is announced, and its injected text is shown as text', async () => {
    await page.goto(`${baseUrl}/documents?file=004`);
    await page.click('text=004_821e3546fb6fcf9b.txt');
    await page.waitForSelector('text=打开报告', { timeout: 60_000 });
    await page.click('text=打开报告');
    expect(await page.locator('.banner').innerText()).toContain('内容被篡改');
    expect(await page.locator('dl.meta').innerText()).toContain('bet365');
    await shoot('report-tampered');
  });

  test('retry a dead-lettered document until it is published', async () => {
    await page.goto(`${baseUrl}/documents?status=dead_lettered`);
    await shoot('documents-dead-lettered');
    await page.click('text=兖州区2017年报.txt');
    expect(await page.locator('table.letters strong').allInnerTexts()).toEqual(['未解决']);
    await shoot('document-dead-lettered');
    await page.click('button[data-action=retry]');
    await page.waitForSelector('text=打开报告', { timeout: 60_000 });
    expect(await page.locator('dl.meta').innerText()).toContain('第 1 轮');
    expect(await page.locator('table.letters strong').count()).toBe(0);
    expect(await getDocument(pipeline.runtime().db, failedId)).toMatchObject({ status: 'published', round: 1 });
  });

  test('the overview, documents, submissions, export, queue dashboard and API pages render', async () => {
    await page.goto(`${baseUrl}/`);
    expect(await page.locator('table.queues').innerText()).toContain('死信');
    await shoot('overview');
    await page.goto(`${baseUrl}/documents`);
    expect(await page.locator('table.documents tbody tr').count()).toBe(3);
    await shoot('documents');
    await page.goto(`${baseUrl}/submissions`);
    expect(await page.locator('td[data-state=missing]').count()).toBeGreaterThan(0);
    expect(await page.locator('table.submissions').innerText()).toContain('米易县人民政府');
    await shoot('submissions');
    await page.goto(`${baseUrl}/export`);
    await shoot('export');
    const download = page.waitForEvent('download');
    await page.click('button[formaction="/api/export/cells.csv"]');
    const csv = fs.readFileSync((await (await download).path())!, 'utf8');
    expect(csv.split('\n')[0]).toContain('数值');
    expect(csv).toContain('米易县人民政府');
    await page.goto(`${baseUrl}/admin/queues`);
    await page.waitForSelector('text=ingest', { timeout: 30_000 });
    await shoot('queues');
    await page.goto(`${baseUrl}/api/docs`);
    await page.waitForSelector('.opblock-summary-path', { timeout: 30_000 });
    const paths = (await page.locator('.opblock-summary-path').allInnerTexts()).map((text) => text.replace(/\u200b/g, ''));
    expect(paths).toEqual(expect.arrayContaining(['/api/documents', '/api/documents/{id}/retry', '/api/imports', '/api/export/cells.xlsx']));
    await shoot('api');
  });
});
