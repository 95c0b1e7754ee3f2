/** The HTML pages. Every value shown is escaped by web/html.ts; actions post forms and redirect back. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { documentHistory, findingRules, searchDocuments, submissionsMatrix } from '../../shared/db/browse';
import { countDocumentsByStatus, getDocument } from '../../shared/db/documents';
import { loadReportRecord, reportVersions } from '../../shared/db/reports';
import { documentSearch, reprocessDocument, retryDocument, seenRoundOf } from '../actions';
import { html, page, type Markup } from '../html';
import { pageContextOf } from '../page-context';
import type { WebContext } from '../context';
import { documentsView, documentView } from '../views/documents';
import { overviewView } from '../views/forms';
import { findStuckWork, recoverStuckWork } from '../../shared/recovery';
import { submissionsView } from '../views/submissions';
import { localeOf, say } from '../i18n';
import { reportView } from '../views/report';

type Query = Record<string, string | undefined>;

const OVERVIEW_JOB_STATES = ['waiting', 'active', 'delayed'] as const;

export async function registerPageRoutes(app: FastifyInstance, context: WebContext): Promise<void> {
  const send = (reply: FastifyReply, request: FastifyRequest, title: string, body: Markup, options: { refreshSeconds?: number } = {}) =>
    reply.type('text/html; charset=utf-8').send(page(title, pageContextOf(request, context), body, options));
  /** A 404 page saying, in the page's language, what was not found. */
  const notFound = (reply: FastifyReply, request: FastifyRequest, zh: string, en: string) => {
    const locale = localeOf(request);
    reply.code(404);
    return send(reply, request, say(locale, '未找到', 'Not found'), html`<h1>${say(locale, '未找到', 'Not found')}</h1><p>${say(locale, zh, en)}</p>`);
  };

  app.get('/', async (request, reply) => {
    const [counts, queues, stuck] = await Promise.all([countDocumentsByStatus(context.db), context.queues.depths(OVERVIEW_JOB_STATES), findStuckWork(context)]);
    const pageContext = pageContextOf(request, context);
    return send(reply, request, say(pageContext.locale, '概览', 'Overview'), overviewView(pageContext, counts, queues, stuck));
  });

  app.post('/recover', { config: { action: true } }, async (request, reply) => {
    const recovered = await recoverStuckWork(context, await findStuckWork(context));
    request.auditDetail = { requeued: recovered.requeued.length };
    return reply.redirect('/', 303);
  });

  app.get('/documents', async (request, reply) => {
    const search = documentSearch(request.query as Query);
    const pageContext = pageContextOf(request, context);
    const [result, rules] = await Promise.all([searchDocuments(context.db, search), findingRules(context.db)]);
    return send(reply, request, say(pageContext.locale, '文档', 'Documents'), documentsView(pageContext, search, result, rules));
  });

  app.get('/documents/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const document = await getDocument(context.db, id).catch(() => undefined);
    if (!document) return notFound(reply, request, `没有编号为 ${id} 的文档。`, `No document ${id}.`);
    const history = await documentHistory(context.db, id);
    const finished = document.status === 'published' || document.status === 'dead_lettered';
    return send(reply, request, document.file_name, documentView(pageContextOf(request, context), document, history), { refreshSeconds: finished ? undefined : 2 });
  });

  app.get('/documents/:id/report', async (request, reply) => {
    const { id } = request.params as { id: string };
    const record = await loadReportRecord(context.db, id).catch(() => null);
    if (!record) return notFound(reply, request, `文档 ${id} 没有已发布的报告。`, `No published report for document ${id}.`);
    return send(reply, request, record.meta.agency ?? record.source.fileName, reportView(localeOf(request), id, record, await reportVersions(context.db, id)));
  });

  const documentAction = (path: string, act: typeof retryDocument) =>
    app.post(`/documents/:id/${path}`, { config: { action: true } }, async (request, reply) => {
      const { id } = request.params as { id: string };
      const result = await act(context, id, seenRoundOf((request.body as { round?: unknown } | undefined)?.round));
      if (!result.ok) {
        const locale = localeOf(request);
        reply.code(result.status);
        return send(
          reply,
          request,
          say(locale, '未完成', 'Not done'),
          html`<h1>${say(locale, '未完成', 'Not done')}</h1><p>${say(locale, result.error.zh, result.error.en)}</p><p><a href="/documents/${id}">${say(locale, '返回文档', 'Back to the document')}</a></p>`,
        );
      }
      return reply.redirect(`/documents/${id}`, 303);
    });
  documentAction('retry', retryDocument);
  documentAction('reprocess', reprocessDocument);

  app.get('/submissions', async (request, reply) => {
    const expected = await context.expectedAgencies();
    return send(reply, request, say(localeOf(request), '报送情况', 'Submissions'), submissionsView(await submissionsMatrix(context.db, expected), expected.length > 0, localeOf(request)));
  });
}
