/** One report counts per agency and year: a document's copies, and an operator choosing the one that counts. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { chooseCountedReport, reportCopies } from '../../shared/db/counted';
import { getDocument } from '../../shared/db/documents';
import { html, page } from '../html';
import { localeOf, say } from '../i18n';
import { pageContextOf } from '../page-context';
import type { WebContext } from '../context';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } } as const;
const error = { type: 'object', properties: { error: { type: 'string' } } } as const;
const copy = {
  type: 'object',
  properties: {
    documentId: { type: 'string' },
    fileName: { type: 'string' },
    status: { type: 'string' },
    submittedAt: { type: 'string', format: 'date-time' },
    agency: { type: ['string', 'null'] },
    year: { type: 'integer' },
    counted: { type: 'boolean' },
    chosenBy: { type: ['string', 'null'] },
    chosenAt: { type: ['string', 'null'], format: 'date-time' },
    chosenByOperator: { type: 'boolean', description: 'true when an operator chose it; a counted copy without it counts as the newest submission' },
  },
} as const;

type CountOutcome = { ok: true } | { ok: false; status: 404 | 409; error: string };

export async function registerPlaceRoutes(app: FastifyInstance, context: WebContext): Promise<void> {
  /** Makes the document's report the one that counts, as the acting user, and says so in the audit log. */
  const count = async (request: FastifyRequest): Promise<CountOutcome> => {
    const { id } = request.params as { id: string };
    const locale = localeOf(request);
    if (!(await getDocument(context.db, id).catch(() => undefined))) return { ok: false, status: 404, error: say(locale, `没有文档 ${id}`, `no document ${id}`) };
    const chosenBy = request.user ?? 'token';
    if (!(await chooseCountedReport(context.db, id, chosenBy))) {
      return { ok: false, status: 409, error: say(locale, '该文档没有注明机构和年度的报告', 'the document has no report with an agency and a year') };
    }
    const counted = (await reportCopies(context.db, id)).find((entry) => entry.documentId === id);
    request.auditDetail = { documentId: id, agency: counted?.agency ?? null, year: counted?.year ?? null, chosenBy };
    return { ok: true };
  };

  app.get(
    '/api/documents/:id/copies',
    {
      schema: {
        tags: ['documents'],
        summary: "Every copy of the report of the document's agency and year, the one that counts first (an operator's choice, else the newest submission)",
        params: idParams,
        response: { 200: { type: 'array', items: copy }, 404: error },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!(await getDocument(context.db, id))) return reply.code(404).send({ error: 'no such document' });
      return reportCopies(context.db, id);
    },
  );

  app.post(
    '/api/documents/:id/count',
    {
      config: { action: true },
      schema: {
        tags: ['documents'],
        summary: "Make this document's report the one that counts for its agency and year (以此份为准)",
        params: idParams,
        response: { 200: { type: 'array', items: copy }, 404: error, 409: error },
      },
    },
    async (request, reply) => {
      const outcome = await count(request);
      if (!outcome.ok) return reply.code(outcome.status).send({ error: outcome.error });
      return reportCopies(context.db, (request.params as { id: string }).id);
    },
  );

  app.post('/documents/:id/count', { config: { action: true } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const outcome = await count(request);
    if (outcome.ok) return reply.redirect(`/documents/${id}`, 303);
    const locale = localeOf(request);
    reply.code(outcome.status);
    return reply.type('text/html; charset=utf-8').send(
      page(
        say(locale, '未完成', 'Not done'),
        pageContextOf(request, context),
        html`<h1>${say(locale, '未完成', 'Not done')}</h1><p>${outcome.error}</p><p><a href="/documents/${id}">${say(locale, '返回文档', 'Back to the document')}</a></p>`,
      ),
    );
  });
}
