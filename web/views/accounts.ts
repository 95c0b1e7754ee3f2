/** Sign-in, the sign-in limit, and the admin pages: user accounts and the audit log. */
import type { User } from '../../shared/db/accounts';
import type { AuditRow } from '../../shared/db/audit';
import type { UserRole } from '../../shared/db/schema';
import { csrfField, html, queryString, roleName, type Markup, type PageContext, type Role } from '../html';
import { formatTime, say } from '../i18n';
import { pager } from './pager';

export function loginView(context: PageContext, form: { next: string; username: string; notice: string | null; failed: boolean }): Markup {
  const { locale } = context;
  return html`<h1>${say(locale, '登录', 'Sign in')}</h1>
${form.notice ? html`<p class="note">${form.notice}</p>` : ''}
${form.failed ? html`<p class="banner">${say(locale, '用户名或密码不正确。', 'The user name or password is wrong.')}</p>` : ''}
<form class="stack login" method="post" action="/login">
  ${csrfField(context)}
  <input type="hidden" name="next" value="${form.next}">
  <label>${say(locale, '用户名', 'User name')} <input name="username" value="${form.username}" autocomplete="username" required ${form.username ? '' : 'autofocus'}></label>
  <label>${say(locale, '密码', 'Password')} <input type="password" name="password" autocomplete="current-password" required ${form.username ? 'autofocus' : ''}></label>
  <button class="primary" type="submit">${say(locale, '登录', 'Sign in')}</button>
</form>
<p class="muted">${say(locale, '账户由管理员创建。API 和监控使用 Authorization: Bearer 令牌。', 'Accounts are made by an admin. The API and monitoring use an Authorization: Bearer token.')}</p>`;
}

export function signInLimitedView(context: PageContext, retryAt: Date): Markup {
  const { locale } = context;
  const minutes = Math.max(1, Math.ceil((retryAt.getTime() - Date.now()) / 60_000));
  return html`<h1>${say(locale, '登录失败次数过多', 'Too many failed sign-ins')}</h1>
<p class="banner sign-in-limited">${say(
    locale,
    `为防止密码被猜测，暂时不能登录。请在 ${formatTime(retryAt)}（北京时间，约 ${minutes} 分钟后）再试。`,
    `To stop password guessing, signing in is paused. Try again after ${formatTime(retryAt)} (Beijing time, in about ${minutes} minute(s)).`,
  )}</p>
<p>${say(locale, '忘记密码请联系管理员重置。', 'If you forgot your password, ask an admin to reset it.')}</p>`;
}

const ROLES: readonly UserRole[] = ['viewer', 'operator', 'admin'];

function roleOptions(context: PageContext, selected: UserRole): Markup[] {
  return ROLES.map((role) => html`<option value="${role}" ${role === selected ? 'selected' : ''}>${roleName(role, context.locale)}</option>`);
}

export function usersView(context: PageContext, users: User[], error: string | null): Markup {
  const { locale } = context;
  return html`<h1>${say(locale, '用户', 'Users')}</h1>
${error ? html`<p class="banner">${error}</p>` : ''}
<p class="muted">${say(
    locale,
    '查看者只能查看；操作员还可以上传、重试、重新处理和忽略；管理员还可以管理用户和查看审计日志。停用账户或重置密码会立即结束其所有会话。',
    'Viewers look; operators also upload, retry, reprocess and dismiss; admins also manage users and read the audit log. Disabling an account or resetting its password ends all its sessions at once.',
  )}</p>
<table class="grid users"><thead><tr>
  <th>${say(locale, '用户名', 'User name')}</th><th>${say(locale, '角色', 'Role')}</th><th>${say(locale, '创建时间', 'Created')}</th><th>${say(locale, '状态', 'State')}</th><th>${say(locale, '重置密码', 'Reset password')}</th>
</tr></thead><tbody>${users.map((user) => {
    const self = user.username === context.user;
    return html`<tr data-user="${user.username}">
  <td>${user.username}${self ? html` <span class="muted">(${say(locale, '我', 'me')})</span>` : ''}</td>
  <td>${
    self
      ? roleName(user.role, locale)
      : html`<form method="post" action="/admin/users/${user.id}/role">${csrfField(context)}<select name="role">${roleOptions(context, user.role)}</select> <button type="submit">${say(locale, '修改', 'Change')}</button></form>`
  }</td>
  <td>${formatTime(user.createdAt)}</td>
  <td>${user.disabledAt ? html`<strong>${say(locale, '已停用', 'disabled')}</strong> ${formatTime(user.disabledAt)}` : say(locale, '启用', 'enabled')}${
    self
      ? ''
      : html` <form method="post" action="/admin/users/${user.id}/${user.disabledAt ? 'enable' : 'disable'}">${csrfField(context)}<button type="submit" data-action="${user.disabledAt ? 'enable' : 'disable'}">${
          user.disabledAt ? say(locale, '启用', 'Enable') : say(locale, '停用', 'Disable')
        }</button></form>`
  }</td>
  <td><form method="post" action="/admin/users/${user.id}/password">${csrfField(context)}<input type="password" name="password" autocomplete="new-password" minlength="8" required placeholder="${say(locale, '新密码', 'new password')}"> <button type="submit">${say(locale, '重置', 'Reset')}</button></form></td>
</tr>`;
  })}</tbody></table>
<h2>${say(locale, '新建用户', 'New user')}</h2>
<form class="stack" method="post" action="/admin/users">
  ${csrfField(context)}
  <label>${say(locale, '用户名', 'User name')} <input name="username" required maxlength="64" autocomplete="off"></label>
  <label>${say(locale, '密码（至少 8 个字符）', 'Password (at least 8 characters)')} <input type="password" name="password" minlength="8" required autocomplete="new-password"></label>
  <label>${say(locale, '角色', 'Role')} <select name="role">${roleOptions(context, 'viewer')}</select></label>
  <button class="primary" type="submit">${say(locale, '创建', 'Create')}</button>
</form>`;
}

export const AUDIT_PAGE_SIZE = 50;

function isRole(value: string | null): value is Role {
  return value === 'admin' || value === 'operator' || value === 'viewer' || value === 'anonymous';
}

export function auditView(
  context: PageContext,
  log: { total: number; rows: AuditRow[] },
  filter: { actor?: string; action?: string; offset: number },
  names: { actors: string[]; actions: string[] },
): Markup {
  const { locale } = context;
  const last = Math.min(filter.offset + log.rows.length, log.total);
  return html`<h1>${say(locale, '审计日志', 'Audit log')}</h1>
<form class="filters" method="get" action="/admin/audit">
  <label>${say(locale, '操作者', 'Actor')} <input name="actor" list="actors" value="${filter.actor ?? ''}"><datalist id="actors">${names.actors.map((actor) => html`<option>${actor}</option>`)}</datalist></label>
  <label>${say(locale, '动作', 'Action')} <input name="action" list="actions" value="${filter.action ?? ''}" placeholder="document.retry"><datalist id="actions">${names.actions.map((action) => html`<option>${action}</option>`)}</datalist></label>
  <button type="submit">${say(locale, '筛选', 'Filter')}</button>
</form>
<p class="muted">${say(locale, `共 ${log.total} 条，显示第 ${log.total === 0 ? 0 : filter.offset + 1}–${last} 条。`, `${log.total} entries; showing ${log.total === 0 ? 0 : filter.offset + 1}–${last}.`)}</p>
<table class="grid audit"><thead><tr>
  <th>${say(locale, '时间（北京）', 'Time (Beijing)')}</th><th>${say(locale, '操作者', 'Actor')}</th><th>${say(locale, '角色', 'Role')}</th><th>${say(locale, '动作', 'Action')}</th><th>${say(locale, '对象', 'Target')}</th><th>${say(locale, '详情', 'Detail')}</th><th>IP</th>
</tr></thead><tbody>${log.rows.map(
    (row) => html`<tr>
  <td>${formatTime(row.at)}</td><td>${row.actor}</td><td>${isRole(row.role) ? roleName(row.role, locale) : ''}</td><td>${row.action}</td>
  <td>${row.target && /^[0-9a-f-]{36}$/.test(row.target) ? html`<a href="/documents/${row.target}">${row.target}</a>` : (row.target ?? '')}</td>
  <td><code>${Object.keys(row.detail).length > 0 ? JSON.stringify(row.detail) : ''}</code></td><td>${row.ip ?? ''}</td>
</tr>`,
  )}</tbody></table>
${pager({ total: log.total, offset: filter.offset, limit: AUDIT_PAGE_SIZE }, locale, (offset) => `/admin/audit${queryString({ actor: filter.actor, action: filter.action, offset: offset || undefined })}`)}`;
}
