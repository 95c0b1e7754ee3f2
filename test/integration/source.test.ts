/**
 * The source view on the real pipeline: a text PDF is ingested, parsed and published, and a published
 * cell's box, computed from the line boxes ingest recorded, lies on the printed digits of the page
 * image poppler renders; the page image and the original are served with the right headers.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { waitForDocuments } from '../../cli/wait';
import { cellSource } from '../../shared/db/browse';
import { submitFile } from '../../shared/submissions';
import { PageImageError, PageImages } from '../../web/page-image';
import { buildWebServer } from '../../web/server';
import { REPO_ROOT, SAMPLES_DIR } from '../support/environment';
import { pipelineUnderTest } from '../support/pipeline';

jest.setTimeout(120_000);

const VIEWER = 'viewer-credential-for-source-test';
const viewer = { authorization: `Bearer ${VIEWER}` };
const PDF = path.join(REPO_ROOT, 'test/fixtures/pdf-variants/chromium.pdf');
const PDF_NAME = '米易县2021年报告（浏览器打印）.pdf';

/** Darkest grey level among the PNG's pixels inside a box given as fractions of the image. */
async function darkestInside(png: Buffer, [x0, y0, x1, y1]: number[]): Promise<{ darkest: number; width: number; height: number }> {
  const { width, height } = await sharp(png).metadata();
  const region = { left: Math.floor(x0 * width!), top: Math.floor(y0 * height!), width: Math.max(1, Math.ceil((x1 - x0) * width!)), height: Math.max(1, Math.ceil((y1 - y0) * height!)) };
  const pixels = await sharp(png).extract(region).greyscale().raw().toBuffer();
  return { darkest: Math.min(...pixels), width: width!, height: height! };
}

describe('the source view', () => {
  const pipeline = pipelineUnderTest({ GONGKAI_VIEWER_TOKEN: VIEWER });
  let app: FastifyInstance;
  let pdfId: string;
  let textId: string;
  let ofdId: string;

  beforeAll(async () => {
    const runtime = pipeline.runtime();
    pdfId = (await submitFile(runtime, { bytes: fs.readFileSync(PDF), fileName: PDF_NAME })).documentId;
    textId = (await submitFile(runtime, { bytes: fs.readFileSync(path.join(SAMPLES_DIR, '003_6f6c780c05ed1855.txt')), fileName: '米易县2021年报.txt' })).documentId;
    ofdId = (await submitFile(runtime, { bytes: fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/formats/001-nonzero.ofd')), fileName: '报告.ofd' })).documentId;
    await waitForDocuments(runtime.db, [pdfId, textId, ofdId], { timeoutMs: 90_000, quiet: true });
    app = await buildWebServer(runtime);
  });

  afterAll(async () => {
    await app?.close();
  });

  test('a published cell of a text PDF gets a box that lies on its printed digits', async () => {
    const { db } = pipeline.runtime();
    const cells = await db.selectFrom('cells').select(['table_name', 'row_key', 'column_key', 'raw']).where('document_id', '=', pdfId).execute();
    // The longest figures first (9544, 3415 …), then shorter ones down to a lone digit.
    const numbers = cells.filter((cell) => /^\d+$/.test(cell.raw)).sort((a, b) => b.raw.length - a.raw.length);
    expect(numbers.length).toBeGreaterThan(5);
    const image = await app.inject({ url: `/documents/${pdfId}/pages/1.png`, headers: viewer });
    for (const cell of [...numbers.slice(0, 6), ...numbers.slice(-2)]) {
      const key = `${cell.table_name}.${cell.row_key}.${cell.column_key}`;
      const source = (await cellSource(db, pipeline.runtime().outputs, pdfId, key))!;
      expect(source.box).not.toBeNull();
      const [x0, y0, x1, y1] = source.box!;
      // A few digits: a small box, wider for more digits, about one text line high.
      expect(x1 - x0).toBeGreaterThan(0.003 * cell.raw.length);
      expect(x1 - x0).toBeLessThan(0.02 * cell.raw.length);
      expect(y1 - y0).toBeGreaterThan(0.005);
      expect(y1 - y0).toBeLessThan(0.03);
      const png = source.provenance.page === 1 ? image.rawPayload : (await app.inject({ url: `/documents/${pdfId}/pages/${source.provenance.page}.png`, headers: viewer })).rawPayload;
      // The rendered page has ink inside the box.
      expect((await darkestInside(png, source.box!)).darkest).toBeLessThan(100);
      const view = await app.inject({ url: `/documents/${pdfId}/source?cell=${encodeURIComponent(key)}`, headers: viewer });
      expect(view.statusCode).toBe(200);
      expect(view.body).toContain(`src="/documents/${pdfId}/pages/${source.provenance.page}.png"`);
      expect(view.body).toMatch(/<rect id="hit" class="value-box" x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+"\/>/);
    }
  });

  test('an OFD page is drawn from its text objects and borders, the box on the value', async () => {
    const { db } = pipeline.runtime();
    const cell = await db.selectFrom('cells').select(['table_name', 'row_key', 'column_key']).where('document_id', '=', ofdId).where('raw', '=', '9544').executeTakeFirstOrThrow();
    const source = (await cellSource(db, pipeline.runtime().outputs, ofdId, `${cell.table_name}.${cell.row_key}.${cell.column_key}`))!;
    expect(source.box).not.toBeNull();
    const image = await app.inject({ url: `/documents/${ofdId}/pages/${source.provenance.page}.png`, headers: viewer });
    expect(image.headers['content-type']).toBe('image/png');
    expect((await darkestInside(image.rawPayload, source.box!)).darkest).toBeLessThan(100);
  });

  test('the page image is a PNG of the page, made once and then read from the cache', async () => {
    const first = await app.inject({ url: `/documents/${pdfId}/pages/1.png`, headers: viewer });
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('image/png');
    expect(first.headers['x-content-type-options']).toBe('nosniff');
    const { width, height } = await sharp(first.rawPayload).metadata();
    // 1100 px × scale 1.5 on the long side of an upright Letter page.
    expect(height).toBe(1650);
    expect(width! / height!).toBeCloseTo(612 / 792, 2);
    const cacheDir = path.join(pipeline.runtime().config.dataDir, 'page-images');
    const { sha256 } = await pipeline.runtime().db.selectFrom('documents').select('sha256').where('id', '=', pdfId).executeTakeFirstOrThrow();
    expect(fs.readFileSync(path.join(cacheDir, `${sha256}-p1-s1.5-r0.png`)).equals(first.rawPayload)).toBe(true);
    expect((await app.inject({ url: `/documents/${pdfId}/pages/1.png`, headers: viewer })).rawPayload.equals(first.rawPayload)).toBe(true);
    const larger = await app.inject({ url: `/documents/${pdfId}/pages/1.png?scale=2`, headers: viewer });
    expect((await sharp(larger.rawPayload).metadata()).height).toBe(2200);
    expect((await app.inject({ url: `/documents/${pdfId}/pages/1.png?scale=100`, headers: viewer })).statusCode).toBe(400);
    expect((await app.inject({ url: `/documents/${pdfId}/pages/99.png`, headers: viewer })).statusCode).toBe(404);
    expect((await app.inject({ url: `/documents/${textId}/pages/1.png`, headers: viewer })).statusCode).toBe(404);
    expect((await app.inject({ url: `/documents/${pdfId}/pages/1.png` })).statusCode).toBe(401);
  });

  test('a renderer that fails or runs out of time is an error for that image, never a hang', async () => {
    const { blobs, config } = pipeline.runtime();
    const cacheDir = path.join(config.dataDir, 'failing-page-images');
    const broken = await blobs.put(Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'));
    const request = { mediaType: 'application/pdf', page: 1, scale: 1, rotation: 0 } as const;
    await expect(new PageImages({ cacheDir, blobs }).png({ ...request, sha256: broken })).rejects.toThrow(PageImageError);
    const { sha256 } = await pipeline.runtime().db.selectFrom('documents').select('sha256').where('id', '=', pdfId).executeTakeFirstOrThrow();
    await expect(new PageImages({ cacheDir, blobs, timeoutMs: 1 }).png({ ...request, sha256 })).rejects.toThrow(/longer than/);
    expect(fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir) : []).toEqual([]);
  });

  test('the original downloads under its stored Chinese name, with its media type', async () => {
    const response = await app.inject({ url: `/documents/${pdfId}/original`, headers: viewer });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    const disposition = String(response.headers['content-disposition']);
    expect(disposition).toMatch(/^attachment; filename="[\x20-\x7E]+"; filename\*=UTF-8''/);
    expect(decodeURIComponent(disposition.split("filename*=UTF-8''")[1])).toBe(PDF_NAME);
    expect(response.rawPayload.equals(fs.readFileSync(PDF))).toBe(true);
  });

  test('a text source has no page image: its line is highlighted and is the #hit anchor', async () => {
    const view = await app.inject({ url: `/documents/${textId}/source?cell=active.licensing.decisions`, headers: viewer });
    expect(view.statusCode).toBe(200);
    expect(view.body).not.toContain('/pages/1.png');
    expect(view.body).toMatch(/<span class="line hit" id="hit"><span class="no">\d+<\/span>[^<]*9544/);
    expect(view.body).toContain(`href="/documents/${textId}/original"`);
    const original = await app.inject({ url: `/documents/${textId}/original`, headers: viewer });
    expect(original.headers['content-type']).toMatch(/^text\/plain/);
    expect(original.headers['content-disposition']).toContain("filename*=UTF-8''%E7%B1%B3%E6%98%93%E5%8E%BF2021%E5%B9%B4%E6%8A%A5.txt");
  });
});
