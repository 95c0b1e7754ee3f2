/**
 * Where a value was read (the source view), the page images it shows, and the stored original for
 * download. Viewing routes: whoever may view reports may see their sources.
 */
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { cellSource, documentPages } from '../../shared/db/browse';
import { getDocument } from '../../shared/db/documents';
import { html, page, type Markup } from '../html';
import { say } from '../i18n';
import { canRenderPages, DEFAULT_PAGE_SCALE, PageImageError, PageImages, PAGE_SCALES } from '../page-image';
import { pageContextOf } from '../page-context';
import type { WebContext } from '../context';
import { sourceView } from '../views/source';

/**
 * Content-Disposition for a download under its stored name: an ASCII fallback for old clients and the
 * exact name, Chinese included, as RFC 5987 `filename*`.
 */
export function attachmentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7E]|["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

export async function registerSourceRoutes(app: FastifyInstance, context: WebContext): Promise<void> {
  const pageImages = new PageImages({ cacheDir: path.join(context.config.dataDir, 'page-images'), blobs: context.blobs });
  const send = (reply: FastifyReply, request: FastifyRequest, title: string, body: Markup) =>
    reply.type('text/html; charset=utf-8').send(page(title, pageContextOf(request, context), body));
  const notFound = (reply: FastifyReply, request: FastifyRequest, what: string) => {
    reply.code(404);
    const locale = pageContextOf(request, context).locale;
    return send(reply, request, say(locale, '未找到', 'Not found'), html`<h1>${say(locale, '未找到', 'Not found')}</h1><p>${what}</p>`);
  };
  const findDocument = (id: string) => getDocument(context.db, id).catch(() => undefined);

  app.get('/documents/:id/source', async (request, reply) => {
    const { id } = request.params as { id: string };
    const { cell } = request.query as { cell?: string };
    const pageContext = pageContextOf(request, context);
    const document = await findDocument(id);
    const source = document && cell ? await cellSource(context.db, context.outputs, id, cell) : undefined;
    if (!document || !cell || !source) return notFound(reply, request, say(pageContext.locale, `文件 ${id} 中没有数值 ${cell ?? ''}。`, `No cell ${cell ?? ''} in document ${id}.`));
    return send(reply, request, `${cell} · ${document.file_name}`, sourceView(pageContext, document, cell, source, canRenderPages(document.media_type)));
  });

  app.get('/documents/:id/original', async (request, reply) => {
    const { id } = request.params as { id: string };
    const document = await findDocument(id);
    const locale = pageContextOf(request, context).locale;
    if (!document) return notFound(reply, request, say(locale, `没有文件 ${id}。`, `No document ${id}.`));
    const bytes = await context.blobs.get(document.sha256).catch(() => null);
    if (!bytes) return notFound(reply, request, say(locale, `文件 ${document.file_name} 的原件不在存储中。`, `The original of ${document.file_name} is not in the blob store.`));
    // Always a download, never rendered here: an HTML original is somebody else's page on this site's origin.
    return reply
      .type(document.media_type ?? 'application/octet-stream')
      .header('Content-Disposition', attachmentDisposition(document.file_name))
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Security-Policy', 'sandbox')
      .send(bytes);
  });

  app.get('/documents/:id/pages/:page.png', async (request, reply) => {
    const { id, page: pageText } = request.params as { id: string; page: string };
    const { scale: scaleText } = request.query as { scale?: string };
    const locale = pageContextOf(request, context).locale;
    const scale = scaleText === undefined ? DEFAULT_PAGE_SCALE : PAGE_SCALES.find((candidate) => String(candidate) === scaleText);
    const pageNumber = /^[1-9]\d{0,4}$/.test(pageText) ? Number(pageText) : null;
    const document = await findDocument(id);
    const stored = document && pageNumber !== null ? (await documentPages(context.db, context.outputs, id)).find((page) => page.number === pageNumber) : undefined;
    if (!document || !stored || !canRenderPages(document.media_type)) return notFound(reply, request, say(locale, `文件 ${id} 没有第 ${pageText} 页的图像。`, `Document ${id} has no image of page ${pageText}.`));
    if (scale === undefined) return reply.code(400).send({ error: `scale must be one of ${PAGE_SCALES.join(', ')}` });
    try {
      const png = await pageImages.png({
        sha256: document.sha256,
        mediaType: document.media_type!,
        page: pageNumber!,
        scale,
        rotation: stored.ocr?.rotation ?? 0,
      });
      return reply.type('image/png').header('X-Content-Type-Options', 'nosniff').header('Cache-Control', 'private, max-age=86400').send(png);
    } catch (error) {
      if (!(error instanceof PageImageError)) throw error;
      request.log.warn({ err: error, documentId: id, page: pageNumber }, 'page image failed');
      return reply.code(503).type('text/plain; charset=utf-8').send(say(locale, `无法生成页面图像：${error.message}`, `The page image could not be made: ${error.message}`));
    }
  });
}
