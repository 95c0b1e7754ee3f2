/**
 * User accounts and their sessions. Passwords are kept only as argon2id hashes; a session's cookie
 * token is kept only as its SHA-256, so neither a database dump nor a log signs anybody in.
 */
import crypto from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import type { Database, UserRole } from './schema';

export const USER_ROLES: readonly UserRole[] = ['viewer', 'operator', 'admin'];

export function isUserRole(value: unknown): value is UserRole {
  return USER_ROLES.includes(value as UserRole);
}

export interface User {
  id: number;
  username: string;
  role: UserRole;
  createdAt: Date;
  disabledAt: Date | null;
}

export class AccountError extends Error {}

/** Names people type and read back in the audit log: letters (any script), digits, . _ - @, 1–64 characters. */
const USERNAME = /^[\p{L}\p{N}._@-]{1,64}$/u;
export const MIN_PASSWORD_LENGTH = 8;

function checkUsername(username: string): void {
  if (!USERNAME.test(username)) throw new AccountError('用户名只能包含字母、数字和 . _ - @，最长 64 个字符 (letters, digits and . _ - @, at most 64 characters)');
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new AccountError(`密码至少 ${MIN_PASSWORD_LENGTH} 个字符 (at least ${MIN_PASSWORD_LENGTH} characters)`);
}

/** argon2id (the library's default algorithm) with its default cost: about 50 ms and 19 MiB per hash. */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

function toUser(row: { id: number; username: string; role: UserRole; created_at: Date; disabled_at: Date | null }): User {
  return { id: row.id, username: row.username, role: row.role, createdAt: row.created_at, disabledAt: row.disabled_at };
}

const USER_COLUMNS = ['id', 'username', 'role', 'created_at', 'disabled_at'] as const;

export async function createUser(db: Kysely<Database>, input: { username: string; password: string; role: UserRole }): Promise<User> {
  checkUsername(input.username);
  checkPassword(input.password);
  const row = await db
    .insertInto('users')
    .values({ username: input.username, password_hash: await hashPassword(input.password), role: input.role })
    .onConflict((conflict) => conflict.column('username').doNothing())
    .returning(USER_COLUMNS)
    .executeTakeFirst();
  if (!row) throw new AccountError(`用户 ${input.username} 已存在 (user exists)`);
  return toUser(row);
}

/**
 * The first admin from GONGKAI_ADMIN_USER / GONGKAI_ADMIN_PASSWORD. Created when missing; an existing
 * account is left untouched (its password and role may have been changed on purpose since), so the
 * variables can stay set across restarts and replicas. Returns whether it was created.
 */
export async function ensureAdmin(db: Kysely<Database>, username: string, password: string): Promise<boolean> {
  if (await findUser(db, username)) return false;
  try {
    await createUser(db, { username, password, role: 'admin' });
    return true;
  } catch (error) {
    // Another replica created it at the same moment.
    if (error instanceof AccountError && (await findUser(db, username))) return false;
    throw error;
  }
}

export async function findUser(db: Kysely<Database>, username: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').select(USER_COLUMNS).where('username', '=', username).executeTakeFirst();
  return row && toUser(row);
}

export async function getUser(db: Kysely<Database>, id: number): Promise<User | undefined> {
  const row = await db.selectFrom('users').select(USER_COLUMNS).where('id', '=', id).executeTakeFirst();
  return row && toUser(row);
}

export async function listUsers(db: Kysely<Database>): Promise<User[]> {
  return (await db.selectFrom('users').select(USER_COLUMNS).orderBy('username').execute()).map(toUser);
}

export async function anyUserExists(db: Kysely<Database>): Promise<boolean> {
  return (await db.selectFrom('users').select('id').limit(1).executeTakeFirst()) !== undefined;
}

/** A hash to verify against when the user does not exist, so a wrong name takes as long as a wrong password. */
let decoyHash: Promise<string> | undefined;

/** The enabled user with this name and password, or null. */
export async function checkCredentials(db: Kysely<Database>, username: string, password: string): Promise<User | null> {
  const row = await db.selectFrom('users').select([...USER_COLUMNS, 'password_hash']).where('username', '=', username).executeTakeFirst();
  decoyHash ??= hashPassword(crypto.randomBytes(16).toString('hex'));
  const valid = await verify(row?.password_hash ?? (await decoyHash), password).catch(() => false);
  return row && valid && !row.disabled_at ? toUser(row) : null;
}

export async function setRole(db: Kysely<Database>, userId: number, role: UserRole): Promise<void> {
  await db.updateTable('users').set({ role }).where('id', '=', userId).execute();
}

/** Disabling ends the user's sessions at once; enabling lets them sign in again. */
export async function setDisabled(db: Kysely<Database>, userId: number, disabled: boolean): Promise<void> {
  await db.updateTable('users').set({ disabled_at: disabled ? new Date() : null }).where('id', '=', userId).execute();
  if (disabled) await endSessionsOf(db, userId);
}

/** A new password ends every session signed in with the old one. */
export async function setPassword(db: Kysely<Database>, userId: number, password: string): Promise<void> {
  checkPassword(password);
  await db.updateTable('users').set({ password_hash: await hashPassword(password) }).where('id', '=', userId).execute();
  await endSessionsOf(db, userId);
}

export interface SessionLimits {
  idleMs: number;
  maxMs: number;
}

export interface Session {
  /** The row's id: the token's digest, never the token. */
  id: string;
  csrfToken: string;
  user: User;
}

function digest(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

/** A new session; the returned token goes in the cookie and is stored nowhere. */
export async function startSession(db: Kysely<Database>, userId: number, limits: SessionLimits, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
  const token = crypto.randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + limits.maxMs);
  await db
    .insertInto('sessions')
    .values({ id: digest(token), user_id: userId, csrf_token: crypto.randomBytes(32).toString('base64url'), created_at: now, last_seen_at: now, expires_at: expiresAt })
    .execute();
  return { token, expiresAt };
}

/** last_seen_at is written at most this often, not on every request. */
const TOUCH_EVERY_MS = 60_000;

/** The live session of a cookie token: not ended, not past its expiry or idle limit, its user not disabled. */
export async function sessionOf(db: Kysely<Database>, token: string, limits: SessionLimits, now = new Date()): Promise<Session | null> {
  const id = digest(token);
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['sessions.csrf_token', 'sessions.last_seen_at', 'sessions.expires_at', 'sessions.ended_at', 'users.id', 'users.username', 'users.role', 'users.created_at', 'users.disabled_at'])
    .where('sessions.id', '=', id)
    .executeTakeFirst();
  if (!row || row.ended_at || row.disabled_at || row.expires_at <= now || now.getTime() - row.last_seen_at.getTime() > limits.idleMs) return null;
  if (now.getTime() - row.last_seen_at.getTime() > TOUCH_EVERY_MS) await db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', id).execute();
  return { id, csrfToken: row.csrf_token, user: toUser(row) };
}

export async function endSession(db: Kysely<Database>, sessionId: string): Promise<void> {
  await db.updateTable('sessions').set({ ended_at: new Date() }).where('id', '=', sessionId).where('ended_at', 'is', null).execute();
}

async function endSessionsOf(db: Kysely<Database>, userId: number): Promise<void> {
  await db.updateTable('sessions').set({ ended_at: new Date() }).where('user_id', '=', userId).where('ended_at', 'is', null).execute();
}
