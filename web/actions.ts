/** What the pages and the API both do (uploads: web/uploads.ts): take URL imports, retry and reprocess documents, read search filters. */
import { DOCUMENT_SORTS, DOCUMENTS_PAGE_SIZE, type DocumentSearch } from '../shared/db/browse';
import { listDeadLetters } from '../shared/db/dead-letters';
import { getDocument } from '../shared/db/documents';
import type { DocumentStatus } from '../shared/db/schema';
import { SEVERITIES, statusName } from './labels';
import { isStage } from '../shared/pipeline';
import { restartDocument, submitFile, type PipelineDeps, type Submission } from '../shared/submissions';
import type { WebContext } from './context';
import { fetchForImport } from './url-import';

export async function importFromUrl(context: WebContext, url: string, force: boolean): Promise<Submission> {
  const file = await fetchForImport(url, {
    allowPrivate: context.config.web.allowPrivateImports,
    maxBytes: context.config.maxFileBytes,
    timeoutMs: context.config.web.importTimeoutMs,
  });
  return submitFile(context, { bytes: file.bytes, fileName: file.fileName }, { force });
}

/** Why an action was refused, in both languages: a page shows its own; the API sends the English as `error` and the Chinese beside it. */
export interface Refusal {
  zh: string;
  en: string;
}

/** Why a retry of a permanent failure is refused, and what to do instead. */
export function permanentRetryRefusal(errorCode: string): Refusal {
  return {
    zh: `${errorCode} 是永久性错误：重试同一文件不会成功，请驳回或上传更正后的文件。`,
    en: `${errorCode} is permanent: retrying the same file cannot succeed; dismiss it or answer it with a corrected file.`,
  };
}

export type ActionResult = { ok: true } | { ok: false; status: 404 | 409; error: Refusal };

const NO_SUCH_DOCUMENT: Refusal = { zh: '没有这个文档。', en: 'no such document' };

function alreadyRedriven(round: number): ActionResult {
  return { ok: false, status: 409, error: { zh: `已由他人重新处理：这个文档现在是第 ${round} 轮。`, en: `already re-driven by somebody else: the document is now in round ${round}` } };
}

/** The round a form or API call says it saw (`round`), if it names one; the first value given wins. */
export function seenRoundOf(...values: unknown[]): number | undefined {
  const given = values.find((value) => value !== undefined && value !== '');
  const round = Number(given);
  return given !== undefined && Number.isInteger(round) && round >= 0 ? round : undefined;
}

/**
 * Re-drives a dead-lettered document from the stage that failed. With `seenRound` (the round the page
 * showed) it happens only if that is still the document's round, so two clicks or two operators start
 * one new round; without it, from the round read here.
 */
export async function retryDocument(context: PipelineDeps, documentId: string, seenRound?: number): Promise<ActionResult> {
  const document = await getDocument(context.db, documentId);
  if (!document) return { ok: false, status: 404, error: NO_SUCH_DOCUMENT };
  if (seenRound !== undefined && seenRound !== document.round) return alreadyRedriven(document.round);
  if (document.status !== 'dead_lettered') {
    return {
      ok: false,
      status: 409,
      error: { zh: `这个文档的状态是“${statusName(document.status, 'zh-CN')}”，不是死信，无需重试。`, en: `the document is ${document.status}, not dead-lettered` },
    };
  }
  const permanent = (await listDeadLetters(context.db, { documentId })).find((letter) => letter.permanent);
  if (permanent) return { ok: false, status: 409, error: permanentRetryRefusal(permanent.errorCode) };
  // A document is dead-lettered only at the stage it had reached, so that is the stage that failed.
  const restarted = await restartDocument(context, document, isStage(document.current_stage) ? document.current_stage : 'ingest', { onlyIfDeadLettered: true });
  return restarted ? { ok: true } : alreadyRedriven(document.round + 1);
}

/** Runs a document again from ingest; `seenRound` as for retryDocument. */
export async function reprocessDocument(context: PipelineDeps, documentId: string, seenRound?: number): Promise<ActionResult> {
  const document = await getDocument(context.db, documentId);
  if (!document) return { ok: false, status: 404, error: NO_SUCH_DOCUMENT };
  if (seenRound !== undefined && seenRound !== document.round) return alreadyRedriven(document.round);
  const restarted = await restartDocument(context, document, 'ingest');
  return restarted ? { ok: true } : alreadyRedriven(document.round + 1);
}

const STATUSES: readonly DocumentStatus[] = ['queued', 'processing', 'published', 'dead_lettered'];

type SearchQuery = Record<string, string | number | boolean | undefined>;

const text = (value: SearchQuery[string]): string | undefined => (value === undefined ? undefined : String(value).trim() || undefined);

/**
 * The documents list's filters, sort and page from a query string (the page's and the API's):
 * `page` (1-based) is the page's way to say where, `offset` the API's; `page` wins.
 */
export function documentSearch(query: SearchQuery): DocumentSearch {
  const year = Number(query.year);
  const limitAsked = Number(query.limit);
  const limit = Number.isInteger(limitAsked) && limitAsked > 0 ? Math.min(limitAsked, 500) : DOCUMENTS_PAGE_SIZE;
  const page = Number(query.page);
  const offset = Number(query.offset);
  const sort = DOCUMENT_SORTS.find((column) => column === query.sort);
  return {
    agency: text(query.agency),
    year: Number.isInteger(year) && year > 0 ? year : undefined,
    status: STATUSES.find((status) => status === query.status),
    fileName: text(query.file),
    rule: text(query.rule),
    severity: SEVERITIES.find((severity) => severity === query.severity),
    hasErrors: query.hasErrors === true || query.hasErrors === '1' || query.hasErrors === 'true' ? true : undefined,
    limit,
    offset: Number.isInteger(page) && page > 1 ? (page - 1) * limit : Number.isInteger(offset) && offset > 0 ? offset : 0,
    sort,
    direction: query.dir === 'asc' || query.dir === 'desc' ? query.dir : undefined,
  };
}
