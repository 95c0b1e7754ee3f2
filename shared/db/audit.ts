/** The audit log: who did what to which document or account, from where. Written by web/server.ts's hooks. */
import type { Kysely } from 'kysely';
import type { Database } from './schema';

export interface AuditEntry {
  actor: string;
  role: string | null;
  action: string;
  target: string | null;
  detail?: Record<string, unknown>;
  ip: string | null;
}

export interface AuditRow extends Required<AuditEntry> {
  id: number;
  at: Date;
}

export async function recordAudit(db: Kysely<Database>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({ actor: entry.actor, role: entry.role, action: entry.action, target: entry.target, detail: JSON.stringify(entry.detail ?? {}), ip: entry.ip })
    .execute();
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  limit: number;
  offset: number;
}

/** Newest first; `action` matches a whole name or a family (`document` matches document.retry). */
export async function listAudit(db: Kysely<Database>, filter: AuditFilter): Promise<{ total: number; rows: AuditRow[] }> {
  let query = db.selectFrom('audit_log');
  if (filter.actor) query = query.where('actor', '=', filter.actor);
  if (filter.action) {
    const action = filter.action;
    query = query.where((where) => where.or([where('action', '=', action), where('action', 'like', `${action.replace(/[\\%_]/g, '\\$&')}.%`)]));
  }
  const [{ total }, rows] = await Promise.all([
    query.select((select) => select.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
    query.selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(filter.limit).offset(filter.offset).execute(),
  ]);
  return { total: Number(total), rows: rows.map((row) => ({ ...row, detail: row.detail ?? {} })) };
}

/** The names that occur, for the filter's choices. */
export async function auditNames(db: Kysely<Database>): Promise<{ actors: string[]; actions: string[] }> {
  const [actors, actions] = await Promise.all([
    db.selectFrom('audit_log').select('actor').distinct().orderBy('actor').execute(),
    db.selectFrom('audit_log').select('action').distinct().orderBy('action').execute(),
  ]);
  return { actors: actors.map((row) => row.actor), actions: actions.map((row) => row.action) };
}
