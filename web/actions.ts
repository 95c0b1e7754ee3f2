/** What the pages and the API both do: take uploads and URL imports, retry and reprocess documents, read search filters. */
import path from 'node:path';
import type { FastifyRequest } from 'fastify';
import type { DocumentSearch } from '../shared/db/browse';
import { getDocument } from '../shared/db/documents';
import type { DocumentStatus } from '../shared/db/schema';
import { isStage } from '../shared/pipeline';
import { restartDocument, submitFile, type Submission } from '../shared/submissions';
import type { WebContext } from './server';
import { fetchForImport } from './url-import';

export interface UploadOutcome {
  submissions: Submission[];
  failures: Array<{ fileName: string; error: string }>;
}

/** A browser sends the name the user's machine gave the file; only its last part is kept. */
function cleanFileName(name: string): string {
  return path.basename(name.replace(/\\/g, '/')) || 'upload';
}

/** Each file of a multipart upload is submitted on its own: one refused file does not refuse the others. */
export async function receiveUploads(request: FastifyRequest, context: WebContext): Promise<UploadOutcome> {
  const outcome: UploadOutcome = { submissions: [], failures: [] };
  const files: Array<{ bytes: Buffer; fileName: string }> = [];
  let force = false;
  for await (const part of request.parts()) {
    if (part.type === 'field') {
      if (part.fieldname === 'force') force = part.value === '1' || part.value === 'true';
      continue;
    }
    const fileName = cleanFileName(part.filename);
    const bytes = await part.toBuffer();
    if (part.file.truncated) outcome.failures.push({ fileName, error: `larger than the limit of ${context.config.maxFileBytes / 1024 / 1024} MB` });
    else if (bytes.length === 0) outcome.failures.push({ fileName, error: 'the file is empty' });
    else files.push({ bytes, fileName });
  }
  for (const file of files) outcome.submissions.push(await submitFile(context, file, { force }));
  return outcome;
}

export async function importFromUrl(context: WebContext, url: string, force: boolean): Promise<Submission> {
  const file = await fetchForImport(url, {
    allowPrivate: context.config.web.allowPrivateImports,
    maxBytes: context.config.maxFileBytes,
    timeoutMs: context.config.web.importTimeoutMs,
  });
  return submitFile(context, { bytes: file.bytes, fileName: file.fileName }, { force });
}

export type ActionResult = { ok: true } | { ok: false; status: 404 | 409; error: string };

export async function retryDocument(context: WebContext, documentId: string): Promise<ActionResult> {
  const document = await getDocument(context.db, documentId);
  if (!document) return { ok: false, status: 404, error: 'no such document' };
  if (document.status !== 'dead_lettered') return { ok: false, status: 409, error: `the document is ${document.status}, not dead-lettered` };
  // A document is dead-lettered only at the stage it had reached, so that is the stage that failed.
  const restarted = await restartDocument(context, document, isStage(document.current_stage) ? document.current_stage : 'ingest');
  return restarted ? { ok: true } : { ok: false, status: 409, error: 'the document was re-driven by somebody else meanwhile' };
}

export async function reprocessDocument(context: WebContext, documentId: string): Promise<ActionResult> {
  const document = await getDocument(context.db, documentId);
  if (!document) return { ok: false, status: 404, error: 'no such document' };
  const restarted = await restartDocument(context, document, 'ingest');
  return restarted ? { ok: true } : { ok: false, status: 409, error: 'the document was restarted by somebody else meanwhile' };
}

const STATUSES: readonly DocumentStatus[] = ['queued', 'processing', 'published', 'dead_lettered'];
export const PAGE_SIZE = 50;

export function documentSearch(query: Record<string, string | undefined>): DocumentSearch {
  const year = Number(query.year);
  const offset = Number(query.offset);
  const limit = Number(query.limit);
  return {
    agency: query.agency?.trim() || undefined,
    year: Number.isInteger(year) && year > 0 ? year : undefined,
    status: STATUSES.find((status) => status === query.status),
    fileName: query.file?.trim() || undefined,
    limit: Number.isInteger(limit) && limit > 0 ? Math.min(limit, 500) : PAGE_SIZE,
    offset: Number.isInteger(offset) && offset > 0 ? offset : 0,
  };
}
