/**
 * Accounts in a real browser (Debian's chromium through playwright-core): the sign-in limit, a
 * cross-origin form post refused while signed in, a copied cookie refused after signing out, and the
 * security headers letting bull-board and swagger-ui still work.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { createUser } from '../../shared/db/accounts';
import { getDocument } from '../../shared/db/documents';
import { submitFile } from '../../shared/submissions';
import { buildWebServer } from '../../web/server';
import { launchChromium } from '../support/browser';
import { pipelineUnderTest } from '../support/pipeline';

jest.setTimeout(120_000);

const SCREENSHOTS = process.env.GONGKAI_SCREENSHOTS ? path.resolve(process.env.GONGKAI_SCREENSHOTS) : null;
const ADMIN = { username: 'admin', password: 'browser-admin-password' };
const OPERATOR = { username: 'olga', password: 'browser-operator-password' };

describe('accounts in a browser', () => {
  const pipeline = pipelineUnderTest({ GONGKAI_ADMIN_USER: ADMIN.username, GONGKAI_ADMIN_PASSWORD: ADMIN.password }, { startWorkers: false });
  let server: FastifyInstance;
  let baseUrl: string;
  let foreignSite: http.Server;
  let foreignUrl: string;
  let browser: Browser;
  let page: Page;
  let documentId: string;

  const shoot = async (name: string) => {
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };

  const signIn = async (target: Page, user: { username: string; password: string }) => {
    // Lands on a page of this module's own, whatever the other pages are doing.
    await target.goto(`${baseUrl}/login?next=%2Fadmin%2Fusers`);
    await target.fill('input[name=username]', user.username);
    await target.fill('input[name=password]', user.password);
    return Promise.all([target.waitForNavigation(), target.click('form.login button[type=submit]')]).then(([response]) => response);
  };

  beforeAll(async () => {
    const runtime = pipeline.runtime();
    documentId = (await submitFile(runtime, { bytes: Buffer.from('某县2023年政府信息公开工作年度报告'), fileName: '某县2023年报.txt' })).documentId;
    server = await buildWebServer(runtime);
    await createUser(runtime.db, { ...OPERATOR, role: 'operator' });
    baseUrl = await server.listen({ port: 0, host: '127.0.0.1' });
    // Another origin on the same host (another port): the same site, so even a SameSite=Strict cookie
    // goes along with its form post — only the Origin check and the CSRF token stop it.
    foreignSite = http.createServer((_request, response) => {
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.end(`<!doctype html><title>奖品</title><form method="post" action="${baseUrl}/documents/${documentId}/reprocess">
        <input type="hidden" name="_csrf" value="a-guess"><button id="claim" type="submit">领取奖品</button></form>`);
    });
    await new Promise<void>((resolve) => foreignSite.listen(0, '127.0.0.1', resolve));
    foreignUrl = `http://127.0.0.1:${(foreignSite.address() as AddressInfo).port}/`;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1300, height: 850 }, locale: 'zh-CN' });
    if (SCREENSHOTS) fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    foreignSite?.close();
  });

  test('the 6th wrong password in a row gets the 429 page, and then even the right one waits', async () => {
    for (let attempt = 1; attempt <= 5; attempt++) {
      const response = await signIn(page, { username: OPERATOR.username, password: `wrong-${attempt}` });
      expect(response?.status()).toBe(401);
      expect(await page.locator('.banner').innerText()).toContain('用户名或密码不正确');
    }
    const limited = await signIn(page, { username: OPERATOR.username, password: 'wrong-6' });
    expect(limited?.status()).toBe(429);
    expect(Number(limited?.headers()['retry-after'])).toBeGreaterThan(14 * 60);
    expect(await page.locator('h1').innerText()).toBe('登录失败次数过多');
    expect(await page.locator('.sign-in-limited').innerText()).toMatch(/请在 \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}（北京时间，约 1[45] 分钟后）再试/);
    await shoot('sign-in-limited');
    expect((await signIn(page, OPERATOR))?.status()).toBe(429);
  });

  test('a form on another origin posting to gongkai while signed in is refused, and nothing is done', async () => {
    expect((await signIn(page, ADMIN))?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/admin/users');
    expect(await page.locator('header .who').innerText()).toContain('admin');
    expect(await page.locator('header .who').innerText()).toContain('管理员');
    const roundBefore = (await getDocument(pipeline.runtime().db, documentId))!.round;

    await page.goto(foreignUrl);
    const [response] = await Promise.all([page.waitForNavigation(), page.click('#claim')]);
    expect(response?.status()).toBe(403);
    expect(new URL(page.url()).pathname).toBe(`/documents/${documentId}/reprocess`);
    expect(await page.locator('.banner').innerText()).toContain('不是从本站的页面发出的');
    expect((await getDocument(pipeline.runtime().db, documentId))!.round).toBe(roundBefore);
    expect(await pipeline.runtime().db.selectFrom('audit_log').select('id').where('action', '=', 'document.reprocess').execute()).toEqual([]);
  });

  test('bull-board and swagger-ui work under the content security policy', async () => {
    const violations: string[] = [];
    page.on('console', (message) => {
      // bull-board asks for Google's web fonts; the policy keeps the page from loading anything from elsewhere.
      if (message.text().includes('Content Security Policy') && !message.text().includes('fonts.googleapis.com')) violations.push(message.text());
    });
    const queues = await page.goto(`${baseUrl}/admin/queues`);
    expect(queues?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await page.waitForSelector('text=ingest', { timeout: 30_000 });
    await page.goto(`${baseUrl}/api/docs`);
    await page.waitForSelector('.opblock-summary-path', { timeout: 30_000 });
    expect(violations).toEqual([]);
  });

  test('after signing out, the copied cookie no longer works', async () => {
    await page.goto(`${baseUrl}/admin/users`);
    expect(await page.locator('table.users').innerText()).toContain(OPERATOR.username);
    await shoot('admin-users');
    await page.goto(`${baseUrl}/admin/audit`);
    expect(await page.locator('table.audit').innerText()).toContain('session.sign-in-failed');
    await shoot('admin-audit');
    await page.goto(`${baseUrl}/admin/users`);
    const copied = (await page.context().cookies()).filter((cookie) => cookie.name === 'gongkai_session');
    expect(copied).toHaveLength(1);
    expect(copied[0]).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    await Promise.all([page.waitForNavigation(), page.click('header .who form[action="/logout"] button')]);
    expect(await page.locator('header .who').innerText()).toContain('登录');

    const elsewhere = await browser.newContext();
    try {
      await elsewhere.addCookies(copied);
      const replay = await elsewhere.newPage();
      await replay.goto(`${baseUrl}/admin/users`);
      expect(new URL(replay.url()).pathname).toBe('/login');
      expect(await replay.locator('.note').innerText()).toContain('请先登录');
    } finally {
      await elsewhere.close();
    }
  });
});
