/** The overview page (the submissions page is views/submissions.ts). */
import { csrfField, headerCells, html, statusBadge, type Markup, type PageContext } from '../html';
import { formatNumber, say } from '../i18n';
import { queueName, stageName } from '../labels';
import { canAct } from '../page-context';
import type { StuckWork } from '../../shared/recovery';

/** Documents no job is working on: listed, with a button that puts them back on their queues now. */
function stuckSection(context: PageContext, stuck: StuckWork): Markup {
  const { locale } = context;
  if (stuck.documents.length === 0) return html``;
  const recover = canAct(context)
    ? html`<form method="post" action="/recover">${csrfField(context)}<button class="primary" type="submit" data-action="recover">${say(locale, '立即重新排队', 'Requeue now')}</button></form>`
    : '';
  return html`<h2>${say(locale, '卡住的文档', 'Stuck documents')}</h2>
<p>${say(
    locale,
    `${stuck.documents.length} 份文档没有作业在处理。处理进程会定期自动恢复它们。`,
    `${stuck.documents.length} documents have no job working on them. Workers recover them periodically.`,
  )}</p>
<table class="grid"><tbody>${stuck.documents.slice(0, 20).map(
    (document) => html`<tr><td><a href="/documents/${document.id}">${document.fileName}</a></td><td>${statusBadge(document.status, locale)}</td><td>${stageName(document.stage, locale)}</td></tr>`,
  )}</tbody></table>${recover}`;
}

export function overviewView(
  context: PageContext,
  counts: Array<{ status: string; count: number }>,
  queues: Array<{ name: string; jobs: Record<'waiting' | 'active' | 'delayed', number>; workers: number }>,
  stuck: StuckWork,
): Markup {
  const { locale } = context;
  const number = (value: number) => formatNumber(value, locale);
  return html`<h1>${say(locale, '概览', 'Overview')}</h1>
<h2>${say(locale, '文档', 'Documents')}</h2>
<table class="grid"><tbody>${counts.map(
    (row) => html`<tr><td>${statusBadge(row.status, locale)}</td><td class="num"><a href="/documents?status=${row.status}">${number(row.count)}</a></td></tr>`,
  )}</tbody></table>
${counts.length === 0 ? html`<p class="muted">${say(locale, '尚未提交任何文件。', 'Nothing submitted yet.')} <a href="/upload">${say(locale, '上传报告', 'Upload reports')}</a>.</p>` : ''}
<h2>${say(locale, '队列', 'Queues')}</h2>
<table class="grid queues"><thead><tr>${headerCells([
    say(locale, '队列', 'Queue'),
    say(locale, '等待中', 'Waiting'),
    say(locale, '进行中', 'Active'),
    say(locale, '延后', 'Delayed'),
    say(locale, '处理进程', 'Workers'),
  ])}</tr></thead><tbody>${queues.map(
    (queue) =>
      html`<tr><td title="${queue.name}">${queueName(queue.name, locale)}</td><td class="num">${number(queue.jobs.waiting)}</td><td class="num">${number(queue.jobs.active)}</td><td class="num">${number(
        queue.jobs.delayed,
      )}</td><td class="num">${number(queue.workers)}</td></tr>`,
  )}</tbody></table>
${stuckSection(context, stuck)}
<p><a href="/admin/queues">${say(locale, '任务级面板（bull-board）→', 'Job-level dashboard (bull-board) →')}</a> · <a href="/metrics">${say(locale, 'Prometheus 指标', 'Prometheus metrics')}</a></p>`;
}
