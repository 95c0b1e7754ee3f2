/** The document page's section on its agency-year's copies: which one counts, and choosing another. */
import type { ReportCopy } from '../../shared/db/counted';
import { csrfField, html, statusBadge, type Markup, type PageContext } from '../html';
import { formatTime, say } from '../i18n';
import { canAct } from '../page-context';

function reasonCounted(copy: ReportCopy, context: PageContext): string {
  const { locale } = context;
  if (!copy.counted) return say(locale, '不计（已被取代）', 'superseded');
  return copy.chosenByOperator
    ? say(locale, `计入：${copy.chosenBy} 于 ${formatTime(copy.chosenAt)} 指定`, `counts: chosen by ${copy.chosenBy} at ${formatTime(copy.chosenAt)}`)
    : say(locale, '计入：按规则取最新提交的一份', 'counts: by rule, the newest submission');
}

/**
 * Every copy of the report of this document's agency and year. Nothing when the document has no
 * other copy: one report, nothing to choose.
 */
export function copiesSection(context: PageContext, documentId: string, copies: readonly ReportCopy[]): Markup | '' {
  if (copies.length < 2) return '';
  const { locale } = context;
  const first = copies[0]!;
  return html`<section class="copies">
<h2>${say(locale, `同一机构同一年度的报告（${copies.length} 份，只计一份）`, `Copies of this agency's ${first.year} report (${copies.length}; one counts)`)}</h2>
<p class="muted">${first.agency ?? ''} · ${first.year}</p>
<table class="grid copies">
<thead><tr><th>${say(locale, '文件', 'File')}</th><th>${say(locale, '状态', 'Status')}</th><th>${say(locale, '提交时间', 'Submitted')}</th><th>${say(locale, '是否计入', 'Counted')}</th><th></th></tr></thead>
<tbody>${copies.map(
    (copy) => html`<tr data-copy="${copy.documentId}" class="${copy.counted ? 'counted' : 'superseded'}">
  <td>${copy.documentId === documentId ? html`<strong>${copy.fileName}</strong> <span class="muted">${say(locale, '（本文档）', '(this document)')}</span>` : html`<a href="/documents/${copy.documentId}">${copy.fileName}</a>`}</td>
  <td>${statusBadge(copy.status, locale)}</td>
  <td class="muted">${formatTime(copy.submittedAt)}</td>
  <td>${reasonCounted(copy, context)}</td>
  <td>${
    !copy.counted && canAct(context)
      ? html`<form method="post" action="/documents/${copy.documentId}/count" style="display:inline">${csrfField(context)}<button type="submit" data-action="count">${say(locale, '以此份为准', 'Count this copy')}</button></form>`
      : ''
  }</td>
</tr>`,
  )}</tbody>
</table>
</section>`;
}
