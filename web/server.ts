/**
 * `gongkai serve`: the pages for ops, reviewers and the office, the JSON API behind them (OpenAPI at
 * /api/docs), bull-board at /admin/queues, Prometheus /metrics and the health checks. It reads
 * Postgres and Redis like any worker, so any number of replicas can run against the same two.
 */
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { sql } from 'kysely';
import type { Config } from '../shared/config';
import { loadExpectedAgencies, type ExpectedAgency } from '../shared/expected-agencies';
import type { PipelineDeps } from '../shared/submissions';
import { Authenticator, refuse } from './auth';
import type { Role } from './html';
import { renderMetrics } from './metrics';
import { registerApiRoutes } from './routes/api';
import { registerPageRoutes } from './routes/pages';

export interface WebDeps extends PipelineDeps {
  config: Config;
}

/** What every route handler gets besides the request. */
export interface WebContext extends WebDeps {
  auth: Authenticator;
  expectedAgencies(): Promise<ExpectedAgency[]>;
}

declare module 'fastify' {
  interface FastifyRequest {
    role: Role;
    /** The signed-in user's name; null for an API token or nobody. */
    user: string | null;
    /** What an action did, beyond its route and parameters, for the audit log (a dismissal's reason, a batch's size). */
    auditDetail?: Record<string, unknown>;
  }
  interface FastifyContextConfig {
    /** The route changes something: operator or admin. */
    action?: boolean;
    /** Only admins (user accounts, the audit log). */
    admin?: boolean;
    /** Open to everybody (health checks, the sign-in page). */
    open?: boolean;
  }
}

/** Credentials travel in these; the logs must never show them. */
const REDACTED = ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'];

export async function buildWebServer(deps: WebDeps, options: { logger?: FastifyServerOptions['logger'] } = {}): Promise<FastifyInstance> {
  const { config } = deps;
  const logger = options.logger === undefined || options.logger === false ? false : { ...(options.logger === true ? {} : options.logger), redact: REDACTED };
  const app = Fastify({ logger, bodyLimit: 1024 * 1024, trustProxy: true });
  const auth = new Authenticator(config.web);
  const context: WebContext = { ...deps, auth, expectedAgencies: () => loadExpectedAgencies(config.web.expectedAgenciesFile) };

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  await app.register(fastifyCookie);
  // An oversized file is cut short and reported on its own (web/actions.ts) instead of failing the whole upload.
  await app.register(fastifyMultipart, { throwFileSizeLimit: false, limits: { fileSize: config.maxFileBytes, files: config.web.maxUploadFiles, fields: 10 } });

  app.decorateRequest('role', 'anonymous');
  app.decorateRequest('user', null);
  app.addHook('onRequest', async (request, reply) => {
    request.role = auth.roleOf(request);
    const routeConfig = request.routeOptions.config ?? {};
    if (routeConfig.open) return;
    if (!auth.canView(request.role)) return refuse(request, reply, 401, 'Viewing needs a credential: sign in.');
    if (!routeConfig.action) return;
    if (!auth.actionsEnabled) return refuse(request, reply, 403, 'Actions are disabled: no operator credential is configured (GONGKAI_OPERATOR_TOKEN).');
    if (request.role !== 'operator') return refuse(request, reply, request.role === 'anonymous' ? 401 : 403, 'This action needs the operator credential.');
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
  return app;
}
