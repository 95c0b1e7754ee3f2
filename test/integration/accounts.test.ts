/** Accounts, sessions, CSRF, roles and the audit log, over HTTP (fastify's inject) on the real Postgres and Redis. */
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../shared/config';
import { getDocument } from '../../shared/db/documents';
import { submitFile } from '../../shared/submissions';
import { buildWebServer } from '../../web/server';
import { pipelineUnderTest } from '../support/pipeline';

jest.setTimeout(60_000);

const ADMIN = { username: 'admin', password: 'first-admin-password' };
const OPERATOR_TOKEN = 'operator-token-for-accounts-test';
const SITE = 'http://localhost:80';
const FORM = 'application/x-www-form-urlencoded';

interface Browser {
  cookie: string;
  csrf: string;
}

describe('accounts, sessions and CSRF', () => {
  const pipeline = pipelineUnderTest(
    { GONGKAI_ADMIN_USER: ADMIN.username, GONGKAI_ADMIN_PASSWORD: ADMIN.password, GONGKAI_OPERATOR_TOKEN: OPERATOR_TOKEN },
    { startWorkers: false },
  );
  let app: FastifyInstance;
  let documentId: string;
  let admin: Browser;

  const db = () => pipeline.runtime().db;
  const round = async () => (await getDocument(db(), documentId))!.round;

  const post = (url: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, payload: new URLSearchParams(fields).toString(), headers: { 'content-type': FORM, accept: 'text/html', ...headers } });

  /** Signs in through the form and reads the CSRF token from the page header's sign-out form. */
  async function signIn(username: string, password: string): Promise<Browser> {
    const response = await post('/login', { username, password, next: '/' }, { origin: SITE });
    expect(response.statusCode).toBe(303);
    const cookie = String(response.headers['set-cookie']).split(';')[0];
    const home = await app.inject({ url: '/', headers: { cookie } });
    const csrf = home.body.match(/name="_csrf" value="([^"]+)"/)?.[1];
    expect(csrf).toBeDefined();
    return { cookie, csrf: csrf! };
  }

  async function createUser(username: string, role: string): Promise<Browser> {
    const password = `${username}-password`;
    expect((await post('/admin/users', { username, password, role, _csrf: admin.csrf }, { cookie: admin.cookie, origin: SITE })).statusCode).toBe(303);
    return signIn(username, password);
  }

  beforeAll(async () => {
    app = await buildWebServer(pipeline.runtime());
    documentId = (await submitFile(pipeline.runtime(), { bytes: Buffer.from('一份报告'), fileName: '报告.txt' })).documentId;
    admin = await signIn(ADMIN.username, ADMIN.password);
  });

  afterAll(async () => {
    await app?.close();
  });

  test('the first admin comes from the environment, stored as an argon2id hash; a restart leaves an existing admin alone', async () => {
    const row = await db().selectFrom('users').selectAll().where('username', '=', ADMIN.username).executeTakeFirstOrThrow();
    expect(row.role).toBe('admin');
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.password_hash).not.toContain(ADMIN.password);
    const restarted = await buildWebServer({ ...pipeline.runtime(), config: loadConfig({ ...pipeline.environment().env, GONGKAI_ADMIN_PASSWORD: 'another-password' }) });
    await restarted.close();
    expect((await db().selectFrom('users').select('password_hash').where('username', '=', ADMIN.username).executeTakeFirstOrThrow()).password_hash).toBe(row.password_hash);
  });

  test('once an account exists, viewing needs a session; a wrong password is refused', async () => {
    const page = await app.inject({ url: '/documents', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/login?next=%2Fdocuments&reason=sign-in');
    expect((await app.inject({ url: '/login?reason=sign-in' })).body).toContain('请先登录');
    const wrong = await post('/login', { username: ADMIN.username, password: 'not-the-password' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('用户名或密码不正确');
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  test('the session lives in Postgres as a digest; signing out ends it and the copied cookie is refused', async () => {
    const browser = await signIn(ADMIN.username, ADMIN.password);
    const token = decodeURIComponent(browser.cookie.split('=')[1]);
    const digest = crypto.createHash('sha256').update(token).digest('hex');
    const row = await db().selectFrom('sessions').selectAll().where('id', '=', digest).executeTakeFirstOrThrow();
    expect(row.ended_at).toBeNull();
    expect(await db().selectFrom('sessions').select('id').where('id', '=', token).executeTakeFirst()).toBeUndefined();
    const home = await app.inject({ url: '/', headers: { cookie: browser.cookie } });
    expect(home.body).toContain('<span class="user">admin</span>');

    const signOut = await post('/logout', { _csrf: browser.csrf }, { cookie: browser.cookie, origin: SITE });
    expect(signOut.statusCode).toBe(303);
    expect(String(signOut.headers['set-cookie'])).toMatch(/gongkai_session=;/);
    expect((await db().selectFrom('sessions').select('ended_at').where('id', '=', digest).executeTakeFirstOrThrow()).ended_at).not.toBeNull();
    const replayed = await app.inject({ url: '/documents', headers: { cookie: browser.cookie, accept: 'text/html' } });
    expect(replayed.statusCode).toBe(303);
    expect(replayed.headers.location).toMatch(/^\/login/);
  });

  test('signing in again from a signed-in browser (its form carries the token) replaces the session', async () => {
    const first = await signIn(ADMIN.username, ADMIN.password);
    const again = await post('/login', { ...ADMIN, _csrf: first.csrf, next: '/' }, { cookie: first.cookie, origin: SITE });
    expect(again.statusCode).toBe(303);
    expect(String(again.headers['set-cookie']).split(';')[0]).not.toBe(first.cookie);
    expect((await app.inject({ url: '/documents', headers: { cookie: first.cookie, accept: 'text/html' } })).statusCode).toBe(303);
  });

  test('a session ends at its expiry, after the idle timeout, and when its user is disabled', async () => {
    const visit = (browser: Browser) => app.inject({ url: '/documents', headers: { cookie: browser.cookie, accept: 'text/html' } }).then((response) => response.statusCode);
    const digestOf = (browser: Browser) => crypto.createHash('sha256').update(decodeURIComponent(browser.cookie.split('=')[1])).digest('hex');

    const expiring = await createUser('erin', 'viewer');
    expect(await visit(expiring)).toBe(200);
    await db().updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', digestOf(expiring)).execute();
    expect(await visit(expiring)).toBe(303);

    const idle = await signIn('erin', 'erin-password');
    expect(await visit(idle)).toBe(200);
    await db().updateTable('sessions').set({ last_seen_at: new Date(Date.now() - 61 * 60_000) }).where('id', '=', digestOf(idle)).execute();
    expect(await visit(idle)).toBe(303);

    const disabled = await signIn('erin', 'erin-password');
    const erin = await db().selectFrom('users').select('id').where('username', '=', 'erin').executeTakeFirstOrThrow();
    expect((await post(`/admin/users/${erin.id}/disable`, { _csrf: admin.csrf }, { cookie: admin.cookie, origin: SITE })).statusCode).toBe(303);
    expect(await visit(disabled)).toBe(303);
    expect((await post('/login', { username: 'erin', password: 'erin-password' })).statusCode).toBe(401);
  });

  test('CSRF: a cookie-authenticated POST needs this site as its Origin and the session’s token; nothing is done otherwise', async () => {
    const operator = await createUser('olga', 'operator');
    const reprocess = `/documents/${documentId}/reprocess`;
    const before = await round();

    const missing = await post(reprocess, {}, { cookie: operator.cookie, origin: SITE });
    expect(missing.statusCode).toBe(403);
    expect(missing.body).toContain('安全令牌缺失或不正确');
    expect((await post(reprocess, { _csrf: 'x'.repeat(43) }, { cookie: operator.cookie, origin: SITE })).statusCode).toBe(403);
    expect((await post(reprocess, { _csrf: admin.csrf }, { cookie: operator.cookie, origin: SITE })).statusCode).toBe(403);
    const foreign = await post(reprocess, { _csrf: operator.csrf }, { cookie: operator.cookie, origin: 'http://evil.example' });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.body).toContain('不是从本站的页面发出的');
    expect((await post(reprocess, { _csrf: operator.csrf }, { cookie: operator.cookie })).statusCode).toBe(403);
    const json = await app.inject({ method: 'POST', url: `/api/documents/${documentId}/reprocess`, headers: { cookie: operator.cookie, origin: SITE } });
    expect(json.statusCode).toBe(403);
    expect(json.json().error).toContain('安全令牌');
    expect(await round()).toBe(before);

    expect((await post(reprocess, { _csrf: operator.csrf }, { cookie: operator.cookie, referer: `${SITE}/documents/${documentId}` })).statusCode).toBe(303);
    expect(await round()).toBe(before + 1);
    const header = await app.inject({ method: 'POST', url: `/api/documents/${documentId}/reprocess`, headers: { cookie: operator.cookie, origin: SITE, 'x-csrf-token': operator.csrf } });
    expect(header.statusCode).toBe(202);
    expect(await round()).toBe(before + 2);
  });

  test('a multipart upload carries the token in its action query string', async () => {
    const operator = await signIn('olga', 'olga-password');
    const upload = (url: string) => {
      const form = new FormData();
      form.append('files', new Blob([new TextEncoder().encode('另一份报告')]), '另一份.txt');
      return app.inject({ method: 'POST', url, payload: form, headers: { cookie: operator.cookie, origin: SITE, accept: 'text/html' } });
    };
    expect((await upload('/upload')).statusCode).toBe(403);
    const accepted = await upload(`/upload?_csrf=${encodeURIComponent(operator.csrf)}`);
    expect(accepted.statusCode).toBeLessThan(400);
  });

  test('bearer tokens skip the CSRF checks: they are not sent by browsers on their own', async () => {
    const before = await round();
    const response = await app.inject({ method: 'POST', url: `/api/documents/${documentId}/reprocess`, headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, origin: 'http://evil.example' } });
    expect(response.statusCode).toBe(202);
    expect(await round()).toBe(before + 1);
  });

  test('roles: a viewer cannot act, an operator cannot manage users or read the audit log', async () => {
    const viewer = await createUser('vera', 'viewer');
    const before = await round();
    const refused = await post(`/documents/${documentId}/reprocess`, { _csrf: viewer.csrf }, { cookie: viewer.cookie, origin: SITE });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('需要操作员或管理员');
    expect(await round()).toBe(before);

    const operator = await signIn('olga', 'olga-password');
    expect((await app.inject({ url: '/admin/users', headers: { cookie: operator.cookie, accept: 'text/html' } })).statusCode).toBe(403);
    expect((await app.inject({ url: '/admin/audit', headers: { cookie: operator.cookie, accept: 'text/html' } })).statusCode).toBe(403);
    expect((await post('/admin/users', { username: 'mallory', password: 'mallory-password', role: 'admin', _csrf: operator.csrf }, { cookie: operator.cookie, origin: SITE })).statusCode).toBe(403);
    expect(await db().selectFrom('users').select('id').where('username', '=', 'mallory').executeTakeFirst()).toBeUndefined();
    expect((await app.inject({ url: '/admin/users', headers: { cookie: admin.cookie } })).body).toContain('data-user="olga"');
  });

  test('an admin changes roles and resets passwords; a reset ends the old sessions; nobody demotes themself', async () => {
    const user = await createUser('pat', 'viewer');
    const pat = await db().selectFrom('users').select('id').where('username', '=', 'pat').executeTakeFirstOrThrow();
    expect((await post(`/admin/users/${pat.id}/role`, { role: 'operator', _csrf: admin.csrf }, { cookie: admin.cookie, origin: SITE })).statusCode).toBe(303);
    expect((await app.inject({ url: '/', headers: { cookie: user.cookie } })).body).toContain('(操作员)');
    expect((await post(`/admin/users/${pat.id}/password`, { password: 'short', _csrf: admin.csrf }, { cookie: admin.cookie, origin: SITE })).statusCode).toBe(400);
    expect((await post(`/admin/users/${pat.id}/password`, { password: 'a-new-password', _csrf: admin.csrf }, { cookie: admin.cookie, origin: SITE })).statusCode).toBe(303);
    expect((await app.inject({ url: '/documents', headers: { cookie: user.cookie, accept: 'text/html' } })).statusCode).toBe(303);
    await signIn('pat', 'a-new-password');

    const self = await db().selectFrom('users').select('id').where('username', '=', ADMIN.username).executeTakeFirstOrThrow();
    expect((await post(`/admin/users/${self.id}/role`, { role: 'viewer', _csrf: admin.csrf }, { cookie: admin.cookie, origin: SITE })).statusCode).toBe(409);
  });

  test('the audit log names who did what: actions, sign-ins and failures, sign-outs', async () => {
    const rows = await db().selectFrom('audit_log').selectAll().orderBy('id').execute();
    const find = (actor: string, action: string) => rows.filter((row) => row.actor === actor && row.action === action);
    expect(find('olga', 'document.reprocess')).toEqual([
      expect.objectContaining({ role: 'operator', target: documentId, ip: '127.0.0.1' }),
      expect.objectContaining({ role: 'operator', target: documentId }),
    ]);
    expect(find('token:operator', 'document.reprocess')).toHaveLength(1);
    // The upload (named by its route module).
    expect(rows.filter((row) => row.actor === 'olga' && !row.action.startsWith('session.') && row.action !== 'document.reprocess')).toHaveLength(1);
    expect(find('vera', 'document.reprocess')).toHaveLength(0);
    expect(find('admin', 'user.create').map((row) => row.detail)).toEqual(expect.arrayContaining([{ username: 'olga', role: 'operator' }]));
    expect(find('admin', 'user.role')).toEqual([expect.objectContaining({ detail: { username: 'pat', role: 'operator' } })]);
    expect(find('admin', 'user.disable')).toHaveLength(1);
    expect(find('admin', 'session.sign-in').length).toBeGreaterThan(0);
    expect(find('admin', 'session.sign-in-failed')).toHaveLength(1);
    expect(find('admin', 'session.sign-out')).toHaveLength(1);
    // A refused request is not an action that happened.
    expect(rows.filter((row) => row.action === 'user.create' && (row.detail as { username?: string }).username === 'mallory')).toHaveLength(0);

    const page = await app.inject({ url: '/admin/audit?actor=olga&action=document', headers: { cookie: admin.cookie } });
    expect(page.statusCode).toBe(200);
    expect((page.body.match(/<td>document\.reprocess<\/td>/g) ?? []).length).toBe(2);
    expect(page.body).not.toContain('<td>session.sign-in</td>');
  });

  test('security headers, and the language switch that goes back only to a path of this site', async () => {
    const response = await app.inject({ url: '/login' });
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('same-origin');

    const english = await app.inject({ url: '/lang?to=en&next=%2Fdocuments%3Fstatus%3Dpublished' });
    expect(english.statusCode).toBe(303);
    expect(english.headers.location).toBe('/documents?status=published');
    expect(String(english.headers['set-cookie'])).toMatch(/^gongkai_lang=en;/);
    expect((await app.inject({ url: '/lang?to=en&next=%2F%2Fevil.example' })).headers.location).toBe('/');
    expect((await app.inject({ url: '/login', headers: { cookie: 'gongkai_lang=en' } })).body).toContain('User name');
  });
});

describe('the quick start: no account and no viewer token', () => {
  const pipeline = pipelineUnderTest({}, { startWorkers: false });

  test('viewing is open, every action is refused until an account exists, then viewing needs a session', async () => {
    const app = await buildWebServer(pipeline.runtime());
    try {
      const adminPage = await app.inject({ url: '/admin/users', headers: { accept: 'text/html' } });
      expect(adminPage.statusCode).toBe(303);
      expect((await app.inject({ url: '/api/documents' })).statusCode).toBe(200);
      const refused = await app.inject({ method: 'POST', url: '/api/documents/00000000-0000-0000-0000-000000000000/retry' });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error).toContain('GONGKAI_ADMIN_USER');

      await pipeline.runtime().db.insertInto('users').values({ username: 'late', password_hash: 'x', role: 'admin' }).execute();
      expect((await app.inject({ url: '/api/documents' })).statusCode).toBe(401);
      expect((await app.inject({ method: 'POST', url: '/api/documents/00000000-0000-0000-0000-000000000000/retry' })).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});
