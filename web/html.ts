/**
 * HTML by tagged template: every interpolated value is escaped unless it is itself markup made by
 * `html`. Report text comes from scraped government pages that carry injected spam and scripts, so
 * escaping must be what happens when nobody thinks about it.
 */

import { say, type Locale } from './i18n';
import { statusName } from './labels';

export class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Interpolation = Markup | string | number | boolean | null | undefined | Interpolation[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character]);
}

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Markup {
  let text = strings[0];
  values.forEach((value, index) => {
    text += render(value) + strings[index + 1];
  });
  return new Markup(text);
}

/** A table's header cells, one `<th>` per label. */
export function headerCells(labels: readonly string[]): Markup {
  return html`${labels.map((label) => html`<th>${label}</th>`)}`;
}

/** A query string from the set values only. */
export function queryString(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

const STYLE = `
:root { --fg: #1d2430; --muted: #5b6575; --line: #d5dae1; --bg: #f6f7f9; --accent: #1f5fbf; --bad: #b42318; --bad-bg: #fde7e5; --warn: #8a5a00; --warn-bg: #fff4d6; --ok: #1b7a3d; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; color: var(--fg); background: var(--bg); }
header.top { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.2rem; background: #14213d; color: #fff; }
header.top a { color: #dfe7f5; text-decoration: none; }
header.top a.brand { font-weight: 700; color: #fff; }
header.top .who { margin-left: auto; font-size: 12px; }
header.top form { display: inline; }
header.top button { font-size: 12px; }
main { padding: 1rem 1.2rem 3rem; max-width: 1400px; }
h1 { font-size: 1.35rem; margin: .2rem 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.6rem 0 .6rem; }
a { color: var(--accent); }
table.grid { border-collapse: collapse; background: #fff; margin-bottom: .5rem; }
table.grid th, table.grid td { border: 1px solid var(--line); padding: .25rem .5rem; vertical-align: middle; }
table.grid th { background: #eef1f5; font-weight: 600; text-align: left; }
table.grid td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.grid th a.sort { color: inherit; text-decoration: none; white-space: nowrap; }
table.grid th a.sort.current { color: var(--accent); }
form.filters select { max-width: 20rem; }
nav.pager { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: .6rem 0; }
nav.pager .page-of { margin-right: .5rem; }
table.grid td.center, table.grid th.center { text-align: center; }
table.form td.value a { color: inherit; text-decoration: none; border-bottom: 1px dotted var(--muted); }
td.failing { background: var(--bad-bg); outline: 2px solid var(--bad); outline-offset: -2px; }
td.warned { background: var(--warn-bg); }
sup.marker { color: var(--bad); font-weight: 700; margin-left: .2rem; }
.report-layout { display: grid; grid-template-columns: minmax(0, 1fr) 340px; gap: 1.2rem; align-items: start; }
.findings-panel { position: sticky; top: .5rem; background: #fff; border: 1px solid var(--line); padding: .6rem .8rem; max-height: 95vh; overflow: auto; }
.finding { border-left: 4px solid var(--warn); padding: .2rem .5rem; margin: .4rem 0; background: #fffdf6; }
.finding.error, .finding.critical { border-left-color: var(--bad); background: #fff8f7; }
.finding .rule { font-weight: 600; font-size: 12px; }
.banner { padding: .8rem 1rem; margin: 0 0 1rem; border: 2px solid var(--bad); background: var(--bad-bg); color: var(--bad); font-weight: 600; }
.note { padding: .6rem .9rem; margin: 0 0 1rem; border: 1px solid var(--line); background: #fff; }
.status { display: inline-block; padding: 0 .45rem; border-radius: 3px; font-size: 12px; font-weight: 600; background: #e6e9ee; }
.status.published, .status.completed { background: #dcf3e4; color: var(--ok); }
.status.dead_lettered, .status.failed { background: var(--bad-bg); color: var(--bad); }
.status.processing, .status.queued, .status.running, .status.waiting { background: #e3ecfb; color: var(--accent); }
.status.with_errors { background: var(--warn-bg); color: var(--warn); }
.status.missing, .status.skipped { background: #f0f0f0; color: #888; }
form.filters { display: flex; flex-wrap: wrap; gap: .6rem; align-items: end; margin-bottom: 1rem; }
form.filters label, form.stack label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
form.stack { display: flex; flex-direction: column; gap: .6rem; max-width: 560px; background: #fff; padding: 1rem; border: 1px solid var(--line); }
input, select, button { font: inherit; padding: .25rem .4rem; }
button.primary { background: var(--accent); color: #fff; border: 0; padding: .35rem .9rem; border-radius: 3px; cursor: pointer; }
pre.source { background: #fff; border: 1px solid var(--line); padding: .5rem 0; overflow: auto; font-size: 13px; }
pre.source span.line { display: block; padding: 0 .8rem; white-space: pre-wrap; }
pre.source span.line.hit { background: var(--warn-bg); outline: 2px solid var(--warn); }
pre.source span.no { color: var(--muted); display: inline-block; width: 3.5em; user-select: none; }
.muted { color: var(--muted); }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0 0 1rem; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; }
`;

export type Role = 'admin' | 'operator' | 'viewer' | 'anonymous';

export interface PageContext {
  role: Role;
  /** Whether anybody may act at all: an account exists or an operator token is configured. */
  actionsEnabled: boolean;
  locale: Locale;
  /** The signed-in user's name; null for a token or nobody. */
  user: string | null;
  /** The session's CSRF token, sent back by every form that changes something (csrfField). */
  csrfToken: string;
  /** This page's path, where the language switch comes back to. */
  currentPath?: string;
}

/** The hidden field every state-changing form carries. */
export function csrfField(context: Pick<PageContext, 'csrfToken'>): Markup {
  return html`<input type="hidden" name="_csrf" value="${context.csrfToken}">`;
}

/**
 * The action of a multipart form, with the CSRF token in its query string: a multipart body is
 * streamed to the handler, so a field inside it cannot be checked before the handler runs.
 */
export function csrfAction(path: string, context: Pick<PageContext, 'csrfToken'>): string {
  return `${path}${path.includes('?') ? '&' : '?'}_csrf=${encodeURIComponent(context.csrfToken)}`;
}

const ROLE_NAMES: Record<Role, [string, string]> = {
  admin: ['管理员', 'admin'],
  operator: ['操作员', 'operator'],
  viewer: ['查看者', 'viewer'],
  anonymous: ['未登录', 'not signed in'],
};

export function roleName(role: Role, locale: Locale): string {
  return say(locale, ...ROLE_NAMES[role]);
}

/** The header's right side: language switch, admin links, who is signed in and signing out. */
function whoPart(context: PageContext): Markup {
  const { locale } = context;
  const next = encodeURIComponent(context.currentPath ?? '/');
  const language = (to: Locale, label: string) => (locale === to ? html`<strong>${label}</strong>` : html`<a href="/lang?to=${to}&amp;next=${next}" lang="${to}">${label}</a>`);
  const admin = context.role === 'admin' ? html`<a href="/admin/users">${say(locale, '用户', 'Users')}</a> <a href="/admin/audit">${say(locale, '审计日志', 'Audit log')}</a> · ` : '';
  const who = context.user
    ? html`<span class="user">${context.user}</span> (${roleName(context.role, locale)}) <form method="post" action="/logout">${csrfField(context)}<button type="submit">${say(locale, '退出登录', 'Sign out')}</button></form>`
    : context.role === 'anonymous'
      ? html`<a href="/login">${say(locale, '登录', 'Sign in')}</a>`
      : html`${roleName(context.role, locale)}`;
  return html`<span class="who">${admin}<span class="lang">${language('zh-CN', '中文')} | ${language('en', 'English')}</span> · ${who}</span>`;
}

export function page(title: string, context: PageContext, body: Markup, options: { refreshSeconds?: number } = {}): string {
  return html`<!doctype html>
<html lang="${context.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${options.refreshSeconds ? html`<meta http-equiv="refresh" content="${options.refreshSeconds}">` : ''}
<title>${title} · gongkai</title>
<style>${new Markup(STYLE)}</style>
</head>
<body>
<header class="top">
  <a class="brand" href="/">gongkai 公开</a>
  <a href="/documents">${say(context.locale, '文档', 'Documents')}</a>
  <a href="/submissions">${say(context.locale, '报送情况', 'Submissions')}</a>
  <a href="/upload">${say(context.locale, '上传', 'Upload')}</a>
  <a href="/batches">${say(context.locale, '批次', 'Batches')}</a>
  <a href="/dead-letters">${say(context.locale, '失败处理', 'Dead letters')}</a>
  <a href="/export">${say(context.locale, '导出', 'Export')}</a>
  <a href="/rollup">${say(context.locale, '汇总', 'Roll-up')}</a>
  <a href="/trends">${say(context.locale, '同比', 'Year over year')}</a>
  <a href="/admin/queues">${say(context.locale, '队列', 'Queues')}</a>
  <a href="/api/docs">API</a>
  ${whoPart(context)}
</header>
<main>
${body}
</main>
</body>
</html>`.text;
}

/** A status (document, stage run, submission, job) by its name in the page's language; the class keeps the code. */
export function statusBadge(status: string, locale: Locale): Markup {
  return html`<span class="status ${status}">${statusName(status, locale)}</span>`;
}

export function formatDuration(ms: number | null, locale: Locale): string {
  if (ms === null) return '';
  return ms < 1000 ? `${ms} ${say(locale, '毫秒', 'ms')}` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} ${say(locale, '秒', 's')}`;
}
