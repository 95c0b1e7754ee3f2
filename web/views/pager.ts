/** The one pager every list shows: 第 3 / 23 页 with first, previous, nearby, next and last pages. */
import { html, type Markup } from '../html';
import { say, type Locale } from '../i18n';

export interface PageWindow {
  /** Rows matching the list's filters, counted in SQL. */
  total: number;
  offset: number;
  limit: number;
}

/** `?offset=` as asked, else the first page: a bad value shows the start rather than an error. */
export function offsetParam(value: string | undefined): number {
  return Math.max(0, Math.floor(Number(value)) || 0);
}

/** `linkTo` builds the address of the page starting at an offset, so the list's filters and sort stay in it. */
export function pager(window: PageWindow, locale: Locale, linkTo: (offset: number) => string): Markup {
  const pages = Math.max(1, Math.ceil(window.total / window.limit));
  const current = Math.floor(window.offset / window.limit) + 1;
  const link = (page: number, label: string, rel?: string) =>
    page === current || page < 1 || page > pages
      ? html`<span class="muted">${label}</span>`
      : html`<a href="${linkTo((page - 1) * window.limit)}"${rel ? html` rel="${rel}"` : ''} data-page="${page}">${label}</a>`;
  const nearby = Array.from({ length: pages }, (_, index) => index + 1).filter((page) => Math.abs(page - current) <= 2);
  return html`<nav class="pager" aria-label="${say(locale, '分页', 'Pages')}">
  <span class="page-of">${say(locale, `第 ${current} / ${pages} 页`, `Page ${current} of ${pages}`)}</span>
  ${link(1, say(locale, '« 首页', '« First'))} ${link(current - 1, say(locale, '‹ 上一页', '‹ Previous'), 'prev')}
  ${nearby.map((page) => (page === current ? html`<strong>${page}</strong> ` : html`${link(page, String(page))} `))}
  ${link(current + 1, say(locale, '下一页 ›', 'Next ›'), 'next')} ${link(pages, say(locale, '末页 »', 'Last »'))}
</nav>`;
}
