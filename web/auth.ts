/**
 * Who is asking. Browsers sign in with a named account and carry a server-side session (an HttpOnly,
 * SameSite=Strict cookie holding a random token; Postgres keeps only its SHA-256). API clients and
 * Prometheus send `Authorization: Bearer <token>`: GONGKAI_OPERATOR_TOKEN acts as an operator,
 * GONGKAI_VIEWER_TOKEN as a viewer. Tokens and session cookies are never logged, echoed or put in URLs.
 *
 * Viewing is open until somebody has to be kept out: once any account exists or a viewer token is
 * set, every page but sign-in and the health checks needs a session or a token. So the quick start
 * (`gongkai ingest samples`, then `gongkai serve`) shows its results without any setup.
 */
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { WebConfig } from '../shared/config';
import { anyUserExists, sessionOf, type Session } from '../shared/db/accounts';
import type { Database } from '../shared/db/schema';
import { html, page, type Role } from './html';
import { localeOf, say } from './i18n';
import { pageContextOf } from './page-context';
import type { WebContext } from './context';

export const SESSION_COOKIE = 'gongkai_session';

export interface Identity {
  role: Role;
  /** The signed-in account; null for a token or nobody. */
  session: Session | null;
  /** How the request proved who it is; bearer requests are not subject to CSRF checks. */
  credential: 'bearer' | 'session' | null;
}

function digest(text: string): Buffer {
  return crypto.createHash('sha256').update(text).digest();
}

/** Constant-time comparison that does not leak the length either. */
export function secretMatches(candidate: string, secret: string | null): boolean {
  return secret !== null && crypto.timingSafeEqual(digest(candidate), digest(secret));
}

export class Authenticator {
  /** Accounts are never deleted (only disabled), so once one exists this stays true. */
  private accountsExist = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly config: WebConfig,
  ) {}

  /** Somebody can act: an operator token is configured or accounts exist (an admin can make operators). */
  get actionsEnabled(): boolean {
    return this.config.operatorToken !== null || this.accountsExist;
  }

  /** Whether viewing needs a session or a token (and refreshes what actionsEnabled knows). */
  async viewingRestricted(): Promise<boolean> {
    if (!this.accountsExist) this.accountsExist = await anyUserExists(this.db);
    return this.accountsExist || this.config.viewerToken !== null;
  }

  /** The role an API token grants, if any. */
  roleOfToken(token: string): Role | null {
    if (secretMatches(token, this.config.operatorToken)) return 'operator';
    if (secretMatches(token, this.config.viewerToken)) return 'viewer';
    return null;
  }

  async identify(request: FastifyRequest): Promise<Identity> {
    const authorization = request.headers.authorization;
    if (authorization?.startsWith('Bearer ')) {
      const role = this.roleOfToken(authorization.slice('Bearer '.length).trim());
      return role ? { role, session: null, credential: 'bearer' } : { role: 'anonymous', session: null, credential: null };
    }
    const token = request.cookies?.[SESSION_COOKIE];
    const session = token ? await sessionOf(this.db, token, { idleMs: this.config.sessionIdleMs, maxMs: this.config.sessionMaxMs }) : null;
    return session ? { role: session.user.role, session, credential: 'session' } : { role: 'anonymous', session: null, credential: null };
  }
}

/** The actor the audit log names: the user, or the kind of token. */
export function actorOf(request: FastifyRequest): string {
  if (request.user) return request.user;
  return request.credential === 'bearer' ? `token:${request.role}` : 'anonymous';
}

export type Refusal = 'sign-in' | 'operator' | 'admin' | 'actions-disabled' | 'origin' | 'csrf';

export function refusalMessage(reason: Refusal, locale: ReturnType<typeof localeOf>): string {
  switch (reason) {
    case 'sign-in':
      return say(locale, '请先登录。', 'Please sign in.');
    case 'operator':
      return say(locale, '此操作需要操作员或管理员账户。', 'This action needs an operator or admin account.');
    case 'admin':
      return say(locale, '只有管理员可以使用此页面。', 'Only admins may use this page.');
    case 'actions-disabled':
      return say(
        locale,
        '操作未启用：没有任何账户（设置 GONGKAI_ADMIN_USER 和 GONGKAI_ADMIN_PASSWORD），也没有配置操作员令牌（GONGKAI_OPERATOR_TOKEN）。',
        'Actions are disabled: there is no account (set GONGKAI_ADMIN_USER and GONGKAI_ADMIN_PASSWORD) and no operator token (GONGKAI_OPERATOR_TOKEN).',
      );
    case 'origin':
      return say(locale, '请求被拒绝：它不是从本站的页面发出的。', 'Refused: the request did not come from a page of this site.');
    case 'csrf':
      return say(locale, '请求被拒绝：表单的安全令牌缺失或不正确。请重新打开页面后再试。', 'Refused: the form’s security token is missing or wrong. Open the page again and retry.');
  }
}

function wantsJson(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/') || !request.headers.accept?.includes('text/html');
}

/**
 * API requests get a JSON 401/403. A browser that is not signed in is sent to sign in (and back);
 * a signed-in browser that may not do this gets a page saying why.
 */
export function refuse(request: FastifyRequest, reply: FastifyReply, context: WebContext, status: 401 | 403, reason: Refusal): FastifyReply {
  const locale = localeOf(request);
  const message = refusalMessage(reason, locale);
  if (wantsJson(request)) return reply.code(status).send({ error: message });
  if (status === 401) {
    const next = encodeURIComponent(request.method === 'GET' ? request.url : '/');
    return reply.redirect(`/login?next=${next}&reason=${reason}`, 303);
  }
  const title = say(locale, '被拒绝', 'Refused');
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(page(title, pageContextOf(request, context), html`<h1>${title}</h1><p class="banner">${message}</p><p><a href="/">${say(locale, '返回首页', 'Back to the overview')}</a></p>`));
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function changesState(request: FastifyRequest): boolean {
  return !SAFE_METHODS.has(request.method);
}

/** The Origin header, else the Referer's origin; null when the request sent neither. */
function claimedOrigin(request: FastifyRequest): string | null {
  const origin = request.headers.origin;
  if (origin) return origin;
  const referer = request.headers.referer;
  if (!referer) return null;
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}

/**
 * Whether a request comes from a page of this site: its Origin (else Referer) names this Host or
 * GONGKAI_PUBLIC_URL. Null when the request names no origin at all (not a browser form).
 */
export function fromThisSite(request: FastifyRequest, publicUrl: string | null): boolean | null {
  const origin = claimedOrigin(request);
  if (origin === null) return null;
  if (publicUrl && new URL(publicUrl).origin === origin) return true;
  try {
    const claimed = new URL(origin);
    // Through the URL parser on both sides, so `localhost:80` and `localhost` compare equal.
    return claimed.host === new URL(`${claimed.protocol}//${request.host}`).host;
  } catch {
    return false;
  }
}

/** The CSRF token a request sent back: header x-csrf-token, a urlencoded or JSON `_csrf`, or `?_csrf=` (multipart forms). */
function sentCsrfToken(request: FastifyRequest): string | null {
  const header = request.headers['x-csrf-token'];
  if (typeof header === 'string') return header;
  const body = request.body as Record<string, unknown> | undefined;
  if (body && typeof body === 'object' && typeof body._csrf === 'string') return body._csrf;
  const query = request.query as Record<string, unknown> | undefined;
  return typeof query?._csrf === 'string' ? query._csrf : null;
}

export function csrfTokenMatches(request: FastifyRequest): boolean {
  const sent = sentCsrfToken(request);
  return sent !== null && request.session !== null && secretMatches(sent, request.session.csrfToken);
}
