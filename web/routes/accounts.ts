/** Sign-in and sign-out, the language switch, and the admin pages for user accounts and the audit log. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  AccountError,
  checkCredentials,
  createUser,
  endSession,
  getUser,
  isUserRole,
  listUsers,
  setDisabled,
  setPassword,
  setRole,
  startSession,
} from '../../shared/db/accounts';
import { auditNames, listAudit, recordAudit } from '../../shared/db/audit';
import { SESSION_COOKIE, refusalMessage, type Refusal } from '../auth';
import { page, type Markup } from '../html';
import { LOCALE_COOKIE, isLocale, localeOf, say } from '../i18n';
import { pageContextOf } from '../page-context';
import type { WebContext } from '../context';
import { AUDIT_PAGE_SIZE, auditView, loginView, signInLimitedView, usersView } from '../views/accounts';
import { offsetParam } from '../views/pager';

type Form = Record<string, string | undefined>;

/** Failed sign-ins allowed per user name, and per address (an office shares one), in the window. */
const FAILURES_PER_USER = 5;
const FAILURES_PER_ADDRESS = 20;
const FAILURE_WINDOW_MS = 15 * 60_000;

const REFUSALS: readonly Refusal[] = ['sign-in', 'operator', 'admin', 'actions-disabled', 'origin', 'csrf'];

/** Only a path on this site: `//evil.example` or an absolute URL would make sign-in an open redirect. */
export function localPath(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

/** A typed user name as the limiter and the audit log keep it: trimmed and bounded. */
function typedName(form: Form): string {
  return (form.username ?? '').trim().slice(0, 64);
}

export async function registerAccountRoutes(app: FastifyInstance, context: WebContext): Promise<void> {
  const { db } = context;
  const limits = { idleMs: context.config.web.sessionIdleMs, maxMs: context.config.web.sessionMaxMs };
  const send = (reply: FastifyReply, request: FastifyRequest, title: string, body: Markup) =>
    reply.type('text/html; charset=utf-8').send(page(title, pageContextOf(request, context), body));

  const failureLimiters = [
    app.createRateLimit({ max: FAILURES_PER_USER, timeWindow: FAILURE_WINDOW_MS, keyGenerator: (request) => `user:${typedName((request.body ?? {}) as Form).toLowerCase()}` }),
    app.createRateLimit({ max: FAILURES_PER_ADDRESS, timeWindow: FAILURE_WINDOW_MS, keyGenerator: (request) => `ip:${request.ip}` }),
  ];
  /** When signing in may be tried again, if a limit is used up. */
  const signInPausedUntil = async (request: FastifyRequest): Promise<Date | null> => {
    const states = await Promise.all(failureLimiters.map((limiter) => limiter(request, { increment: false })));
    const ttls = states.flatMap((state) => (!state.isAllowed && state.remaining === 0 ? [state.ttl] : []));
    return ttls.length > 0 ? new Date(Date.now() + Math.max(...ttls)) : null;
  };
  const audit = (request: FastifyRequest, actor: string, role: string | null, action: string, detail: Record<string, unknown> = {}) =>
    recordAudit(db, { actor, role, action, target: null, detail, ip: request.ip });

  app.get('/login', { config: { open: true } }, async (request, reply) => {
    const query = request.query as Form;
    const reason = REFUSALS.find((refusal) => refusal === query.reason);
    const notice = reason ? refusalMessage(reason, localeOf(request)) : null;
    return send(reply, request, say(localeOf(request), '登录', 'Sign in'), loginView(pageContextOf(request, context), { next: localPath(query.next), username: '', notice, failed: false }));
  });

  app.post('/login', { config: { open: true } }, async (request, reply) => {
    const form = (request.body ?? {}) as Form;
    const username = typedName(form);
    const next = localPath(form.next);
    const title = say(localeOf(request), '登录', 'Sign in');
    const pausedUntil = await signInPausedUntil(request);
    if (pausedUntil) {
      await audit(request, username || 'anonymous', null, 'session.sign-in-limited');
      reply.code(429).header('retry-after', Math.ceil((pausedUntil.getTime() - Date.now()) / 1000));
      return send(reply, request, title, signInLimitedView(pageContextOf(request, context), pausedUntil));
    }
    const user = username && form.password ? await checkCredentials(db, username, form.password) : null;
    if (!user) {
      await Promise.all(failureLimiters.map((limiter) => limiter(request)));
      await audit(request, username || 'anonymous', null, 'session.sign-in-failed');
      reply.code(401);
      return send(reply, request, title, loginView(pageContextOf(request, context), { next, username, notice: null, failed: true }));
    }
    // A browser that was signed in as somebody else ends that session; the new one gets a new token.
    if (request.session) await endSession(db, request.session.id);
    const session = await startSession(db, user.id, limits);
    reply.setCookie(SESSION_COOKIE, session.token, { path: '/', httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https', expires: session.expiresAt });
    await audit(request, user.username, user.role, 'session.sign-in');
    return reply.redirect(next, 303);
  });

  app.post('/logout', { config: { open: true } }, async (request, reply) => {
    if (request.session) {
      await endSession(db, request.session.id);
      await audit(request, request.session.user.username, request.role, 'session.sign-out');
    }
    reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https' });
    return reply.redirect('/', 303);
  });

  app.get('/lang', { config: { open: true } }, async (request, reply) => {
    const query = request.query as Form;
    if (isLocale(query.to)) reply.setCookie(LOCALE_COOKIE, query.to, { path: '/', sameSite: 'lax', maxAge: 365 * 24 * 3600, secure: request.protocol === 'https' });
    return reply.redirect(localPath(query.next), 303);
  });

  const usersPage = async (request: FastifyRequest, reply: FastifyReply, error: string | null) =>
    send(reply, request, say(localeOf(request), '用户', 'Users'), usersView(pageContextOf(request, context), await listUsers(db), error));

  app.get('/admin/users', { config: { admin: true } }, async (request, reply) => usersPage(request, reply, null));

  app.post('/admin/users', { config: { admin: true, audit: 'user.create' } }, async (request, reply) => {
    const form = (request.body ?? {}) as Form;
    const username = (form.username ?? '').trim();
    if (!isUserRole(form.role)) return usersPage(request, reply.code(400), say(localeOf(request), '角色无效。', 'No such role.'));
    try {
      await createUser(db, { username, password: form.password ?? '', role: form.role });
    } catch (error) {
      if (!(error instanceof AccountError)) throw error;
      return usersPage(request, reply.code(400), error.message);
    }
    request.auditDetail = { username, role: form.role };
    return reply.redirect('/admin/users', 303);
  });

  /** An admin changing another account; an admin cannot demote or disable themself (nobody could undo it). */
  const userAction = (path: string, audit: string, act: (request: FastifyRequest, userId: number, form: Form) => Promise<Record<string, unknown> | string>) =>
    app.post(`/admin/users/:id/${path}`, { config: { admin: true, audit } }, async (request, reply) => {
      const locale = localeOf(request);
      const user = await getUser(db, Number((request.params as { id: string }).id) || 0);
      if (!user) return usersPage(request, reply.code(404), say(locale, '没有这个用户。', 'No such user.'));
      if (user.username === request.user && path !== 'password') return usersPage(request, reply.code(409), say(locale, '不能修改自己的角色或停用自己。', 'You cannot change your own role or disable yourself.'));
      try {
        const outcome = await act(request, user.id, (request.body ?? {}) as Form);
        if (typeof outcome === 'string') return usersPage(request, reply.code(400), outcome);
        request.auditDetail = { username: user.username, ...outcome };
      } catch (error) {
        if (!(error instanceof AccountError)) throw error;
        return usersPage(request, reply.code(400), error.message);
      }
      return reply.redirect('/admin/users', 303);
    });
  userAction('role', 'user.role', async (request, userId, form) => {
    if (!isUserRole(form.role)) return say(localeOf(request), '角色无效。', 'No such role.');
    await setRole(db, userId, form.role);
    return { role: form.role };
  });
  userAction('disable', 'user.disable', async (_request, userId) => {
    await setDisabled(db, userId, true);
    return {};
  });
  userAction('enable', 'user.enable', async (_request, userId) => {
    await setDisabled(db, userId, false);
    return {};
  });
  userAction('password', 'user.password', async (_request, userId, form) => {
    await setPassword(db, userId, form.password ?? '');
    return {};
  });

  app.get('/admin/audit', { config: { admin: true } }, async (request, reply) => {
    const query = request.query as Form;
    const offset = offsetParam(query.offset);
    const filter = { actor: query.actor?.trim() || undefined, action: query.action?.trim() || undefined, offset };
    const [log, names] = await Promise.all([listAudit(db, { ...filter, limit: AUDIT_PAGE_SIZE }), auditNames(db)]);
    return send(reply, request, say(localeOf(request), '审计日志', 'Audit log'), auditView(pageContextOf(request, context), log, filter, names));
  });
}
