/** The one place a page's context (who, their role, the language, the CSRF token) is read from a request. */
import type { FastifyRequest } from 'fastify';
import type { PageContext } from './html';
import { localeOf } from './i18n';
import type { WebContext } from './context';

/** Query parameters that must not travel into the language switch's `next`. */
const TRANSIENT_PARAMS = ['_csrf', 'lang'];

/** Where the language switch returns: this page for a GET, its path alone after a POST. */
function currentPathOf(request: FastifyRequest): string {
  const url = new URL(request.url, 'http://gongkai.invalid');
  if (request.method !== 'GET') return url.pathname;
  for (const name of TRANSIENT_PARAMS) url.searchParams.delete(name);
  return url.pathname + url.search;
}

export function pageContextOf(request: FastifyRequest, context: Pick<WebContext, 'auth'>): PageContext {
  return {
    role: request.role,
    actionsEnabled: context.auth.actionsEnabled,
    locale: localeOf(request),
    user: request.user,
    csrfToken: request.session?.csrfToken ?? '',
    currentPath: currentPathOf(request),
  };
}

/** Operators and admins act (upload, retry, reprocess, dismiss); viewers only look. */
export function canAct(context: Pick<PageContext, 'role'>): boolean {
  return context.role === 'operator' || context.role === 'admin';
}
