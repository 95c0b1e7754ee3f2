/** The overview page (the submissions page is views/submissions.ts). */
import { headerCells, html, statusBadge, type Markup } from '../html';
import { formatNumber, say, type Locale } from '../i18n';
import { queueName } from '../labels';

export function overviewView(
  locale: Locale,
  counts: Array<{ status: string; count: number }>,
  queues: Array<{ name: string; jobs: Record<'waiting' | 'active' | 'delayed', number>; workers: number }>,
): Markup {
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
<p><a href="/admin/queues">${say(locale, '任务级面板（bull-board）→', 'Job-level dashboard (bull-board) →')}</a> · <a href="/metrics">${say(locale, 'Prometheus 指标', 'Prometheus metrics')}</a></p>`;
}
