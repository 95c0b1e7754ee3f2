/** Upload batches (their progress, what was refused) and the dead letters page (filter, bulk retry, dismiss, answer with a file). */
import type { BatchDocumentRow, BatchDocumentState, BatchListRow, BatchSummary } from '../../shared/db/batches';
import type { DeadLetterRow, DeadLetterSort } from '../../shared/db/dead-letters';
import { STAGES } from '../../shared/pipeline';
import { csrfAction, csrfField, html, queryString, type Markup, type PageContext } from '../html';
import { formatNumber, formatTime, say, type Locale } from '../i18n';
import { errorCodeName, stageName, statusName } from '../labels';
import { canAct } from '../page-context';
import { pager, type PageWindow } from './pager';
import { refusalReason } from './upload';

/** What a person did with a dead letter; the document statuses are named in web/labels.ts. */
const HANDLED_WORDS: Record<'dismissed' | 'replaced', [string, string]> = {
  dismissed: ['已驳回', 'dismissed'],
  replaced: ['已由更正文件替换', 'replaced by a corrected file'],
};
const STATE_ORDER: BatchDocumentState[] = ['queued', 'processing', 'published', 'dead_lettered', 'dismissed', 'replaced'];

export function stateName(state: BatchDocumentState, locale: Locale): string {
  return state === 'dismissed' || state === 'replaced' ? say(locale, ...HANDLED_WORDS[state]) : statusName(state, locale);
}

function stateBadge(state: BatchDocumentState, locale: Locale): Markup {
  return html`<span class="status ${state}">${stateName(state, locale)}</span>`;
}

/** Documents still on their way: the batch page refreshes itself while there are any. */
export function batchInFlight(batch: BatchSummary): boolean {
  return batch.receivedAt === null || batch.counts.some((row) => row.state === 'queued' || row.state === 'processing');
}

export const BATCH_PAGE_SIZE = 200;

export function batchView(
  context: PageContext,
  batch: BatchSummary,
  documents: BatchDocumentRow[],
  page: { offset: number; state?: BatchDocumentState },
): Markup {
  const { locale } = context;
  const n = (value: number) => formatNumber(value, locale);
  const totals = new Map<BatchDocumentState, number>();
  for (const row of batch.counts) totals.set(row.state, (totals.get(row.state) ?? 0) + row.count);
  const stages = STAGES.filter((stage) => batch.counts.some((row) => row.stage === stage));
  const documentCount = [...totals.values()].reduce((sum, count) => sum + count, 0);
  const filterLink = (state: BatchDocumentState | undefined, offset = 0) => `/batches/${batch.id}${queryString({ state, offset: offset || undefined })}`;
  return html`<h1>${say(locale, '上传批次', 'Upload batch')} <code>${batch.id.slice(0, 8)}</code></h1>
<dl class="meta batch">
  <dt>${say(locale, '上传者', 'Uploaded by')}</dt><dd>${batch.createdBy}</dd>
  <dt>${say(locale, '时间', 'At')}</dt><dd>${formatTime(batch.createdAt)}${batch.receivedAt ? '' : html` · <strong>${say(locale, '仍在接收', 'still being received')}</strong>`}</dd>
  <dt>${say(locale, '文件', 'Files')}</dt><dd><span data-count="files">${n(batch.files)}</span></dd>
  <dt>${say(locale, '已接收', 'Accepted')}</dt><dd><strong data-count="accepted">${n(batch.accepted)}</strong></dd>
  <dt>${say(locale, '被拒收', 'Refused')}</dt><dd><span data-count="refused">${n(batch.refused.length)}</span></dd>
  ${batch.skipped > 0 ? html`<dt>${say(locale, '已忽略', 'Skipped')}</dt><dd>${n(batch.skipped)} <span class="muted">${say(locale, '（文件夹、__MACOSX、.DS_Store、Thumbs.db 等）', '(folders, __MACOSX, .DS_Store, Thumbs.db …)')}</span></dd>` : ''}
</dl>
<h2>${say(locale, '进度', 'Progress')}</h2>
<table class="grid batch-progress">
<thead><tr><th>${say(locale, '状态', 'State')}</th><th>${say(locale, '合计', 'Total')}</th>${stages.map((stage) => html`<th>${stageName(stage, locale)}</th>`)}</tr></thead>
<tbody>${STATE_ORDER.filter((state) => totals.has(state)).map(
    (state) =>
      html`<tr><td><a href="${filterLink(state)}">${stateBadge(state, locale)}</a></td><td class="num" data-state="${state}">${n(totals.get(state)!)}</td>${stages.map((stage) => {
        const count = batch.counts.find((row) => row.state === state && row.stage === stage)?.count;
        return html`<td class="num">${count ? n(count) : ''}</td>`;
      })}</tr>`,
  )}</tbody>
</table>
${batchInFlight(batch) ? html`<p class="muted">${say(locale, '本页每 3 秒刷新一次，直到所有文件都已发布或失败。', 'This page refreshes every 3 seconds until every file is published or has failed.')}</p>` : ''}
${(totals.get('dead_lettered') ?? 0) > 0 ? html`<p><a href="/dead-letters">${say(locale, '处理失败的文件（重试、驳回或上传更正文件）→', 'Deal with the failed files (retry, dismiss or answer with a corrected file) →')}</a></p>` : ''}
${
  batch.refused.length > 0
    ? html`<h2>${say(locale, '被拒收的文件', 'Refused files')}</h2>
<table class="grid refused"><thead><tr><th>${say(locale, '文件', 'File')}</th><th>${say(locale, '原因', 'Reason')}</th><th>${say(locale, '详情', 'Detail')}</th></tr></thead>
<tbody>${batch.refused.map((refusal) => html`<tr data-reason="${refusal.reason}"><td>${refusal.path || say(locale, '（其余部分）', '(the rest)')}</td><td>${refusalReason(refusal.reason, locale)}</td><td class="muted">${refusal.detail}</td></tr>`)}</tbody></table>`
    : ''
}
<h2>${say(locale, '文件', 'Documents')}${page.state ? html` · ${stateName(page.state, locale)} <a href="${filterLink(undefined)}">${say(locale, '（全部）', '(all)')}</a>` : ''}</h2>
<table class="grid batch-documents"><thead><tr><th>${say(locale, '路径', 'Path')}</th><th>${say(locale, '状态', 'State')}</th><th>${say(locale, '阶段', 'Stage')}</th><th>${say(locale, '错误', 'Error')}</th></tr></thead>
<tbody>${documents.map(
    (row) =>
      html`<tr data-document="${row.documentId}"><td><a href="/documents/${row.documentId}">${row.filePath}</a>${row.created ? '' : html` <span class="muted">${say(locale, '（以前提交过）', '(submitted before)')}</span>`}</td><td>${stateBadge(row.state, locale)}</td><td>${row.state === 'published' ? '' : stageName(row.stage, locale)}</td><td class="muted">${row.error ?? ''}</td></tr>`,
  )}</tbody></table>
${pager({ total: page.state ? (totals.get(page.state) ?? 0) : documentCount, offset: page.offset, limit: BATCH_PAGE_SIZE }, locale, (offset) => filterLink(page.state, offset))}`;
}

export const BATCHES_PAGE_SIZE = 50;

export function batchesView(context: PageContext, batches: BatchListRow[], window: PageWindow): Markup {
  const { locale } = context;
  const n = (value: number) => formatNumber(value, locale);
  return html`<h1>${say(locale, '上传批次', 'Upload batches')}</h1>
<p><a href="/upload">${say(locale, '上传文件 →', 'Upload files →')}</a></p>
<table class="grid batches"><thead><tr><th>${say(locale, '时间', 'At')}</th><th>${say(locale, '上传者', 'By')}</th><th>${say(locale, '文件', 'Files')}</th><th>${say(locale, '已接收', 'Accepted')}</th><th>${say(locale, '被拒收', 'Refused')}</th><th>${say(locale, '已发布', 'Published')}</th><th>${say(locale, '失败', 'Failed')}</th><th>${say(locale, '处理中', 'In progress')}</th></tr></thead>
<tbody>${batches.map(
    (batch) =>
      html`<tr data-batch="${batch.id}"><td><a href="/batches/${batch.id}">${formatTime(batch.createdAt)}</a>${batch.receivedAt ? '' : html` <span class="muted">${say(locale, '接收中', 'receiving')}</span>`}</td><td>${batch.createdBy}</td><td class="num">${n(batch.files)}</td><td class="num">${n(batch.accepted)}</td><td class="num">${n(batch.refused)}</td><td class="num">${n(batch.published)}</td><td class="num">${n(batch.deadLettered)}</td><td class="num">${n(batch.inFlight)}</td></tr>`,
  )}</tbody></table>
${window.total === 0 ? html`<p class="muted">${say(locale, '还没有上传过文件。', 'Nothing uploaded yet.')}</p>` : pager(window, locale, (offset) => `/batches${queryString({ offset: offset || undefined })}`)}`;
}

export interface DeadLettersPage {
  filter: { stage?: string; errorCode?: string };
  groups: Array<{ stage: string; errorCode: string; count: number; permanent: boolean }>;
  /** One page of the letters the filter matches, in the order asked. */
  letters: DeadLetterRow[];
  page: PageWindow;
  order: { sort?: DeadLetterSort; direction?: 'asc' | 'desc' };
  /** What the last action did, from the redirect's query. */
  notice: { retried?: number; skipped?: number; dismissed?: string; replaced?: string } | null;
}

export const DEAD_LETTERS_PAGE_SIZE = 100;

const FORM_STYLE = html`<style>form.inline { display: inline-flex; gap: .3rem; margin: .1rem .4rem .1rem 0; } div.bulk-retry { margin: .6rem 0; }</style>`;

function retryAllForm(context: PageContext, filter: { stage?: string; errorCode?: string }, label: string): Markup {
  return html`<form method="post" action="/dead-letters/retry" class="inline">${csrfField(context)}${filter.stage ? html`<input type="hidden" name="stage" value="${filter.stage}">` : ''}${
    filter.errorCode ? html`<input type="hidden" name="errorCode" value="${filter.errorCode}">` : ''
  }<button type="submit" data-action="retry-all">${label}</button></form>`;
}

/** Where a page of the letters is: the filter and the order stay in every link. */
function lettersLink(view: DeadLettersPage, change: { sort?: DeadLetterSort; direction?: 'asc' | 'desc'; offset?: number }): string {
  const { sort, direction } = { ...view.order, ...change };
  return `/dead-letters${queryString({ ...view.filter, sort, dir: direction, offset: change.offset || undefined })}`;
}

/** A column header that sorts the letters by it: names from A and the oldest first, the other way on a second click. */
function letterSortHeader(view: DeadLettersPage, column: DeadLetterSort, label: string): Markup {
  const sort = view.order.sort ?? 'time';
  const direction = view.order.direction ?? 'asc';
  const active = sort === column;
  const href = lettersLink(view, { sort: column, direction: active && direction === 'asc' ? 'desc' : 'asc' });
  return html`<th${active ? html` aria-sort="${direction === 'asc' ? 'ascending' : 'descending'}"` : ''}><a class="sort${active ? ' current' : ''}" data-sort="${column}" href="${href}">${label}${
    active ? (direction === 'asc' ? ' ▲' : ' ▼') : ''
  }</a></th>`;
}

function noticeText(locale: Locale, notice: NonNullable<DeadLettersPage['notice']>): Markup {
  if (notice.retried !== undefined) {
    const skipped = notice.skipped ?? 0;
    return html`${say(locale, `已重新提交 ${notice.retried} 个文件。`, `Re-drove ${notice.retried} document(s).`)}${
      skipped > 0
        ? ` ${say(locale, `跳过了 ${skipped} 个永久性错误（重试不会成功：请驳回或上传更正文件）。`, `Skipped ${skipped} permanent failure(s) (a retry cannot succeed: dismiss them or answer with a corrected file).`)}`
        : ''
    }`;
  }
  if (notice.dismissed) return html`${say(locale, '已驳回。', 'Dismissed.')} <a href="/documents/${notice.dismissed}">${say(locale, '查看文件', 'See the document')}</a>`;
  if (notice.replaced) return html`${say(locale, '已提交更正文件：', 'The corrected file was submitted: ')}<a href="/documents/${notice.replaced}">${say(locale, '查看新文件', 'see the new document')}</a>`;
  return html``;
}

export function deadLettersView(context: PageContext, view: DeadLettersPage): Markup {
  const { locale } = context;
  const acting = canAct(context);
  const total = view.groups.reduce((sum, group) => sum + group.count, 0);
  const codes = [...new Set(view.groups.map((group) => group.errorCode))].sort();
  const retryableIn = (match: (group: DeadLettersPage['groups'][number]) => boolean) => view.groups.some((group) => match(group) && !group.permanent);
  const matchesFilter = (group: DeadLettersPage['groups'][number]) =>
    (!view.filter.stage || group.stage === view.filter.stage) && (!view.filter.errorCode || group.errorCode === view.filter.errorCode);
  const permanentNote = say(locale, '永久性错误：重试不会成功', 'permanent: a retry cannot succeed');
  return html`${FORM_STYLE}<h1>${say(locale, '失败的文件（死信）', 'Failed files (dead letters)')}</h1>
${view.notice ? html`<p class="note notice">${noticeText(locale, view.notice)}</p>` : ''}
<p>${say(locale, `共 ${formatNumber(total, locale)} 个未处理的死信。`, `${formatNumber(total, locale)} open dead letter(s).`)}</p>
<h2>${say(locale, '按阶段和错误代码', 'By stage and error code')}</h2>
<table class="grid letter-groups"><thead><tr><th>${say(locale, '阶段', 'Stage')}</th><th>${say(locale, '错误代码', 'Error code')}</th><th>${say(locale, '数量', 'Count')}</th><th></th></tr></thead>
<tbody>${view.groups.map(
    (group) =>
      html`<tr data-stage="${group.stage}" data-code="${group.errorCode}"><td><a href="/dead-letters${queryString({ stage: group.stage })}">${stageName(group.stage, locale)}</a></td><td><a href="/dead-letters${queryString({ errorCode: group.errorCode })}">${errorCodeName(group.errorCode, locale)}</a> <code>${group.errorCode}</code></td><td class="num"><a href="/dead-letters${queryString({ stage: group.stage, errorCode: group.errorCode })}">${formatNumber(group.count, locale)}</a></td><td>${
        group.permanent
          ? html`<span class="muted">${permanentNote}</span>`
          : acting
            ? retryAllForm(context, { stage: group.stage, errorCode: group.errorCode }, say(locale, '全部重试', 'Retry all'))
            : ''
      }</td></tr>`,
  )}</tbody></table>
${
  acting && total > 0
    ? html`<div class="bulk-retry">${STAGES.filter((stage) => retryableIn((group) => group.stage === stage)).map((stage) =>
        retryAllForm(context, { stage }, say(locale, `重试“${stageName(stage, locale)}”阶段的全部失败`, `Retry every failure at ${stage}`)),
      )} ${codes.filter((code) => retryableIn((group) => group.errorCode === code)).map((code) =>
        retryAllForm(context, { errorCode: code }, say(locale, `重试“${errorCodeName(code, locale)}”（${code}）的全部失败`, `Retry every ${code} failure`)),
      )}</div>
<p class="muted">${say(locale, '批量重试会跳过永久性错误（文件损坏、加密、为空、过大、格式不支持、不是年报），并告知跳过了多少。', 'Bulk retries skip permanent failures (corrupt, encrypted, empty, too large, unsupported, not a report) and say how many they skipped.')}</p>`
    : ''
}
<h2>${say(locale, '死信', 'Letters')}</h2>
<form class="filters" method="get" action="/dead-letters">
  <label>${say(locale, '阶段', 'Stage')} <select name="stage"><option value="">${say(locale, '全部', 'any')}</option>${STAGES.map(
    (stage) => html`<option value="${stage}"${view.filter.stage === stage ? ' selected' : ''}>${stageName(stage, locale)}</option>`,
  )}</select></label>
  <label>${say(locale, '错误代码', 'Error code')} <select name="errorCode"><option value="">${say(locale, '全部', 'any')}</option>${codes.map(
    (code) => html`<option value="${code}"${view.filter.errorCode === code ? ' selected' : ''}>${errorCodeName(code, locale)} (${code})</option>`,
  )}</select></label>
  ${view.order.sort ? html`<input type="hidden" name="sort" value="${view.order.sort}">` : ''}${view.order.direction ? html`<input type="hidden" name="dir" value="${view.order.direction}">` : ''}
  <button class="primary" type="submit">${say(locale, '筛选', 'Filter')}</button>
</form>
${acting && (view.filter.stage || view.filter.errorCode) && retryableIn(matchesFilter) ? html`<div>${retryAllForm(context, view.filter, say(locale, '重试筛选出的全部失败', 'Retry every failure shown'))}</div>` : ''}
<p class="muted">${say(locale, `筛选出 ${formatNumber(view.page.total, locale)} 个`, `${formatNumber(view.page.total, locale)} match the filter`)}${
    view.letters.length > 0
      ? say(locale, `，显示第 ${view.page.offset + 1}–${view.page.offset + view.letters.length} 个`, `, showing ${view.page.offset + 1}–${view.page.offset + view.letters.length}`)
      : ''
  }</p>
<table class="grid letters"><thead><tr>${letterSortHeader(view, 'fileName', say(locale, '文件', 'File'))}<th>${say(locale, '阶段', 'Stage')}</th><th>${say(locale, '错误代码', 'Code')}</th><th>${say(locale, '错误', 'Error')}</th><th>${say(locale, '尝试次数', 'Attempts')}</th>${letterSortHeader(view, 'time', say(locale, '时间', 'At'))}${acting ? html`<th>${say(locale, '处理', 'Action')}</th>` : ''}</tr></thead>
<tbody>${view.letters.map(
    (letter) =>
      html`<tr id="${letter.documentId}" data-document="${letter.documentId}" data-code="${letter.errorCode}"><td><a href="/documents/${letter.documentId}">${letter.fileName}</a></td><td>${stageName(letter.stage, locale)}</td><td>${errorCodeName(letter.errorCode, locale)} <code>${letter.errorCode}</code>${
        letter.permanent ? html`<div class="muted">${permanentNote}</div>` : ''
      }</td><td>${letter.message}</td><td class="num">${letter.attempts}</td><td class="muted">${formatTime(letter.createdAt)}</td>${acting ? html`<td>${letterActions(context, letter)}</td>` : ''}</tr>`,
  )}</tbody></table>
${pager(view.page, locale, (offset) => lettersLink(view, { offset }))}`;
}

/** The round the page showed: a retry or reprocess from it starts a new round only if nobody else did since. */
export function seenRoundField(round: number): Markup {
  return html`<input type="hidden" name="round" value="${round}">`;
}

function letterActions(context: PageContext, letter: DeadLetterRow): Markup {
  const { locale } = context;
  const base = `/dead-letters/${letter.documentId}`;
  return html`${
    letter.permanent
      ? ''
      : html`<form method="post" action="${base}/retry" class="inline">${csrfField(context)}${seenRoundField(letter.round)}<button type="submit" data-action="retry">${say(locale, '重试', 'Retry')}</button></form>`
  }
<form method="post" action="${base}/dismiss" class="inline">${csrfField(context)}<input name="reason" required maxlength="500" placeholder="${say(locale, '驳回理由', 'reason for dismissing')}"><button type="submit" data-action="dismiss">${say(locale, '驳回', 'Dismiss')}</button></form>
<form method="post" action="${csrfAction(`${base}/replace`, context)}" enctype="multipart/form-data" class="inline"><input type="file" name="file" required><button type="submit" data-action="replace">${say(locale, '上传更正文件', 'Answer with a corrected file')}</button></form>`;
}

/**
 * The document page's answer to its failure: retry when a retry can succeed; for a permanent failure
 * no retry, but dismiss or answer with a corrected file; once dismissed or replaced, what was done.
 */
export function documentFailureActions(context: PageContext, document: { id: string; round: number; current_stage: string }, letters: DeadLetterRow[]): Markup {
  const { locale } = context;
  const letter = letters.filter((candidate) => candidate.round === document.round).at(-1);
  if (letter?.replacedByDocumentId) {
    return html`<span class="status replaced">${stateName('replaced', locale)}</span> <a href="/documents/${letter.replacedByDocumentId}">${say(locale, '查看更正文件 →', 'See the corrected file →')}</a>`;
  }
  if (letter?.dismissedAt) {
    return html`<span class="status dismissed">${stateName('dismissed', locale)}</span> <span class="dismissal">${letter.dismissReason ?? ''}</span> <span class="muted">(${letter.dismissedBy ?? ''}, ${formatTime(letter.dismissedAt)})</span>`;
  }
  if (!canAct(context)) return html``;
  const handle = html`<a href="/dead-letters${queryString({ errorCode: letter?.errorCode })}#${document.id}">${say(locale, '驳回或上传更正文件 →', 'Dismiss, or answer with a corrected file →')}</a>`;
  if (letter?.permanent) {
    return html`<span class="note permanent">${say(locale, `${errorCodeName(letter.errorCode, locale)}（${letter.errorCode}）是永久性错误，重试不会成功。`, `${letter.errorCode} is permanent: a retry cannot succeed.`)}</span> ${handle}`;
  }
  return html`<form method="post" action="/documents/${document.id}/retry" style="display:inline">${csrfField(context)}${seenRoundField(document.round)}<button class="primary" type="submit" data-action="retry">${say(locale, '重试', 'Retry')}</button></form> <span class="muted">${say(
    locale,
    `从失败的阶段（${stageName(document.current_stage, locale)}）重新开始`,
    `re-drives from ${document.current_stage}, the stage that failed`,
  )}</span> ${handle}`;
}
