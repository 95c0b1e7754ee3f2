/** The HTML pages. Every value shown is escaped by web/html.ts; actions post forms and redirect back. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { cellSource, documentHistory, searchDocuments, submissionsMatrix } from '../../shared/db/browse';
import { countDocumentsByStatus, getDocument } from '../../shared/db/documents';
import { loadReportRecord, reportVersions } from '../../shared/db/reports';
import { documentSearch, importFromUrl, receiveUploads, reprocessDocument, retryDocument } from '../actions';
import { SESSION_COOKIE } from '../auth';
import { localeOf } from '../i18n';
import { html, page, type Markup, type PageContext } from '../html';
import type { WebContext } from '../server';
import { documentsView, documentView, sourceView } from '../views/documents';
import { exportView, loginView, overviewView, submissionsView, submittedView, uploadView } from '../views/forms';
import { reportView } from '../views/report';

type Query = Record<string, string | undefined>;

const OVERVIEW_JOB_STATES = ['waiting', 'active', 'delayed'] as const;

/** Only a path on this site: `//evil.example` or an absolute URL would make sign-in an open redirect. */
function localPath(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

export async function registerPageRoutes(app: FastifyInstance, context: WebContext): Promise<void> {
  const pageContext = (request: FastifyRequest): PageContext => ({
    role: request.role,
    actionsEnabled: context.auth.actionsEnabled,
    locale: localeOf(request),
    user: null,
    csrfToken: '',
  });
  const send = (reply: FastifyReply, request: FastifyRequest, title: string, body: Markup, options: { refreshSeconds?: number } = {}) =>
    reply.type('text/html; charset=utf-8').send(page(title, pageContext(request), body, options));
  const notFound = (reply: FastifyReply, request: FastifyRequest, what: string) => {
    reply.code(404);
    return send(reply, request, 'Not found', html`<h1>Not found</h1><p>${what}</p>`);
  };

  app.get('/', async (request, reply) => {
    const [counts, queues] = await Promise.all([countDocumentsByStatus(context.db), context.queues.depths(OVERVIEW_JOB_STATES)]);
    return send(reply, request, 'Overview', overviewView(counts, queues));
  });

  app.get('/login', { config: { open: true } }, async (request, reply) => {
    const query = request.query as Query;
    return send(reply, request, 'Sign in', loginView(localPath(query.next), query.reason ?? null, false));
  });

  app.post('/login', { config: { open: true } }, async (request, reply) => {
    const body = (request.body ?? {}) as Query;
    const role = context.auth.roleFor(body.token ?? '');
    if (!role) {
      reply.code(401);
      return send(reply, request, 'Sign in', loginView(localPath(body.next), null, true));
    }
    reply.setCookie(SESSION_COOKIE, context.auth.sessionFor(role), { path: '/', httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https' });
    return reply.redirect(localPath(body.next), 303);
  });

  app.post('/logout', { config: { open: true } }, async (_request, reply) => {
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/', 303);
  });

  app.get('/documents', async (request, reply) => {
    const search = documentSearch(request.query as Query);
    return send(reply, request, 'Documents', documentsView(search, await searchDocuments(context.db, search)));
  });

  app.get('/documents/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const document = await getDocument(context.db, id).catch(() => undefined);
    if (!document) return notFound(reply, request, `No document ${id}.`);
    const history = await documentHistory(context.db, id);
    const finished = document.status === 'published' || document.status === 'dead_lettered';
    return send(reply, request, document.file_name, documentView(pageContext(request), document, history), { refreshSeconds: finished ? undefined : 2 });
  });

  app.get('/documents/:id/report', async (request, reply) => {
    const { id } = request.params as { id: string };
    const record = await loadReportRecord(context.db, id).catch(() => null);
    if (!record) return notFound(reply, request, `No published report for document ${id}.`);
    return send(reply, request, record.meta.agency ?? record.source.fileName, reportView(id, record, await reportVersions(context.db, id)));
  });

  app.get('/documents/:id/source', async (request, reply) => {
    const { id } = request.params as { id: string };
    const { cell } = request.query as Query;
    const document = await getDocument(context.db, id).catch(() => undefined);
    const source = document && cell ? await cellSource(context.db, id, cell) : undefined;
    if (!document || !cell || !source) return notFound(reply, request, `No cell ${cell ?? ''} in document ${id}.`);
    return send(reply, request, `${cell} · ${document.file_name}`, sourceView(document, cell, source));
  });

  const documentAction = (path: string, act: typeof retryDocument) =>
    app.post(`/documents/:id/${path}`, { config: { action: true } }, async (request, reply) => {
      const { id } = request.params as { id: string };
      const result = await act(context, id);
      if (!result.ok) {
        reply.code(result.status);
        return send(reply, request, 'Not done', html`<h1>Not done</h1><p>${result.error}</p><p><a href="/documents/${id}">Back to the document</a></p>`);
      }
      return reply.redirect(`/documents/${id}`, 303);
    });
  documentAction('retry', retryDocument);
  documentAction('reprocess', reprocessDocument);

  app.get('/upload', async (request, reply) =>
    send(reply, request, 'Upload', uploadView(pageContext(request), { maxFileMb: context.config.maxFileBytes / 1024 / 1024, maxFiles: context.config.web.maxUploadFiles })),
  );

  app.post('/upload', { config: { action: true } }, async (request, reply) => {
    if (!request.isMultipart()) return reply.code(400).send({ error: 'expected multipart/form-data' });
    const outcome = await receiveUploads(request, context);
    return send(reply, request, 'Submitted', submittedView(outcome.submissions, outcome.failures));
  });

  app.post('/import', { config: { action: true } }, async (request, reply) => {
    const body = (request.body ?? {}) as Query;
    const url = body.url ?? '';
    try {
      const submission = await importFromUrl(context, url, body.force === '1');
      return send(reply, request, 'Submitted', submittedView([submission], []));
    } catch (error) {
      reply.code(400);
      return send(reply, request, 'Import refused', submittedView([], [{ fileName: url, error: error instanceof Error ? error.message : String(error) }]));
    }
  });

  app.get('/submissions', async (request, reply) => {
    const expected = await context.expectedAgencies();
    return send(reply, request, 'Submissions', submissionsView(await submissionsMatrix(context.db, expected), expected.length > 0));
  });

  app.get('/export', async (request, reply) => {
    const expected = await context.expectedAgencies();
    const years = await context.db.selectFrom('reports').select('year').distinct().where('year', 'is not', null).orderBy('year', 'desc').execute();
    const regions = [...new Set(expected.flatMap((entry) => (entry.region ? [entry.region] : [])))];
    return send(reply, request, 'Export', exportView(years.map((row) => row.year!), regions));
  });
}
