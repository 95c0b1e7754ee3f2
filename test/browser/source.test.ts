/**
 * The source view in a real browser (Debian's chromium driven by playwright-core): for a cell of a text
 * PDF processed by the real pipeline, the page image loads and the value's box is drawn over the printed
 * digits. With GONGKAI_SCREENSHOTS=<dir> the page is saved there as source-page.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { waitForDocuments } from '../../cli/wait';
import { submitFile } from '../../shared/submissions';
import { buildWebServer } from '../../web/server';
import { REPO_ROOT } from '../support/environment';
import { launchChromium } from '../support/browser';
import { pipelineUnderTest } from '../support/pipeline';

jest.setTimeout(120_000);

const SCREENSHOTS = process.env.GONGKAI_SCREENSHOTS ? path.resolve(process.env.GONGKAI_SCREENSHOTS) : null;

describe('the source view in a browser', () => {
  const pipeline = pipelineUnderTest();
  let server: FastifyInstance;
  let baseUrl: string;
  let browser: Browser;
  let documentId: string;

  beforeAll(async () => {
    const runtime = pipeline.runtime();
    const bytes = fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/pdf-variants/chromium.pdf'));
    documentId = (await submitFile(runtime, { bytes, fileName: '米易县2021年报告.pdf' })).documentId;
    await waitForDocuments(runtime.db, [documentId], { timeoutMs: 60_000, quiet: true });
    server = await buildWebServer(runtime);
    baseUrl = await server.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test("a PDF cell's source shows its page with the box over the printed value", async () => {
    const cell = await pipeline
      .runtime()
      .db.selectFrom('cells')
      .select(['table_name', 'row_key', 'column_key'])
      .where('document_id', '=', documentId)
      .where('raw', '=', '9544')
      .executeTakeFirstOrThrow();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    await page.goto(`${baseUrl}/documents/${documentId}/source?cell=${cell.table_name}.${cell.row_key}.${cell.column_key}#hit`);
    expect(await page.locator('h1').innerText()).toContain('数值出处');

    const image = page.locator('.page-view img');
    await image.waitFor();
    // Evaluated in the page (the test's TypeScript has no DOM types): the image has been decoded.
    await page.waitForFunction("(() => { const image = document.querySelector('.page-view img'); return image !== null && image.complete && image.naturalWidth > 0; })()");
    const box = page.locator('rect.value-box');
    expect(await box.isVisible()).toBe(true);
    const [imageArea, boxArea] = [(await image.boundingBox())!, (await box.boundingBox())!];
    expect(boxArea.x).toBeGreaterThan(imageArea.x);
    expect(boxArea.y).toBeGreaterThan(imageArea.y);
    expect(boxArea.x + boxArea.width).toBeLessThan(imageArea.x + imageArea.width);
    expect(boxArea.width).toBeLessThan(imageArea.width / 10);
    // The fragment scrolled the box into view, with the page above it in sight, and the digits show through it.
    expect(boxArea.y).toBeGreaterThan(100);
    expect(boxArea.y + boxArea.height).toBeLessThan(900);
    const inside = await page.screenshot({ clip: { x: boxArea.x + 3, y: boxArea.y + 3, width: boxArea.width - 6, height: boxArea.height - 6 } });
    const pixels = await sharp(inside).greyscale().raw().toBuffer();
    expect(Math.min(...pixels)).toBeLessThan(100);

    if (SCREENSHOTS) {
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOTS, 'source-page.png') });
    }
    await page.close();
  });
});
