/**
 * Two credentials from the environment: the operator's, needed for every action (upload, import,
 * retry, reprocess), and an optional viewer's, needed for viewing when set. Browsers sign in once and
 * get a signed, HttpOnly, SameSite=Strict cookie; API clients send `Authorization: Bearer <token>`.
 * Tokens are never logged, echoed or put in URLs.
 */
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WebConfig } from '../shared/config';
import type { Role } from './html';

export const SESSION_COOKIE = 'gongkai_session';
const SESSION_HOURS = 12;

function digest(text: string): Buffer {
  return crypto.createHash('sha256').update(text).digest();
}

/** Constant-time comparison that does not leak the length either. */
function matches(candidate: string, secret: string | null): boolean {
  return secret !== null && crypto.timingSafeEqual(digest(candidate), digest(secret));
}

export class Authenticator {
  private readonly sessionKey: Buffer;

  constructor(private readonly config: Pick<WebConfig, 'operatorToken' | 'viewerToken'>) {
    // Derived from the credentials, so every web replica accepts the same sessions and changing a
    // credential signs everybody out.
    this.sessionKey = digest(`gongkai-session\0${config.operatorToken ?? ''}\0${config.viewerToken ?? ''}`);
  }

  get actionsEnabled(): boolean {
    return this.config.operatorToken !== null;
  }

  /** The role a credential grants, if any. */
  roleFor(token: string): Role | null {
    if (matches(token, this.config.operatorToken)) return 'operator';
    if (matches(token, this.config.viewerToken)) return 'viewer';
    return null;
  }

  sessionFor(role: Role, now = Date.now()): string {
    const payload = `${role}.${now + SESSION_HOURS * 3600_000}`;
    return `${payload}.${this.sign(payload)}`;
  }

  /** The request's role from its bearer token or session cookie. */
  roleOf(request: FastifyRequest): Role {
    const authorization = request.headers.authorization;
    if (authorization?.startsWith('Bearer ')) return this.roleFor(authorization.slice('Bearer '.length).trim()) ?? 'anonymous';
    const session = request.cookies?.[SESSION_COOKIE];
    return session ? this.roleOfSession(session) : 'anonymous';
  }

  canView(role: Role): boolean {
    return this.config.viewerToken === null || role !== 'anonymous';
  }

  private roleOfSession(session: string): Role {
    const [role, expires, signature] = session.split('.');
    if (!signature || (role !== 'operator' && role !== 'viewer')) return 'anonymous';
    const expected = this.sign(`${role}.${expires}`);
    if (signature.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) return 'anonymous';
    return Number(expires) > Date.now() ? role : 'anonymous';
  }

  private sign(payload: string): string {
    return crypto.createHmac('sha256', this.sessionKey).update(payload).digest('base64url');
  }
}

/** HTML requests are sent to the sign-in page; API requests get a JSON 401/403. */
export function refuse(request: FastifyRequest, reply: FastifyReply, status: 401 | 403, message: string): FastifyReply {
  if (request.url.startsWith('/api/') || !request.headers.accept?.includes('text/html')) return reply.code(status).send({ error: message });
  const next = encodeURIComponent(request.method === 'GET' ? request.url : (request.headers.referer ?? '/'));
  return reply.redirect(`/login?next=${next}&reason=${encodeURIComponent(message)}`, 303);
}
