/**
 * Bulk work in a real browser (Debian's chromium driven by playwright-core) against the real
 * pipeline: a ZIP of 200 reports and a folder through the upload page, the batch page following
 * them until every one is published, a bulk retry by error code, and a dead letter dismissed with
 * a reason. Prints how long the 200 took.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { zipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { waitForDocuments } from '../../cli/wait';
import { listDeadLetters } from '../../shared/db/dead-letters';
import { getDocument } from '../../shared/db/documents';
import { submitFile } from '../../shared/submissions';
import { buildWebServer } from '../../web/server';
import { SAMPLES_DIR } from '../support/environment';
import { launchChromium } from '../support/browser';
import { pipelineUnderTest } from '../support/pipeline';

jest.setTimeout(300_000);

const ADMIN = { username: 'bulk-browser-admin', password: 'bulk-browser-password' };
const REPORTS_IN_ZIP = 200;

/** Text samples, each copy changed a little (a note with its number) so that every file's bytes differ. */
function variedReports(count: number): Array<{ name: string; bytes: Buffer }> {
  const samples = fs.readdirSync(SAMPLES_DIR).filter((name) => name.endsWith('.txt')).sort();
  return Array.from({ length: count }, (_, index) => {
    const sample = samples[index % samples.length];
    const text = fs.readFileSync(path.join(SAMPLES_DIR, sample), 'utf8');
    return { name: `${sample.replace('.txt', '')}-${index + 1}.txt`, bytes: Buffer.from(`${text}\n附：第 ${index + 1} 份副本\n`) };
  });
}

/** Waits, while the batch page reloads itself, for a load of it with nothing queued or processing left. */
async function untilSettled(page: Page, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const settled = await page
      .waitForLoadState('load')
      .then(async () => (await page.locator('td[data-state=queued], td[data-state=processing]').count()) === 0 && (await page.locator('meta[http-equiv=refresh]').count()) === 0)
      // A reload in the middle of a look: look again.
      .catch(() => false);
    if (settled) return;
    await page.waitForTimeout(500);
  }
  throw new Error(`the batch was still in flight after ${timeoutMs} ms`);
}

describe('bulk uploads and dead letters in a browser', () => {
  const pipeline = pipelineUnderTest(
    { GONGKAI_ADMIN_USER: ADMIN.username, GONGKAI_ADMIN_PASSWORD: ADMIN.password, GONGKAI_ATTEMPTS: '2', GONGKAI_BACKOFF_MS: '50' },
    { startWorkers: false },
  );
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-bulk-browser-'));
  let server: FastifyInstance;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  /** Dead-lettered at ingest as TRANSIENT: their originals were away while they were first read. */
  let transient: string[];
  let corruptId: string;

  beforeAll(async () => {
    const runtime = pipeline.runtime();
    transient = [];
    for (const [index, report] of variedReports(3).entries()) {
      const { documentId } = await submitFile(runtime, { bytes: Buffer.concat([report.bytes, Buffer.from(`失败样本 ${index}\n`)]), fileName: `待重试-${index + 1}.txt` });
      const { sha256 } = (await getDocument(runtime.db, documentId))!;
      const blob = path.join(runtime.config.blobDir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
      fs.renameSync(blob, `${blob}.away`);
      transient.push(documentId);
    }
    const pdf = fs.readFileSync(path.join(SAMPLES_DIR, '001_8775b43b601402e9.pdf'));
    corruptId = (await submitFile(runtime, { bytes: pdf.subarray(0, 4000), fileName: '残缺的年报.pdf' })).documentId;
    runtime.startWorkers();
    await waitForDocuments(runtime.db, [...transient, corruptId], { timeoutMs: 60_000, quiet: true });
    for (const id of transient) {
      const { sha256 } = (await getDocument(runtime.db, id))!;
      const blob = path.join(runtime.config.blobDir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
      fs.renameSync(`${blob}.away`, blob);
    }

    server = await buildWebServer(runtime);
    baseUrl = await server.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    await page.goto(`${baseUrl}/login?next=/upload`);
    await page.fill('input[name=username]', ADMIN.username);
    await page.fill('input[name=password]', ADMIN.password);
    await page.click('main button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/upload');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  test(`a ZIP of ${REPORTS_IN_ZIP} reports through the upload page: the batch page follows them until all are published`, async () => {
    const entries: Record<string, Uint8Array> = { '__MACOSX/._年报': new Uint8Array([0, 5, 22, 7]) };
    for (const [index, report] of variedReports(REPORTS_IN_ZIP).entries()) entries[`第${(index % 4) + 1}批/${report.name}`] = report.bytes;
    const zipFile = path.join(workDir, '年报.zip');
    fs.writeFileSync(zipFile, zipSync(entries));

    await page.goto(`${baseUrl}/upload`);
    await page.setInputFiles('input[name=files]:not([webkitdirectory])', zipFile);
    const started = Date.now();
    // The answer comes once the whole ZIP is read and every entry submitted (workers share this process).
    await page.click('button:has-text("上传并处理")', { timeout: 120_000 });
    expect(new URL(page.url()).pathname).toMatch(/^\/batches\/[0-9a-f-]{36}$/);
    const accepted = Date.now() - started;
    expect(await page.locator('[data-count=accepted]').innerText()).toBe(String(REPORTS_IN_ZIP));
    expect(await page.locator('[data-count=refused]').innerText()).toBe('0');
    expect(await page.locator('table.batch-documents').innerText()).toContain(`年报.zip/第1批/000_9d33212acc5db30e-1.txt`);

    // The page refreshes itself (meta refresh, no script) until nothing is queued or processing.
    expect(await page.locator('meta[http-equiv=refresh]').count()).toBe(1);
    await untilSettled(page, 240_000);
    const finished = Date.now() - started;
    const published = Number(await page.locator('td[data-state=published]').innerText());
    const failed = (await page.locator('td[data-state=dead_lettered]').count()) ? Number(await page.locator('td[data-state=dead_lettered]').innerText()) : 0;
    expect(published + failed).toBe(REPORTS_IN_ZIP);
    expect(published).toBe(REPORTS_IN_ZIP);
    console.log(`bulk: ${REPORTS_IN_ZIP} reports in one ZIP accepted in ${(accepted / 1000).toFixed(1)} s, all published after ${(finished / 1000).toFixed(1)} s`);
  });

  test('a folder through the upload page keeps each file’s path inside it', async () => {
    const folder = path.join(workDir, '县区年报');
    for (const [index, report] of variedReports(3).entries()) {
      const dir = path.join(folder, index === 0 ? '' : `子目录${index}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `文件夹-${report.name}`), Buffer.concat([report.bytes, Buffer.from('文件夹上传\n')]));
    }
    fs.writeFileSync(path.join(folder, '.DS_Store'), Buffer.from([0, 0, 0, 1]));
    await page.goto(`${baseUrl}/upload`);
    await page.setInputFiles('input[webkitdirectory]', folder);
    await page.click('button:has-text("上传并处理")');
    expect(await page.locator('[data-count=accepted]').innerText()).toBe('3');
    const paths = await page.locator('table.batch-documents td:first-child a').allInnerTexts();
    expect(paths.sort()).toEqual(
      variedReports(3)
        .map((report, index) => `县区年报/${index === 0 ? '' : `子目录${index}/`}文件夹-${report.name}`)
        .sort(),
    );
  });

  test('retry every failure of one error code from the dead letters page', async () => {
    await page.goto(`${baseUrl}/dead-letters`);
    const group = page.locator('table.letter-groups tr[data-stage=ingest][data-code=TRANSIENT]');
    expect(await group.locator('td.num').innerText()).toBe(String(transient.length));
    // A permanent failure offers no retry, here or on its own row.
    expect(await page.locator('table.letter-groups tr[data-code=CORRUPT_FILE] button').count()).toBe(0);
    expect(await page.locator(`table.letters tr[data-document="${corruptId}"] button[data-action=retry]`).count()).toBe(0);
    await page.click('div.bulk-retry button:has-text("TRANSIENT")');
    expect(await page.locator('p.notice').innerText()).toContain(`已重新提交 ${transient.length} 个文件`);
    await waitForDocuments(pipeline.runtime().db, transient, { timeoutMs: 60_000, quiet: true });
    for (const id of transient) expect((await getDocument(pipeline.runtime().db, id))?.status).toBe('published');
    await page.goto(`${baseUrl}/dead-letters`);
    expect(await page.locator('table.letter-groups tr[data-code=TRANSIENT]').count()).toBe(0);
  });

  test('dismiss a dead letter with a reason: it leaves the list and its document says why', async () => {
    const reason = '报送单位上传的文件不完整，已电话通知重新报送';
    const row = page.locator(`table.letters tr[data-document="${corruptId}"]`);
    await row.locator('input[name=reason]').fill(reason);
    await row.locator('button[data-action=dismiss]').click();
    expect(await page.locator('p.notice').innerText()).toContain('已驳回');
    expect(await page.locator(`table.letters tr[data-document="${corruptId}"]`).count()).toBe(0);
    expect(await listDeadLetters(pipeline.runtime().db, { documentId: corruptId })).toEqual([]);
    await page.click('p.notice a');
    expect(await page.locator('main').innerText()).toContain(reason);
    expect(await page.locator('span.status.dismissed').innerText()).toBe('已驳回');
  });
});
