/**
 * `gongkai serve`: the pages for ops, reviewers and the office, the JSON API behind them (OpenAPI at
 * /api/docs), bull-board at /admin/queues, Prometheus /metrics and the health checks. It reads
 * Postgres and Redis like any worker, so any number of replicas can run against the same two.
 */
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyMultipart from '@fastify/multipart';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { sql } from 'kysely';
import { ensureAdmin } from '../shared/db/accounts';
import { recordAudit } from '../shared/db/audit';
import { loadExpectedAgencies } from '../shared/expected-agencies';
import { openRedisClient } from '../shared/redis';
import { actorOf, Authenticator, changesState, csrfTokenMatches, fromThisSite, refuse } from './auth';
import type { WebContext, WebDeps } from './context';
import { renderMetrics } from './metrics';
import { canAct } from './page-context';
import { multipartOptions } from './uploads';
import { registerAccountRoutes } from './routes/accounts';
import { registerApiRoutes } from './routes/api';
import { registerBulkRoutes } from './routes/bulk';
import { registerExportRoutes } from './routes/export';
import { registerPageRoutes } from './routes/pages';
import { registerPlaceRoutes } from './routes/places';
import { registerRollupRoutes } from './routes/rollup';
import { registerSourceRoutes } from './routes/source';


/** Credentials travel in these; the logs must never show them. */
const REDACTED = ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'];

/** A multipart form's CSRF token rides in its action's query string; the request log leaves it out. */
function loggedUrl(url: string): string {
  return url.replace(/([?&])_csrf=[^&]*&?/, '$1').replace(/[?&]$/, '');
}

/**
 * The pages run no inline script and load nothing from elsewhere. bull-board's and swagger-ui's pages
 * are script bundles served from here too, with inline styles and data:/blob: images, so one policy
 * fits every page (checked in chromium by test/browser/accounts.test.ts).
 */
const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  frameAncestors: ["'none'"],
  formAction: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
};

/** The audit name of a route: `/api/documents/:id/retry` → document.retry (a collection before a parameter is named in the singular). */
export function auditActionOf(routeUrl: string): string {
  const segments = routeUrl.split('/').filter(Boolean);
  if (segments[0] === 'api') segments.shift();
  const names = segments.flatMap((segment, index) => {
    if (segment.startsWith(':')) return [];
    const beforeParameter = segments[index + 1]?.startsWith(':');
    return [beforeParameter && segment.endsWith('s') && !segment.endsWith('ss') ? segment.slice(0, -1) : segment];
  });
  return names.join('.') || 'root';
}

function auditTargetOf(request: FastifyRequest): string | null {
  const values = Object.values((request.params ?? {}) as Record<string, string>);
  return values.length > 0 ? values.join('/') : null;
}

export async function buildWebServer(deps: WebDeps, options: { logger?: FastifyServerOptions['logger'] } = {}): Promise<FastifyInstance> {
  const { config } = deps;
  const logger =
    options.logger === undefined || options.logger === false
      ? false
      : {
          ...(options.logger === true ? {} : options.logger),
          redact: REDACTED,
          serializers: { req: (request: FastifyRequest) => ({ method: request.method, url: loggedUrl(request.url), host: request.host, remoteAddress: request.ip }) },
        };
  const app = Fastify({ logger, bodyLimit: 1024 * 1024, trustProxy: true });
  const auth = new Authenticator(deps.db, config.web);
  const context: WebContext = { ...deps, auth, expectedAgencies: () => loadExpectedAgencies(config.web.expectedAgenciesFile) };

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  await app.register(fastifyCookie);
  // Uploads are streamed part by part; files over a limit are refused one by one (web/uploads.ts), never the whole upload.
  await app.register(fastifyMultipart, multipartOptions(config));

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    referrerPolicy: { policy: 'same-origin' },
    // swagger-ui and bull-board load their own bundles only; nothing here is embedded cross-origin.
    crossOriginEmbedderPolicy: false,
  });

  // Sign-in failures are counted in Redis, so the limit holds across web replicas (web/routes/accounts.ts).
  // The queues' Redis: shared/queues.ts opens every queue from its URL (redisOptions).
  const { url: redisUrl } = deps.queues.deadLetter.opts.connection as { url: string };
  const limiterRedis = openRedisClient(redisUrl, { maxRetriesPerRequest: 1 });
  app.addHook('onClose', async () => limiterRedis.disconnect());
  await app.register(fastifyRateLimit, { global: false, redis: limiterRedis, nameSpace: `${config.queuePrefix}:sign-in-limit:` });

  if (config.web.adminUser && config.web.adminPassword) {
    if (await ensureAdmin(deps.db, config.web.adminUser, config.web.adminPassword)) app.log.info({ user: config.web.adminUser }, 'created the first admin account');
  }

  app.decorateRequest('role', 'anonymous');
  app.decorateRequest('user', null);
  app.decorateRequest('session', null);
  app.decorateRequest('credential', null);
  app.addHook('onRequest', async (request, reply) => {
    const identity = await auth.identify(request);
    request.role = identity.role;
    request.user = identity.session?.user.username ?? null;
    request.session = identity.session;
    request.credential = identity.credential;
    const routeConfig = request.routeOptions.config ?? {};
    if (routeConfig.open) return;
    const viewingRestricted = await auth.viewingRestricted();
    if (request.role === 'anonymous' && viewingRestricted) return refuse(request, reply, context, 401, 'sign-in');
    if (routeConfig.admin && request.role !== 'admin') return refuse(request, reply, context, request.role === 'anonymous' ? 401 : 403, 'admin');
    if (!routeConfig.action) return;
    if (!auth.actionsEnabled) return refuse(request, reply, context, 403, 'actions-disabled');
    if (!canAct(request)) return refuse(request, reply, context, request.role === 'anonymous' ? 401 : 403, 'operator');
  });

  // CSRF: after the body is parsed (a urlencoded form's `_csrf`), before anything acts on it. Bearer
  // requests carry no ambient credential and are not checked; a sign-in (no session yet) is checked
  // for its Origin only, so no other site can sign a browser in to an account of its choosing.
  app.addHook('preValidation', async (request, reply) => {
    if (!changesState(request) || request.credential === 'bearer') return;
    const sameSite = fromThisSite(request, config.web.publicUrl);
    if (request.session) {
      if (sameSite !== true) return refuse(request, reply, context, 403, 'origin');
      if (!csrfTokenMatches(request)) return refuse(request, reply, context, 403, 'csrf');
    } else if (sameSite === false) return refuse(request, reply, context, 403, 'origin');
  });

  // Written before the response leaves, so whoever sees the outcome can also find it in the log.
  app.addHook('onSend', async (request, reply, payload) => {
    const routeConfig = request.routeOptions.config ?? {};
    if (!(routeConfig.action || routeConfig.admin) || !changesState(request) || reply.statusCode >= 400) return payload;
    await recordAudit(deps.db, {
      actor: actorOf(request),
      role: request.role,
      action: routeConfig.audit ?? auditActionOf(request.routeOptions.url ?? request.url),
      target: auditTargetOf(request),
      detail: request.auditDetail,
      ip: request.ip,
    });
    return payload;
  });

  await app.register(fastifySwagger, {
    // The pages and bull-board's own routes are not the API.
    hideUntagged: true,
    openapi: {
      info: { title: 'gongkai', version: '1', description: 'Government information-disclosure annual reports as validated data.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list' } });

  app.get('/healthz', { config: { open: true }, schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { open: true }, schema: { hide: true } }, async (_request, reply) => {
    try {
      await sql`select 1`.execute(deps.db);
      await deps.queues.deadLetter.getJobCounts('waiting');
      return { status: 'ready' };
    } catch (error) {
      return reply.code(503).send({ status: 'unavailable', error: error instanceof Error ? error.message : String(error) });
    }
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const metrics = await renderMetrics(deps.db, deps.queues);
    return reply.type(metrics.contentType).send(metrics.body);
  });

  const board = new FastifyAdapter();
  board.setBasePath('/admin/queues');
  // Read-only: a re-drive must go through gongkai (new round, Postgres letters resolved), never a raw job retry.
  createBullBoard({ queues: deps.queues.all().map((queue) => new BullMQAdapter(queue, { readOnlyMode: true })), serverAdapter: board });
  await app.register(board.registerPlugin(), { prefix: '/admin/queues' });

  await registerApiRoutes(app, context);
  await registerPageRoutes(app, context);
  await registerPlaceRoutes(app, context);
  await registerRollupRoutes(app, context);
  await registerSourceRoutes(app, context);
  await registerBulkRoutes(app, context);
  await registerAccountRoutes(app, context);
  await registerExportRoutes(app, context);
  return app;
}
