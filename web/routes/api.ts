/** The JSON API behind the pages, described by its schemas in the OpenAPI document at /api/docs. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { documentHistory, searchDocuments, submissionsMatrix } from '../../shared/db/browse';
import { listDeadLetters } from '../../shared/db/dead-letters';
import { getDocument } from '../../shared/db/documents';
import { loadReportRecord } from '../../shared/db/reports';
import { STAGES } from '../../shared/pipeline';
import { documentSearch, importFromUrl, receiveUploads, reprocessDocument, retryDocument, type ActionResult } from '../actions';
import { CELL_COLUMNS, FINDING_COLUMNS, exportCells, exportFindings, toCsv, toXlsx, type ExportFilter } from '../export';
import type { WebContext } from '../server';
import { UrlImportError } from '../url-import';

const anyObject = { type: 'object', additionalProperties: true } as const;
const error = { type: 'object', properties: { error: { type: 'string' } } } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } } as const;
const submission = {
  type: 'object',
  properties: {
    documentId: { type: 'string' },
    fileName: { type: 'string' },
    created: { type: 'boolean', description: 'false when the same bytes were submitted before' },
    reprocessed: { type: 'boolean', description: 'true when a document submitted before runs again' },
    status: { type: 'string' },
  },
} as const;
const documentRow = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    fileName: { type: 'string' },
    status: { type: 'string', enum: ['queued', 'processing', 'published', 'dead_lettered'] },
    stage: { type: 'string' },
    error: { type: ['string', 'null'] },
    agency: { type: ['string', 'null'] },
    year: { type: ['integer', 'null'] },
    template: { type: ['string', 'null'] },
    errors: { type: 'integer' },
    warnings: { type: 'integer' },
    critical: { type: 'integer' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;
const exportQuery = {
  type: 'object',
  properties: {
    // A string so that the export form's empty "all years" choice is accepted.
    year: { type: 'string', pattern: '^(\\d{4})?$', description: 'a year such as 2021; empty for all' },
    region: { type: 'string', description: 'agencies listed in this region, or whose name contains it' },
  },
} as const;

function actionReply(reply: FastifyReply, result: ActionResult) {
  return result.ok ? reply.code(202).send({ status: 'queued' }) : reply.code(result.status).send({ error: result.error });
}

export async function registerApiRoutes(app: FastifyInstance, context: WebContext): Promise<void> {
  app.get(
    '/api/documents',
    {
      schema: {
        tags: ['documents'],
        summary: 'Search documents by agency, year, status and file name',
        querystring: {
          type: 'object',
          properties: {
            agency: { type: 'string' },
            year: { type: 'integer' },
            status: { type: 'string', enum: ['queued', 'processing', 'published', 'dead_lettered'] },
            file: { type: 'string' },
            limit: { type: 'integer', minimum: 1, maximum: 500 },
            offset: { type: 'integer', minimum: 0 },
          },
        },
        response: { 200: { type: 'object', properties: { total: { type: 'integer' }, rows: { type: 'array', items: documentRow } } } },
      },
    },
    async (request) => searchDocuments(context.db, documentSearch(request.query as Record<string, string>)),
  );

  app.get(
    '/api/documents/:id',
    {
      schema: {
        tags: ['documents'],
        summary: "A document, its stage timeline, dead letters and reports (the one in force and the superseded ones)",
        params: idParams,
        response: { 200: anyObject, 404: error },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const document = await getDocument(context.db, id);
      if (!document) return reply.code(404).send({ error: 'no such document' });
      return { document, ...(await documentHistory(context.db, id)) };
    },
  );

  app.get(
    '/api/documents/:id/report',
    {
      schema: {
        tags: ['documents'],
        summary: 'The published canonical record (tables, metadata, narrative figures, findings)',
        params: idParams,
        response: { 200: anyObject, 404: error },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      return (await loadReportRecord(context.db, id)) ?? reply.code(404).send({ error: 'no published report' });
    },
  );

  app.post(
    '/api/documents',
    {
      config: { action: true },
      schema: {
        tags: ['submissions'],
        summary: 'Upload report files (multipart/form-data: one or more `files`, optional field `force=1`)',
        consumes: ['multipart/form-data'],
        response: {
          200: {
            type: 'object',
            properties: {
              submissions: { type: 'array', items: submission },
              failures: { type: 'array', items: { type: 'object', properties: { fileName: { type: 'string' }, error: { type: 'string' } } } },
            },
          },
          400: error,
        },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) return reply.code(400).send({ error: 'expected multipart/form-data' });
      return receiveUploads(request, context);
    },
  );

  app.post(
    '/api/imports',
    {
      config: { action: true },
      schema: {
        tags: ['submissions'],
        summary: 'Import a report from an http(s) URL; private, loopback and link-local targets are refused unless configured',
        body: { type: 'object', required: ['url'], properties: { url: { type: 'string' }, force: { type: 'boolean' } } },
        response: { 200: submission, 400: { type: 'object', properties: { error: { type: 'string' }, code: { type: 'string' } } } },
      },
    },
    async (request, reply) => {
      const body = request.body as { url: string; force?: boolean };
      try {
        return await importFromUrl(context, body.url, body.force ?? false);
      } catch (failure) {
        if (failure instanceof UrlImportError) return reply.code(400).send({ error: failure.message, code: failure.code });
        throw failure;
      }
    },
  );

  app.post(
    '/api/documents/:id/retry',
    { config: { action: true }, schema: { tags: ['documents'], summary: 'Re-drive a dead-lettered document from the stage that failed', params: idParams } },
    async (request, reply) => actionReply(reply, await retryDocument(context, (request.params as { id: string }).id)),
  );

  app.post(
    '/api/documents/:id/reprocess',
    { config: { action: true }, schema: { tags: ['documents'], summary: 'Run a document again; its new report supersedes the old one, which is kept', params: idParams } },
    async (request, reply) => actionReply(reply, await reprocessDocument(context, (request.params as { id: string }).id)),
  );

  app.get(
    '/api/dead-letters',
    {
      schema: {
        tags: ['documents'],
        summary: 'Open dead letters, oldest first',
        querystring: { type: 'object', properties: { stage: { type: 'string', enum: [...STAGES] }, errorCode: { type: 'string' } } },
        response: { 200: { type: 'array', items: anyObject } },
      },
    },
    async (request) => listDeadLetters(context.db, request.query as { stage?: string; errorCode?: string }),
  );

  app.get(
    '/api/submissions',
    {
      schema: {
        tags: ['submissions'],
        summary: 'Agencies × years: published, with errors, in progress, dead-lettered; expected agencies without a report are missing',
        response: { 200: anyObject },
      },
    },
    async () => submissionsMatrix(context.db, await context.expectedAgencies()),
  );

  for (const [kind, columns] of [
    ['cells', CELL_COLUMNS],
    ['findings', FINDING_COLUMNS],
  ] as const) {
    for (const format of ['csv', 'xlsx'] as const) {
      app.get(
        `/api/export/${kind}.${format}`,
        { schema: { tags: ['export'], summary: `${kind} of published reports as ${format.toUpperCase()}, filtered by year and region`, querystring: exportQuery } },
        async (request, reply) => {
          const query = request.query as { year?: string; region?: string };
          const filter: ExportFilter = { year: query.year ? Number(query.year) : undefined, region: query.region || undefined };
          const expected = await context.expectedAgencies();
          const rows = kind === 'cells' ? await exportCells(context.db, filter, expected) : await exportFindings(context.db, filter, expected);
          const name = `gongkai-${kind}${filter.year ? `-${filter.year}` : ''}.${format}`;
          reply.header('content-disposition', `attachment; filename="${name}"`);
          if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(toCsv(rows as object[], columns as never));
          const workbook = await toXlsx([{ name: kind, rows, columns: columns as never }]);
          return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(workbook);
        },
      );
    }
  }
}
