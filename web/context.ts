/** What the web server and every route handler share: the pipeline's dependencies, the configuration, sign-in, and the request's identity. */
import type { Config } from '../shared/config';
import type { Session } from '../shared/db/accounts';
import type { ExpectedAgency } from '../shared/expected-agencies';
import type { StageOutputStore } from '../shared/stage-outputs';
import type { PipelineDeps } from '../shared/submissions';
import type { Authenticator } from './auth';
import type { Role } from './html';

export interface WebDeps extends PipelineDeps {
  config: Config;
  /** The pages as the pipeline read them (the ocr stage's output), for a cell's source. */
  outputs: StageOutputStore;
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
    /** The signed-in browser's session (its CSRF token); null for an API token or nobody. */
    session: Session | null;
    credential: 'bearer' | 'session' | null;
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
    /** The audit log's name for this action; by default derived from the route (`/documents/:id/retry` → document.retry). */
    audit?: string;
  }
}
