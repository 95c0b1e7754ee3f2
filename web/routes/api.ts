/** The JSON API behind the pages, described by its schemas in the OpenAPI document at /api/docs. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DOCUMENT_SORTS, documentHistory, searchDocuments, submissionsMatrix } from '../../shared/db/browse';
import { listDeadLetters } from '../../shared/db/dead-letters';
import { getDocument } from '../../shared/db/documents';
import { loadReportRecord } from '../../shared/db/reports';
import { STAGES } from '../../shared/pipeline';
import { documentSearch, importFromUrl, reprocessDocument, retryDocument, seenRoundOf, type ActionResult } from '../actions';
import type { WebContext } from '../context';
import { receiveUpload } from '../uploads';
import { UrlImportError } from '../url-import';

const anyObject = { type: 'object', additionalProperties: true } as const;
const error = { type: 'object', properties: { error: { type: 'string' } } } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } } as const;
const seenRoundQuery = {
  type: 'object',
  properties: {
    round: {
      type: 'integer',
      minimum: 0,
      description: 'The round the caller saw (also accepted as `round` in a JSON body). If the document has moved on since, nothing is started and the answer is 409: it was already re-driven.',
    },
  },
} as const;

/** The round a caller saw, from the query string or a JSON body. */
function seenRoundIn(request: FastifyRequest): number | undefined {
  return seenRoundOf((request.query as { round?: unknown } | undefined)?.round, (request.body as { round?: unknown } | null | undefined)?.round);
}
const submission = {
  type: 'object',
  properties: {
    documentId: { type: 'string' },
    fileName: { type: 'string' },
    created: { type: 'boolean', description: 'false when the same bytes were submitted before' },
    reprocessed: { type: 'boolean', description: 'true when a document submitted before runs again' },
    alreadyUnderWay: { type: 'boolean', description: 'true when it was forced but a round of it was already under way (re-driven by somebody else, or still on its first run), so none was started' },
    status: { type: 'string' },
    round: { type: 'integer' },
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
    agency: { type: ['string', 'null'], description: 'as the report prints it' },
    agencyFullName: { type: ['string', 'null'], description: 'with the place the printed name omits' },
    year: { type: ['integer', 'null'] },
    template: { type: ['string', 'null'] },
    errors: { type: 'integer' },
    warnings: { type: 'integer' },
    critical: { type: 'integer' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

function actionReply(reply: FastifyReply, result: ActionResult) {
  return result.ok ? reply.code(202).send({ status: 'queued' }) : reply.code(result.status).send({ error: result.error.en, errorZh: result.error.zh });
}

export async function registerApiRoutes(app: FastifyInstance, context: WebContext): Promise<void> {
  app.get(
    '/api/documents',
    {
      schema: {
        tags: ['documents'],
        summary: 'Search documents by agency, year, status, file name and findings; sorted and paged as the documents page',
        querystring: {
          type: 'object',
          properties: {
            agency: { type: 'string' },
            year: { type: 'integer' },
            status: { type: 'string', enum: ['queued', 'processing', 'published', 'dead_lettered'] },
            file: { type: 'string' },
            rule: { type: 'string', description: 'documents with a finding of this rule, e.g. APPLICATIONS_BALANCE' },
            severity: { type: 'string', enum: ['critical', 'error', 'warning'], description: 'documents with a finding of this severity' },
            hasErrors: { type: 'boolean', description: 'documents with an error or critical finding' },
            sort: { type: 'string', enum: [...DOCUMENT_SORTS], description: 'names sort with numbers as numbers (第10区 before 第100区); default updated' },
            dir: { type: 'string', enum: ['asc', 'desc'], description: 'default: names ascending, year, errors and updated descending' },
            limit: { type: 'integer', minimum: 1, maximum: 500 },
            page: { type: 'integer', minimum: 1, description: '1-based page of `limit` rows; takes precedence over offset' },
            offset: { type: 'integer', minimum: 0 },
          },
        },
        response: { 200: { type: 'object', properties: { total: { type: 'integer' }, rows: { type: 'array', items: documentRow } } } },
      },
    },
    async (request) => searchDocuments(context.db, documentSearch(request.query as Record<string, string | number | boolean>)),
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
        summary: 'Upload report files (multipart/form-data: one or more `files`, ZIPs read entry by entry, optional field `force=1`) as a batch; see also POST /api/batches',
        consumes: ['multipart/form-data'],
        response: {
          200: {
            type: 'object',
            properties: {
              batchId: { type: 'string' },
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
      const upload = await receiveUpload(request, context, { createdBy: request.user ?? 'token' });
      request.auditDetail = { batchId: upload.batchId, files: upload.files, accepted: upload.accepted.length, refused: upload.refused.length };
      return { batchId: upload.batchId, submissions: upload.accepted, failures: upload.refused.map((refusal) => ({ fileName: refusal.path, error: refusal.detail })) };
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
    { config: { action: true }, schema: { tags: ['documents'], summary: 'Re-drive a dead-lettered document from the stage that failed', params: idParams, querystring: seenRoundQuery } },
    async (request, reply) => actionReply(reply, await retryDocument(context, (request.params as { id: string }).id, seenRoundIn(request))),
  );

  app.post(
    '/api/documents/:id/reprocess',
    { config: { action: true }, schema: { tags: ['documents'], summary: 'Run a document again; its new report supersedes the old one, which is kept', params: idParams, querystring: seenRoundQuery } },
    async (request, reply) => actionReply(reply, await reprocessDocument(context, (request.params as { id: string }).id, seenRoundIn(request))),
  );

  app.get(
    '/api/dead-letters',
    {
      schema: {
        tags: ['dead-letters'],
        summary: 'Open (neither re-driven, answered nor dismissed) dead letters, oldest first; `permanent` ones cannot succeed by a retry',
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
        summary: 'Agencies (one row per identity, with province, city and county) × years: the state of the copy that counts (published, with errors, in progress, dead-lettered) and how many copies; expected agencies without a report have no cell (missing)',
        response: { 200: anyObject },
      },
    },
    async () => submissionsMatrix(context.db, await context.expectedAgencies()),
  );
}
