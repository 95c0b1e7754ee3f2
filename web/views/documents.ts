/** The documents pages: search, and one document's timeline and actions (where a cell was read is views/source.ts). */
import type { ReportCopy } from '../../shared/db/counted';
import type { DeadLetterRow } from '../../shared/db/dead-letters';
import type { ReportVersion } from '../../shared/db/reports';
import type { DocumentRow } from '../../shared/db/schema';
import { STAGES } from '../../shared/pipeline';
import { DEFAULT_DIRECTION, DOCUMENTS_PAGE_SIZE, type DocumentListRow, type DocumentSearch, type DocumentSort, type StageRunRow } from '../../shared/db/browse';
import type { Severity } from '../../shared/record';
import { documentFailureActions, seenRoundField } from './bulk';
import { csrfField, formatDuration, headerCells, html, queryString, statusBadge, type Markup, type PageContext } from '../html';
import { copiesSection } from './copies';
import { pager } from './pager';
import { formatNumber, formatTime, say, type Locale } from '../i18n';
import { canAct } from '../page-context';
import { SEVERITIES, errorCodeName, errorText, ruleName, severityName, stageName, statusName, templateName } from '../labels';

const STATUSES = ['queued', 'processing', 'published', 'dead_lettered'] as const;
const PAGE_SIZES = [20, 50, 100, 200];

function findingSummary(row: DocumentListRow, locale: Locale): string {
  const counts: Array<[Severity, number]> = [
    ['critical', row.critical],
    ['error', row.errors],
    ['warning', row.warnings],
  ];
  return counts.flatMap(([severity, count]) => (count > 0 ? [`${severityName(severity, locale)} ${count}`] : [])).join(' · ');
}

/** The list's filters as query parameters, so sorting and paging keep them. */
function filterParams(search: DocumentSearch) {
  return {
    agency: search.agency,
    year: search.year,
    status: search.status,
    file: search.fileName,
    rule: search.rule,
    severity: search.severity,
    hasErrors: search.hasErrors ? '1' : undefined,
    limit: search.limit === DOCUMENTS_PAGE_SIZE ? undefined : search.limit,
  };
}

function sortedBy(search: DocumentSearch): { sort: DocumentSort; direction: 'asc' | 'desc' } {
  const sort = search.sort ?? 'updated';
  return { sort, direction: search.direction ?? DEFAULT_DIRECTION[sort] };
}

/** A column header that sorts by its column: its usual direction first, the other way on a second click. */
function sortHeader(search: DocumentSearch, column: DocumentSort, label: string): Markup {
  const current = sortedBy(search);
  const active = current.sort === column;
  const direction = active ? (current.direction === 'asc' ? 'desc' : 'asc') : DEFAULT_DIRECTION[column];
  const href = `/documents${queryString({ ...filterParams(search), sort: column, dir: direction })}`;
  return html`<th${active ? html` aria-sort="${current.direction === 'asc' ? 'ascending' : 'descending'}"` : ''}><a class="sort${active ? ' current' : ''}" data-sort="${column}" href="${href}">${label}${
    active ? (current.direction === 'asc' ? ' ▲' : ' ▼') : ''
  }</a></th>`;
}

export function documentsView(context: PageContext, search: DocumentSearch, result: { total: number; rows: DocumentListRow[] }, rules: readonly string[]): Markup {
  const { locale } = context;
  const selected = (on: boolean) => (on ? html` selected` : '');
  const first = search.offset + 1;
  const last = search.offset + result.rows.length;
  return html`<h1>${say(locale, '文档', 'Documents')}</h1>
<form class="filters" method="get" action="/documents">
  <label>${say(locale, '机构', 'Agency')} <input name="agency" value="${search.agency ?? ''}" placeholder="米易县"></label>
  <label>${say(locale, '年度', 'Year')} <input name="year" type="number" min="2000" max="2100" value="${search.year ?? ''}"></label>
  <label>${say(locale, '状态', 'Status')} <select name="status"><option value="">${say(locale, '全部', 'any')}</option>${STATUSES.map(
    (status) => html`<option value="${status}"${selected(search.status === status)}>${statusName(status, locale)}</option>`,
  )}</select></label>
  <label>${say(locale, '文件名', 'File name')} <input name="file" value="${search.fileName ?? ''}"></label>
  <label>${say(locale, '问题规则', 'Finding rule')} <select name="rule"><option value="">${say(locale, '全部', 'any')}</option>${rules.map(
    (rule) => html`<option value="${rule}"${selected(search.rule === rule)}>${ruleName(rule, locale)} (${rule})</option>`,
  )}</select></label>
  <label>${say(locale, '问题级别', 'Severity')} <select name="severity"><option value="">${say(locale, '全部', 'any')}</option>${SEVERITIES.map(
    (severity) => html`<option value="${severity}"${selected(search.severity === severity)}>${severityName(severity, locale)}</option>`,
  )}</select></label>
  <label>${say(locale, '仅看', 'Only')} <span><input type="checkbox" name="hasErrors" value="1"${search.hasErrors ? html` checked` : ''}> ${say(locale, '有错误', 'has errors')}</span></label>
  <label>${say(locale, '每页', 'Per page')} <select name="limit">${[...new Set([...PAGE_SIZES, search.limit])].sort((a, b) => a - b).map(
    (size) => html`<option value="${size}"${selected(search.limit === size)}>${size}</option>`,
  )}</select></label>
  ${search.sort ? html`<input type="hidden" name="sort" value="${search.sort}">` : ''}${search.direction ? html`<input type="hidden" name="dir" value="${search.direction}">` : ''}
  <button class="primary" type="submit">${say(locale, '搜索', 'Search')}</button>
</form>
<p class="muted">${say(locale, `共 ${result.total} 份文档`, `${result.total} document(s)`)}${
    result.rows.length > 0 ? say(locale, `，显示第 ${first}–${last} 份`, `, showing ${first}–${last}`) : ''
  }</p>
<table class="grid documents">
<thead><tr>${sortHeader(search, 'fileName', say(locale, '文件', 'File'))}${sortHeader(search, 'agency', say(locale, '机构', 'Agency'))}${sortHeader(
    search,
    'year',
    say(locale, '年度', 'Year'),
  )}<th>${say(locale, '模板', 'Template')}</th>${sortHeader(search, 'errors', say(locale, '问题', 'Findings'))}${sortHeader(search, 'status', say(locale, '状态', 'Status'))}${sortHeader(
    search,
    'updated',
    say(locale, '更新时间', 'Updated'),
  )}</tr></thead>
<tbody>${result.rows.map(
    (row) => html`<tr data-document="${row.id}">
  <td><a href="/documents/${row.id}">${row.fileName}</a></td>
  <td title="${row.agency ?? ''}">${row.agencyFullName ?? row.agency ?? ''}</td><td>${row.year ?? ''}</td><td>${row.template ? templateName(row.template, locale) : ''}</td>
  <td>${findingSummary(row, locale) || html`<span class="muted">${say(locale, '无', 'none')}</span>`}</td>
  <td>${statusBadge(row.status, locale)} ${
    row.status === 'dead_lettered'
      ? html`<span class="muted">${say(locale, `于${stageName(row.stage, locale)}：`, `at ${stageName(row.stage, locale)}: `)}${row.error ? errorText(row.error, locale) : ''}</span>`
      : row.status === 'published'
        ? ''
        : html`<span class="muted">${stageName(row.stage, locale)}</span>`
  }</td>
  <td class="muted">${formatTime(row.updatedAt)}</td>
</tr>`,
  )}</tbody>
</table>
${pager({ total: result.total, offset: search.offset, limit: search.limit }, locale, (offset) => {
    const page = offset / search.limit + 1;
    return `/documents${queryString({ ...filterParams(search), sort: search.sort, dir: search.direction, page: page > 1 ? page : undefined })}`;
  })}`;
}

/** Per stage: its attempts in the current round, so the pipeline's progress reads left to right. */
function roundProgress(runs: StageRunRow[], round: number, locale: Locale): Markup {
  return html`<table class="grid timeline-summary"><tr>${STAGES.map((stage) => {
    const attempts = runs.filter((run) => run.round === round && run.stage === stage);
    const last = attempts.at(-1);
    return html`<td class="center"><div>${stageName(stage, locale)}</div>${last ? statusBadge(last.outcome, locale) : html`<span class="status missing">${statusName('not_run', locale)}</span>`}${
      attempts.length > 1 ? html`<div class="muted">${say(locale, `${attempts.length} 次尝试`, `${attempts.length} attempts`)}</div>` : ''
    }</td>`;
  })}</tr></table>`;
}

export function documentView(
  context: PageContext,
  document: DocumentRow,
  history: { timeline: StageRunRow[]; deadLetters: DeadLetterRow[]; reports: ReportVersion[]; copies: ReportCopy[] },
): Markup {
  const { timeline: runs, deadLetters: letters, reports: versions } = history;
  const { locale } = context;
  const finished = document.status === 'published' || document.status === 'dead_lettered';
  const action = (path: string, label: string, hint: string) =>
    canAct(context)
      ? html`<form method="post" action="/documents/${document.id}/${path}" style="display:inline">${csrfField(context)}${seenRoundField(document.round)}<button class="primary" type="submit" data-action="${path}">${label}</button></form> <span class="muted">${hint}</span>`
      : html`<span class="muted">${
          context.actionsEnabled
            ? html`${say(locale, '需以操作员身份', 'To do this, ')}<a href="/login">${say(locale, '登录', 'sign in as an operator')}</a>${say(locale, `后才能${label}。`, '.')}`
            : say(locale, '操作已停用：未配置操作员凭据。', 'Actions are disabled: no operator credential is configured.')
        }</span>`;
  const stage = stageName(document.current_stage, locale);
  return html`<h1>${document.file_name}</h1>
<dl class="meta">
  <dt>${say(locale, '状态', 'Status')}</dt><dd>${statusBadge(document.status, locale)} ${say(locale, `${stage}阶段，第 ${document.round} 轮`, `at ${stage}, round ${document.round}`)}${
    document.error ? html` — <strong>${errorText(document.error, locale)}</strong>` : ''
  }</dd>
  <dt>${say(locale, '文档编号', 'Document')}</dt><dd><code>${document.id}</code></dd>
  <dt>${say(locale, '文件', 'File')}</dt><dd>${document.media_type ?? say(locale, '尚未识别类型', 'not yet sniffed')} · ${formatNumber(document.size_bytes, locale)} ${say(locale, '字节', 'bytes')} · sha256 <code>${document.sha256.slice(0, 16)}…</code></dd>
  <dt>${say(locale, '提交时间', 'Submitted')}</dt><dd>${formatTime(document.submitted_at)}</dd>
  <dt>${say(locale, '流水线版本', 'Pipeline version')}</dt><dd>v${document.pipeline_version}</dd>
</dl>
<p>
${document.status === 'published' ? html`<a href="/documents/${document.id}/report"><strong>${say(locale, '打开报告 →', 'Open the report →')}</strong></a>&nbsp;&nbsp;` : ''}
${document.status === 'dead_lettered' ? documentFailureActions(context, document, letters) : ''}
${
  document.status === 'published'
    ? action('reprocess', say(locale, '重新处理', 'Reprocess'), say(locale, '重新运行；新报告取代本报告，本报告仍保留', 'runs it again; the new report supersedes this one, which is kept'))
    : ''
}
</p>
${copiesSection(context, document.id, history.copies)}
${finished ? '' : html`<p class="muted">${say(locale, '本页每 2 秒刷新一次，直到文档发布或进入死信。', 'This page refreshes every 2 seconds until the document is published or dead-lettered.')}</p>`}
<h2>${say(locale, `第 ${document.round} 轮`, `Round ${document.round}`)}</h2>
${roundProgress(runs, document.round, locale)}
<h2>${say(locale, '处理记录', 'Timeline')}</h2>
<table class="grid timeline">
<thead><tr>${headerCells([
    say(locale, '轮次', 'Round'),
    say(locale, '阶段', 'Stage'),
    say(locale, '尝试', 'Attempt'),
    say(locale, '结果', 'Outcome'),
    say(locale, '开始时间', 'Started'),
    say(locale, '耗时', 'Duration'),
    say(locale, '处理进程', 'Worker'),
    say(locale, '错误', 'Error'),
  ])}</tr></thead>
<tbody>${runs.map(
    (run) =>
      html`<tr class="${run.outcome}"><td>${run.round}</td><td>${stageName(run.stage, locale)}</td><td>${run.outcome === 'skipped' ? '–' : run.attempt}</td><td>${statusBadge(run.outcome, locale)}</td><td class="muted">${formatTime(
        run.startedAt,
      )}</td><td class="num">${formatDuration(run.durationMs, locale)}</td><td class="muted">${run.worker}</td><td>${run.error ?? ''}</td></tr>`,
  )}</tbody>
</table>
${
  letters.length > 0
    ? html`<h2>${say(locale, '死信', 'Dead letters')}</h2><table class="grid letters"><thead><tr>${headerCells([
        say(locale, '轮次', 'Round'),
        say(locale, '阶段', 'Stage'),
        say(locale, '错误类别', 'Code'),
        say(locale, '错误', 'Error'),
        say(locale, '尝试次数', 'Attempts'),
        say(locale, '时间', 'At'),
        say(locale, '已解决', 'Resolved'),
      ])}</tr></thead><tbody>${letters.map(
        (letter) =>
          html`<tr><td>${letter.round}</td><td>${stageName(letter.stage, locale)}</td><td title="${letter.errorCode}">${errorCodeName(letter.errorCode, locale)}</td><td>${letter.message}</td><td>${
            letter.attempts
          }</td><td class="muted">${formatTime(letter.createdAt)}</td><td>${letter.resolvedAt ? formatTime(letter.resolvedAt) : html`<strong>${say(locale, '未解决', 'open')}</strong>`}</td></tr>`,
      )}</tbody></table>`
    : ''
}
${
  versions.length > 0
    ? html`<h2>${say(locale, '报告版本', 'Reports')}</h2><table class="grid versions"><thead><tr>${headerCells([
        say(locale, '轮次', 'Round'),
        say(locale, '流水线', 'Pipeline'),
        say(locale, '机构', 'Agency'),
        say(locale, '年度', 'Year'),
        say(locale, '问题', 'Findings'),
        say(locale, '发布时间', 'Published'),
        say(locale, '被取代时间', 'Superseded'),
      ])}</tr></thead><tbody>${versions.map(
        (version) =>
          html`<tr><td>${version.round}</td><td>v${version.pipelineVersion}</td><td>${version.agency ?? ''}</td><td>${version.year ?? ''}</td><td>${version.findings}</td><td class="muted">${formatTime(
            version.publishedAt,
          )}</td><td>${version.supersededAt ? formatTime(version.supersededAt) : html`<strong>${say(locale, '现行', 'in force')}</strong>`}</td></tr>`,
      )}</tbody></table>`
    : ''
}`;
}
