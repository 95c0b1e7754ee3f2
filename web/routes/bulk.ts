/**
 * Bulk work: uploads (files, folders, ZIPs) as batches with a progress page, and the dead letters
 * page — bulk retry by stage or error code, dismiss with a reason, answer with a corrected file —
 * with the JSON API behind them.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { batchDocuments, countBatches, getBatch, listBatches, type BatchDocumentState } from '../../shared/db/batches';
import { DEAD_LETTER_SORTS, countDeadLetters, countOpenDeadLetters, listDeadLetters, type DeadLetterFilter } from '../../shared/db/dead-letters';
import { STAGES, isStage } from '../../shared/pipeline';
import { answerDeadLetter, dismissDeadLetter, redriveDeadLetters } from '../../shared/submissions';
import { importFromUrl, retryDocument, seenRoundOf } from '../actions';
import { html, page, type Markup } from '../html';
import { say } from '../i18n';
import { pageContextOf } from '../page-context';
import type { WebContext } from '../context';
import { receiveUpload, uploadLimits, type ReceivedUpload } from '../uploads';
import { BATCHES_PAGE_SIZE, BATCH_PAGE_SIZE, DEAD_LETTERS_PAGE_SIZE, batchInFlight, batchView, batchesView, deadLettersView } from '../views/bulk';
import { offsetParam } from '../views/pager';
import { submittedView, uploadView } from '../views/upload';

type Form = Record<string, string | undefined>;

const BATCH_STATES: readonly BatchDocumentState[] = ['queued', 'processing', 'published', 'dead_lettered', 'dismissed', 'replaced'];

/** Who made a batch or dismissed a letter: the signed-in user, else an API token. */
function actingUser(request: FastifyRequest): string {
  return request.user ?? 'token';
}

function letterFilter(query: Form): DeadLetterFilter {
  const stage = query.stage?.trim();
  const errorCode = query.errorCode?.trim();
  return { stage: stage && isStage(stage) ? stage : undefined, errorCode: errorCode || undefined };
}

/** Re-drives the retryable letters a filter matches; the permanent ones are counted, not retried. */
async function retryMatching(context: WebContext, filter: DeadLetterFilter): Promise<{ redriven: string[]; skippedPermanent: number }> {
  const skippedPermanent = (await listDeadLetters(context.db, filter)).filter((letter) => letter.permanent).length;
  const redriven = await redriveDeadLetters(context, { ...filter, retryableOnly: true });
  return { redriven, skippedPermanent };
}

type ReplaceOutcome =
  | { ok: true; replacementId: string; upload: ReceivedUpload; errorCode: string }
  | { ok: false; status: 400 | 404 | 409; error: string; upload?: ReceivedUpload };

/** A corrected file for a dead letter: submitted as a new document (a batch of one), and the letter resolved by it. */
async function answerWithFile(request: FastifyRequest, context: WebContext, documentId: string): Promise<ReplaceOutcome> {
  const [letter] = await listDeadLetters(context.db, { documentId });
  if (!letter) return { ok: false, status: 404, error: '这个文件没有未处理的死信。The document has no open dead letter.' };
  const upload = await receiveUpload(request, context, { createdBy: actingUser(request), maxFiles: 1 });
  const [replacement] = upload.accepted;
  if (!replacement) return { ok: false, status: 400, error: '没有收到可用的文件。No usable file came with the request.', upload };
  if (replacement.documentId === documentId) return { ok: false, status: 409, error: '这就是失败的那个文件，内容完全相同。That is the failed file itself, byte for byte.', upload };
  await answerDeadLetter(context, documentId, replacement.documentId);
  return { ok: true, replacementId: replacement.documentId, upload, errorCode: letter.errorCode };
}

const anyObject = { type: 'object', additionalProperties: true } as const;
const error = { type: 'object', properties: { error: { type: 'string' } }, additionalProperties: true } as const;
const documentParams = { type: 'object', required: ['documentId'], properties: { documentId: { type: 'string', format: 'uuid' } } } as const;
const refusal = { type: 'object', properties: { path: { type: 'string' }, reason: { type: 'string' }, detail: { type: 'string' } } } as const;
const receivedUpload = {
  type: 'object',
  properties: {
    batchId: { type: 'string' },
    files: { type: 'integer', description: 'files seen, ZIP entries counted, junk (folders, __MACOSX/, .DS_Store, Thumbs.db) not' },
    skipped: { type: 'integer' },
    accepted: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          path: { type: 'string', description: 'as uploaded, inside its folder or ZIP' },
          documentId: { type: 'string' },
          fileName: { type: 'string' },
          created: { type: 'boolean', description: 'false when the same bytes were submitted before' },
          reprocessed: { type: 'boolean' },
          status: { type: 'string' },
        },
      },
    },
    refused: { type: 'array', items: refusal },
  },
} as const;

export async function registerBulkRoutes(app: FastifyInstance, context: WebContext): Promise<void> {
  const send = (reply: FastifyReply, request: FastifyRequest, title: string, body: Markup, options: { refreshSeconds?: number } = {}) =>
    reply.type('text/html; charset=utf-8').send(page(title, pageContextOf(request, context), body, options));
  const notDone = (reply: FastifyReply, request: FastifyRequest, status: number, message: string, back: string) => {
    const locale = pageContextOf(request, context).locale;
    reply.code(status);
    const title = say(locale, '未完成', 'Not done');
    return send(reply, request, title, html`<h1>${title}</h1><p class="banner">${message}</p><p><a href="${back}">${say(locale, '返回', 'Back')}</a></p>`);
  };
  const auditUpload = (request: FastifyRequest, upload: ReceivedUpload) => {
    request.auditDetail = { batchId: upload.batchId, files: upload.files, accepted: upload.accepted.length, refused: upload.refused.length };
  };

  // Pages.

  app.get('/upload', async (request, reply) => {
    const pageContext = pageContextOf(request, context);
    return send(reply, request, say(pageContext.locale, '上传', 'Upload'), uploadView(pageContext, uploadLimits(context.config)));
  });

  app.post('/upload', { config: { action: true, audit: 'batch.create' } }, async (request, reply) => {
    if (!request.isMultipart()) return notDone(reply, request, 400, say(pageContextOf(request, context).locale, '上传必须是 multipart/form-data 表单。', 'An upload must be a multipart/form-data form.'), '/upload');
    const upload = await receiveUpload(request, context, { createdBy: actingUser(request) });
    auditUpload(request, upload);
    return reply.redirect(`/batches/${upload.batchId}`, 303);
  });

  app.post('/import', { config: { action: true } }, async (request, reply) => {
    const body = (request.body ?? {}) as Form;
    const url = body.url ?? '';
    const locale = pageContextOf(request, context).locale;
    try {
      const submission = await importFromUrl(context, url, body.force === '1');
      return send(reply, request, say(locale, '已提交', 'Submitted'), submittedView(locale, [submission], []));
    } catch (failure) {
      reply.code(400);
      return send(reply, request, say(locale, '导入被拒绝', 'Import refused'), submittedView(locale, [], [{ fileName: url, error: failure instanceof Error ? failure.message : String(failure) }]));
    }
  });

  app.get('/batches', async (request, reply) => {
    const pageContext = pageContextOf(request, context);
    const window = { offset: offsetParam((request.query as Form).offset), limit: BATCHES_PAGE_SIZE };
    const [batches, total] = await Promise.all([listBatches(context.db, window), countBatches(context.db)]);
    return send(reply, request, say(pageContext.locale, '上传批次', 'Upload batches'), batchesView(pageContext, batches, { ...window, total }));
  });

  app.get('/batches/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const query = request.query as Form;
    const pageContext = pageContextOf(request, context);
    const batch = /^[0-9a-f-]{36}$/i.test(id) ? await getBatch(context.db, id) : undefined;
    if (!batch) return notDone(reply, request, 404, say(pageContext.locale, `没有批次 ${id}。`, `No batch ${id}.`), '/batches');
    const offset = offsetParam(query.offset);
    const state = BATCH_STATES.find((candidate) => candidate === query.state);
    const documents = await batchDocuments(context.db, id, { limit: BATCH_PAGE_SIZE, offset, state });
    return send(reply, request, say(pageContext.locale, '上传批次', 'Upload batch'), batchView(pageContext, batch, documents, { offset, state }), {
      refreshSeconds: batchInFlight(batch) ? 3 : undefined,
    });
  });

  app.get('/dead-letters', async (request, reply) => {
    const query = request.query as Form;
    const pageContext = pageContextOf(request, context);
    const filter = letterFilter(query);
    const order = { sort: DEAD_LETTER_SORTS.find((sort) => sort === query.sort), direction: (['asc', 'desc'] as const).find((direction) => direction === query.dir) };
    const window = { offset: offsetParam(query.offset), limit: DEAD_LETTERS_PAGE_SIZE };
    const [groups, letters, total] = await Promise.all([
      countOpenDeadLetters(context.db),
      listDeadLetters(context.db, filter, { ...window, ...order }),
      countDeadLetters(context.db, filter),
    ]);
    const count = (value: string | undefined) => (value === undefined ? undefined : Number(value) || 0);
    const notice =
      query.retried !== undefined || query.dismissed || query.replaced
        ? { retried: count(query.retried), skipped: count(query.skipped), dismissed: query.dismissed, replaced: query.replaced }
        : null;
    return send(reply, request, say(pageContext.locale, '死信', 'Dead letters'), deadLettersView(pageContext, { filter, groups, letters, page: { ...window, total }, order, notice }));
  });

  app.post('/dead-letters/retry', { config: { action: true } }, async (request, reply) => {
    const filter = letterFilter((request.body ?? {}) as Form);
    const { redriven, skippedPermanent } = await retryMatching(context, filter);
    request.auditDetail = { stage: filter.stage ?? null, errorCode: filter.errorCode ?? null, retried: redriven.length, skippedPermanent };
    return reply.redirect(`/dead-letters?retried=${redriven.length}&skipped=${skippedPermanent}`, 303);
  });

  app.post('/dead-letters/:documentId/retry', { config: { action: true } }, async (request, reply) => {
    const { documentId } = request.params as { documentId: string };
    const result = await retryDocument(context, documentId, seenRoundOf(((request.body ?? {}) as Form).round));
    if (!result.ok) return notDone(reply, request, result.status, say(pageContextOf(request, context).locale, result.error.zh, result.error.en), '/dead-letters');
    return reply.redirect('/dead-letters?retried=1&skipped=0', 303);
  });

  app.post('/dead-letters/:documentId/dismiss', { config: { action: true } }, async (request, reply) => {
    const { documentId } = request.params as { documentId: string };
    const reason = ((request.body ?? {}) as Form).reason?.trim() ?? '';
    const locale = pageContextOf(request, context).locale;
    if (!reason) return notDone(reply, request, 400, say(locale, '驳回需要填写理由。', 'Dismissing needs a reason.'), '/dead-letters');
    const [letter] = await listDeadLetters(context.db, { documentId });
    if (!letter || !(await dismissDeadLetter(context, documentId, { by: actingUser(request), reason }))) {
      return notDone(reply, request, 404, say(locale, '这个文件没有未处理的死信。', 'The document has no open dead letter.'), '/dead-letters');
    }
    request.auditDetail = { reason, errorCode: letter.errorCode, stage: letter.stage };
    return reply.redirect(`/dead-letters?dismissed=${documentId}`, 303);
  });

  app.post('/dead-letters/:documentId/replace', { config: { action: true } }, async (request, reply) => {
    const { documentId } = request.params as { documentId: string };
    const locale = pageContextOf(request, context).locale;
    if (!request.isMultipart()) return notDone(reply, request, 400, say(locale, '请选择一个文件上传。', 'Choose a file to upload.'), '/dead-letters');
    const outcome = await answerWithFile(request, context, documentId);
    if (!outcome.ok) {
      const refused = outcome.upload?.refused.map((refusal) => `${refusal.path}: ${refusal.detail}`).join('; ');
      return notDone(reply, request, outcome.status, refused ? `${outcome.error} ${refused}` : outcome.error, '/dead-letters');
    }
    request.auditDetail = { replacedBy: outcome.replacementId, batchId: outcome.upload.batchId, errorCode: outcome.errorCode };
    return reply.redirect(`/dead-letters?replaced=${outcome.replacementId}`, 303);
  });

  // The JSON API.

  app.post(
    '/api/batches',
    {
      config: { action: true, audit: 'batch.create' },
      schema: {
        tags: ['batches'],
        summary: 'Upload files as a batch (multipart/form-data: any number of `files`, ZIPs read entry by entry; optional field `force=1` before them)',
        description: 'Files over a limit are refused one by one and listed with the reason; the others are accepted.',
        consumes: ['multipart/form-data'],
        response: { 201: receivedUpload, 400: error },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) return reply.code(400).send({ error: 'expected multipart/form-data' });
      const upload = await receiveUpload(request, context, { createdBy: actingUser(request) });
      auditUpload(request, upload);
      return reply.code(201).send(upload);
    },
  );

  app.get(
    '/api/batches/:id',
    {
      schema: {
        tags: ['batches'],
        summary: "A batch: files, accepted, refused with reasons, its documents' counts by state and stage, and its documents",
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } },
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 10000 }, offset: { type: 'integer', minimum: 0 } } },
        response: { 200: anyObject, 404: error },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const query = request.query as { limit?: number; offset?: number };
      const batch = await getBatch(context.db, id);
      if (!batch) return reply.code(404).send({ error: 'no such batch' });
      return { ...batch, documents: await batchDocuments(context.db, id, { limit: query.limit ?? 10000, offset: query.offset ?? 0 }) };
    },
  );

  app.post(
    '/api/dead-letters/retry',
    {
      config: { action: true },
      schema: {
        tags: ['dead-letters'],
        summary: 'Re-drive every open dead letter of a stage and/or error code (all when neither is given); permanent failures are skipped and counted',
        body: { type: 'object', properties: { stage: { type: 'string', enum: [...STAGES] }, errorCode: { type: 'string' } }, additionalProperties: false },
        response: { 200: { type: 'object', properties: { redriven: { type: 'array', items: { type: 'string' } }, skippedPermanent: { type: 'integer' } } } },
      },
    },
    async (request) => {
      const filter = letterFilter((request.body ?? {}) as Form);
      const outcome = await retryMatching(context, filter);
      request.auditDetail = { stage: filter.stage ?? null, errorCode: filter.errorCode ?? null, retried: outcome.redriven.length, skippedPermanent: outcome.skippedPermanent };
      return outcome;
    },
  );

  app.post(
    '/api/dead-letters/:documentId/dismiss',
    {
      config: { action: true },
      schema: {
        tags: ['dead-letters'],
        summary: "Dismiss a document's open dead letter with a reason: it leaves the open list and the document shows as dismissed",
        params: documentParams,
        body: { type: 'object', required: ['reason'], properties: { reason: { type: 'string', minLength: 1, maxLength: 2000 } } },
        response: { 200: { type: 'object', properties: { dismissed: { type: 'boolean' } } }, 404: error },
      },
    },
    async (request, reply) => {
      const { documentId } = request.params as { documentId: string };
      const reason = (request.body as { reason: string }).reason.trim();
      const [letter] = await listDeadLetters(context.db, { documentId });
      if (!letter || !reason || !(await dismissDeadLetter(context, documentId, { by: actingUser(request), reason }))) {
        return reply.code(404).send({ error: 'the document has no open dead letter' });
      }
      request.auditDetail = { reason, errorCode: letter.errorCode, stage: letter.stage };
      return { dismissed: true };
    },
  );

  app.post(
    '/api/dead-letters/:documentId/replace',
    {
      config: { action: true },
      schema: {
        tags: ['dead-letters'],
        summary: "Answer a document's open dead letter with a corrected file (multipart/form-data, one `file`): submitted as a new document, the letter resolved by it",
        consumes: ['multipart/form-data'],
        params: documentParams,
        response: {
          201: { type: 'object', properties: { documentId: { type: 'string' }, batchId: { type: 'string' } } },
          400: { type: 'object', properties: { error: { type: 'string' }, refused: { type: 'array', items: refusal } } },
          404: error,
          409: error,
        },
      },
    },
    async (request, reply) => {
      const { documentId } = request.params as { documentId: string };
      if (!request.isMultipart()) return reply.code(400).send({ error: 'expected multipart/form-data' });
      const outcome = await answerWithFile(request, context, documentId);
      if (!outcome.ok) return reply.code(outcome.status).send({ error: outcome.error, refused: outcome.upload?.refused ?? [] });
      request.auditDetail = { replacedBy: outcome.replacementId, batchId: outcome.upload.batchId, errorCode: outcome.errorCode };
      return reply.code(201).send({ documentId: outcome.replacementId, batchId: outcome.upload.batchId });
    },
  );
}
