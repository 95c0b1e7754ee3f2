/**
 * Bulk uploads and dead letters over HTTP on the real pipeline: a ZIP read entry by entry (nested
 * folders flattened, junk skipped, unsafe names and zip bombs refused), limits that refuse files one
 * by one and list them, streaming with an oversized file, and the dead-letter actions — retry by
 * error code skipping permanent failures, 409 for a permanent retry, dismiss, answer with a file.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { zipSync } from 'fflate';
import { waitForDocuments } from '../../cli/wait';
import { listDeadLetters } from '../../shared/db/dead-letters';
import { getDocument } from '../../shared/db/documents';
import { submitFile } from '../../shared/submissions';
import { buildWebServer } from '../../web/server';
import { REPO_ROOT, SAMPLES_DIR } from '../support/environment';
import { pipelineUnderTest } from '../support/pipeline';

jest.setTimeout(120_000);

const OPERATOR = 'operator-credential-for-bulk-test';
const ADMIN = { username: 'bulk-admin', password: 'bulk-admin-password' };
const operator = { authorization: `Bearer ${OPERATOR}` };
const MAX_FILES = 30;

function multipart(files: Array<{ name: string; bytes: Buffer | Uint8Array }>, field = 'files'): FormData {
  const form = new FormData();
  for (const file of files) form.append(field, new Blob([new Uint8Array(file.bytes)]), file.name);
  return form;
}

function sample(name: string): Buffer {
  return fs.readFileSync(path.join(SAMPLES_DIR, name));
}

/** Sample 003 with its title's year changed, so each copy is a different file. */
function sampleVariant(index: number): Buffer {
  return Buffer.from(`${sample('003_6f6c780c05ed1855.txt').toString('utf8')}\n附注 ${index}\n`);
}

/** A ZIP whose central directory claims an entry inflates to `claimed` bytes while it inflates to far more. */
function withUnderstatedSize(zip: Uint8Array, entryName: string, claimed: number): Buffer {
  const bytes = Buffer.from(zip);
  const name = Buffer.from(entryName);
  for (let offset = bytes.indexOf('PK\x01\x02', 0, 'latin1'); offset >= 0; offset = bytes.indexOf('PK\x01\x02', offset + 4, 'latin1')) {
    const nameLength = bytes.readUInt16LE(offset + 28);
    if (bytes.subarray(offset + 46, offset + 46 + nameLength).equals(name)) {
      bytes.writeUInt32LE(claimed, offset + 24);
      return bytes;
    }
  }
  throw new Error(`no entry ${entryName}`);
}

/** A ZIP as Chinese Windows writes it: the entry's name in GBK, without the UTF-8 flag. */
function withGbkName(zip: Uint8Array, placeholder: string, gbk: Buffer): Buffer {
  const bytes = Buffer.from(zip);
  const ascii = Buffer.from(placeholder);
  expect(gbk.length).toBe(ascii.length);
  for (let offset = bytes.indexOf(ascii); offset >= 0; offset = bytes.indexOf(ascii, offset + 1)) gbk.copy(bytes, offset);
  return bytes;
}

describe('bulk uploads and dead letters', () => {
  const pipeline = pipelineUnderTest(
    {
      GONGKAI_OPERATOR_TOKEN: OPERATOR,
      GONGKAI_ADMIN_USER: ADMIN.username,
      GONGKAI_ADMIN_PASSWORD: ADMIN.password,
      GONGKAI_MAX_FILE_MB: '1',
      GONGKAI_MAX_UPLOAD_FILES: String(MAX_FILES),
      GONGKAI_ATTEMPTS: '2',
      GONGKAI_BACKOFF_MS: '50',
    },
    { startWorkers: false },
  );
  let app: FastifyInstance;
  /** Dead-lettered at ingest as TRANSIENT (their originals were away), retryable. */
  let transient: string[];
  /** Dead-lettered as CORRUPT_FILE: truncated PDFs. */
  let corrupt: string[];

  beforeAll(async () => {
    const runtime = pipeline.runtime();
    transient = [];
    for (const [index, name] of ['002_75831f4e612adbeb.txt', '004_821e3546fb6fcf9b.txt'].entries()) {
      const { documentId } = await submitFile(runtime, { bytes: sample(name), fileName: `transient-${index}.txt` });
      const { sha256 } = (await getDocument(runtime.db, documentId))!;
      const blob = path.join(runtime.config.blobDir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
      fs.renameSync(blob, `${blob}.away`);
      transient.push(documentId);
    }
    const pdf = sample('001_8775b43b601402e9.pdf');
    corrupt = [];
    for (const cut of [3000, 5000, 7000]) corrupt.push((await submitFile(runtime, { bytes: pdf.subarray(0, cut), fileName: `truncated-${cut}.pdf` })).documentId);
    runtime.startWorkers();
    await waitForDocuments(runtime.db, [...transient, ...corrupt], { timeoutMs: 60_000, quiet: true });
    for (const id of transient) {
      const { sha256 } = (await getDocument(runtime.db, id))!;
      const blob = path.join(runtime.config.blobDir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
      fs.renameSync(`${blob}.away`, blob);
    }
    app = await buildWebServer(runtime);
  });

  afterAll(async () => {
    await app?.close();
  });

  test('a ZIP is read entry by entry: nested folders flattened, GBK names read, junk skipped, ../ and zip bombs refused, a DOCX kept whole', async () => {
    const zip = zipSync({
      'reports/2021/米易县年报.txt': sampleVariant(1),
      'reports/兖州区年报.txt': sampleVariant(2),
      'reports/': new Uint8Array(0),
      'reports/.DS_Store': new Uint8Array([0, 0, 0, 1]),
      '__MACOSX/reports/._兖州区年报.txt': new Uint8Array([0, 5, 22, 7]),
      'Thumbs.db': new Uint8Array([1, 2, 3]),
      '../escape.txt': sampleVariant(3),
      'bomb.txt': new Uint8Array(900 * 1024),
      'understated.txt': new Uint8Array(600 * 1024).fill(65),
      'gbk/abcdef.txt': sampleVariant(4),
    });
    // The header says 1,000 bytes, well inside every limit; only the inflated bytes tell.
    const archive = withGbkName(withUnderstatedSize(zip, 'understated.txt', 1000), 'gbk/abcdef.txt', Buffer.concat([Buffer.from('gbk/'), Buffer.from('c3d7d2d7cfd8', 'hex'), Buffer.from('.txt')]));
    const docx = fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/layouts/001-nonzero.docx'));
    const response = await app.inject({
      method: 'POST',
      url: '/api/batches',
      headers: operator,
      payload: multipart([
        { name: 'upload.bin', bytes: archive },
        { name: 'word/001.docx', bytes: docx },
      ]),
    });
    expect(response.statusCode).toBe(201);
    const upload = response.json();
    expect(upload.accepted.map((file: { path: string; fileName: string }) => [file.path, file.fileName])).toEqual([
      ['upload.bin/reports/2021/米易县年报.txt', '米易县年报.txt'],
      ['upload.bin/reports/兖州区年报.txt', '兖州区年报.txt'],
      ['upload.bin/gbk/米易县.txt', '米易县.txt'],
      ['word/001.docx', '001.docx'],
    ]);
    expect(upload.refused).toEqual([
      { path: 'upload.bin/../escape.txt', reason: 'UNSAFE_NAME', detail: expect.any(String) },
      { path: 'upload.bin/bomb.txt', reason: 'COMPRESSION_RATIO', detail: expect.stringMatching(/inflates \d+ times; at most 100/) },
      { path: 'upload.bin/understated.txt', reason: 'BAD_ZIP', detail: expect.stringMatching(/too many bytes/) },
    ]);
    expect(upload).toMatchObject({ files: 7, skipped: 4 });

    const db = pipeline.runtime().db;
    const stored = await db
      .selectFrom('batch_documents as b')
      .innerJoin('documents as d', 'd.id', 'b.document_id')
      .select(['b.file_path', 'd.file_name'])
      .where('b.batch_id', '=', upload.batchId)
      .orderBy('b.position')
      .execute();
    expect(stored).toEqual([
      { file_path: 'upload.bin/reports/2021/米易县年报.txt', file_name: '米易县年报.txt' },
      { file_path: 'upload.bin/reports/兖州区年报.txt', file_name: '兖州区年报.txt' },
      { file_path: 'upload.bin/gbk/米易县.txt', file_name: '米易县.txt' },
      { file_path: 'word/001.docx', file_name: '001.docx' },
    ]);
    const ids = upload.accepted.map((file: { documentId: string }) => file.documentId);
    await waitForDocuments(db, ids, { timeoutMs: 60_000, quiet: true });
    const batch = (await app.inject({ url: `/api/batches/${upload.batchId}`, headers: operator })).json();
    expect(batch).toMatchObject({ id: upload.batchId, createdBy: 'token', files: 7, accepted: 4, skipped: 4 });
    expect(batch.counts).toEqual([{ state: 'published', stage: 'publish', count: 4 }]);
    expect(batch.refused).toHaveLength(3);
  });

  test('the same bytes in two batches belong to both', async () => {
    const bytes = sampleVariant(10);
    const first = (await app.inject({ method: 'POST', url: '/api/batches', headers: operator, payload: multipart([{ name: 'a.txt', bytes }]) })).json();
    const second = (await app.inject({ method: 'POST', url: '/api/batches', headers: operator, payload: multipart([{ name: 'b.txt', bytes }, { name: 'c.txt', bytes }]) })).json();
    expect(second.accepted).toEqual([expect.objectContaining({ documentId: first.accepted[0].documentId, created: false })]);
    expect(second.refused).toEqual([{ path: 'c.txt', reason: 'DUPLICATE', detail: expect.any(String) }]);
  });

  test('over the file limit: the first files are accepted, the rest listed as refused; past the parser limit too, with no raw error', async () => {
    const files = Array.from({ length: MAX_FILES + 5 }, (_, index) => ({ name: `批量/第${index + 1}号.txt`, bytes: sampleVariant(100 + index) }));
    const response = await app.inject({ method: 'POST', url: '/api/batches', headers: operator, payload: multipart(files) });
    expect(response.statusCode).toBe(201);
    const upload = response.json();
    expect(upload.accepted).toHaveLength(MAX_FILES);
    expect(upload.refused.map((refusal: { path: string; reason: string }) => [refusal.path, refusal.reason])).toEqual(
      files.slice(MAX_FILES).map((file) => [file.name, 'TOO_MANY_FILES']),
    );

    // The multipart parser stops at twice the limit (+10): what it never read is refused as one line.
    const flood = Array.from({ length: MAX_FILES * 2 + 15 }, (_, index) => ({ name: `flood-${index}.txt`, bytes: Buffer.from(`flood ${index}`) }));
    const flooded = await app.inject({ method: 'POST', url: '/api/batches', headers: operator, payload: multipart(flood) });
    expect(flooded.statusCode).toBe(201);
    const floodUpload = flooded.json();
    expect(floodUpload.accepted).toHaveLength(MAX_FILES);
    expect(floodUpload.refused.at(-1)).toEqual({ path: '', reason: 'REQUEST_LIMIT', detail: expect.stringContaining('FST_FILES_LIMIT') });
    expect(floodUpload.refused.filter((refusal: { reason: string }) => refusal.reason === 'TOO_MANY_FILES').length).toBe(MAX_FILES + 10);
  });

  test('a request cut off in the middle of a file keeps the files before it and says what happened', async () => {
    const boundary = 'gongkai-cut-off';
    const part = (name: string, body: string) => `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${name}"\r\nContent-Type: text/plain\r\n\r\n${body}\r\n`;
    const payload = part('whole.txt', sampleVariant(700).toString('utf8')) + `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="cut.txt"\r\n\r\n半个文件`;
    const response = await app.inject({ method: 'POST', url: '/api/batches', headers: { ...operator, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
    expect(response.statusCode).toBe(201);
    const upload = response.json();
    expect(upload.accepted.map((file: { path: string }) => file.path)).toEqual(['whole.txt']);
    expect(upload.refused).toEqual([expect.objectContaining({ reason: 'BAD_REQUEST' })]);
  });

  test('the upload page over its limit shows a Chinese page listing what was accepted and refused', async () => {
    const site = { host: 'gongkai.test', origin: 'http://gongkai.test' };
    const login = await app.inject({
      method: 'POST',
      url: '/login',
      payload: `username=${ADMIN.username}&password=${ADMIN.password}&next=%2Fupload`,
      headers: { ...site, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(login.statusCode).toBe(303);
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    const form = (await app.inject({ url: '/upload', headers: { ...site, cookie } })).body;
    const action = form.match(/action="(\/upload\?_csrf=[^"]+)"/)![1].replace(/&amp;/g, '&');
    expect(form).toContain('webkitdirectory');
    const files = Array.from({ length: MAX_FILES + 2 }, (_, index) => ({ name: `folder/报告${index + 1}.txt`, bytes: sampleVariant(300 + index) }));
    const posted = await app.inject({ method: 'POST', url: action, headers: { ...site, cookie }, payload: multipart(files) });
    expect(posted.statusCode).toBe(303);
    const batchPage = await app.inject({ url: posted.headers.location!, headers: { ...site, cookie } });
    expect(batchPage.statusCode).toBe(200);
    expect(batchPage.body).toContain(`<strong data-count="accepted">${MAX_FILES}</strong>`);
    expect(batchPage.body).toContain('<span data-count="refused">2</span>');
    expect(batchPage.body).toContain('超过每次上传的文件数上限');
    expect(batchPage.body).toContain(`folder/报告${MAX_FILES + 2}.txt`);
    expect(batchPage.body).toContain('folder/报告1.txt');
    const audit = await pipeline.runtime().db.selectFrom('audit_log').select(['actor', 'detail']).where('action', '=', 'batch.create').where('actor', '=', ADMIN.username).execute();
    expect(audit).toEqual([{ actor: ADMIN.username, detail: expect.objectContaining({ accepted: MAX_FILES, refused: 2 }) }]);
  });

  test('a file over the size limit is refused while it streams; the files around it land', async () => {
    const big = Buffer.alloc(1024 * 1024 + 512 * 1024, 7);
    const response = await app.inject({
      method: 'POST',
      url: '/api/batches',
      headers: operator,
      payload: multipart([
        { name: 'before.txt', bytes: sampleVariant(500) },
        { name: 'big.txt', bytes: big },
        { name: 'after.txt', bytes: sampleVariant(501) },
      ]),
    });
    const upload = response.json();
    expect(upload.accepted.map((file: { path: string }) => file.path)).toEqual(['before.txt', 'after.txt']);
    expect(upload.refused).toEqual([{ path: 'big.txt', reason: 'TOO_LARGE', detail: expect.stringMatching(/larger than the limit of 1048576 bytes/) }]);
    // Nothing of the big file stays behind in the blob store's spool.
    expect(fs.readdirSync(path.join(pipeline.runtime().config.blobDir, 'incoming'))).toEqual([]);
  });

  test('a permanent failure is not retried: 409 for the document, skipped (and counted) by a retry by error code', async () => {
    const letters = await listDeadLetters(pipeline.runtime().db);
    expect(letters.filter((letter) => letter.errorCode === 'CORRUPT_FILE').map((letter) => letter.documentId).sort()).toEqual([...corrupt].sort());
    expect(letters.find((letter) => letter.errorCode === 'CORRUPT_FILE')?.permanent).toBe(true);

    const refused = await app.inject({ method: 'POST', url: `/api/documents/${corrupt[0]}/retry`, headers: operator });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatch(/CORRUPT_FILE is permanent/);
    expect(refused.json().errorZh).toMatch(/CORRUPT_FILE 是永久性错误/);
    // The page says it in the page's language only.
    const refusedPage = await app.inject({ method: 'POST', url: `/dead-letters/${corrupt[0]}/retry`, headers: { ...operator, accept: 'text/html' } });
    expect(refusedPage.statusCode).toBe(409);
    expect(refusedPage.body).toContain('<p class="banner">CORRUPT_FILE 是永久性错误：重试同一文件不会成功，请驳回或上传更正后的文件。</p>');
    expect(refusedPage.body).not.toContain('is permanent');

    const byCode = await app.inject({ method: 'POST', url: '/api/dead-letters/retry', headers: operator, payload: { errorCode: 'CORRUPT_FILE' } });
    expect(byCode.json()).toEqual({ redriven: [], skippedPermanent: corrupt.length });

    const atIngest = await app.inject({ method: 'POST', url: '/api/dead-letters/retry', headers: operator, payload: { stage: 'ingest' } });
    expect(atIngest.json().redriven.sort()).toEqual([...transient].sort());
    expect(atIngest.json().skippedPermanent).toBe(corrupt.length);
    await waitForDocuments(pipeline.runtime().db, transient, { timeoutMs: 60_000, quiet: true });
    for (const id of transient) expect((await getDocument(pipeline.runtime().db, id))?.status).toBe('published');
    expect((await getDocument(pipeline.runtime().db, corrupt[0]))?.status).toBe('dead_lettered');

    const page = await app.inject({ url: '/dead-letters', headers: { ...operator, accept: 'text/html' } });
    const row = page.body.match(new RegExp(`<tr id="${corrupt[0]}"[\\s\\S]*?</tr>`))![0];
    expect(row).toContain('data-action="dismiss"');
    expect(row).toContain('data-action="replace"');
    expect(row).not.toContain('data-action="retry"');
  });

  test('dismissing a letter with a reason takes it off the open list; the document shows it as dismissed', async () => {
    const reason = '扫描件不完整，已通知报送单位重新报送';
    const missing = await app.inject({ method: 'POST', url: `/api/dead-letters/${corrupt[0]}/dismiss`, headers: operator, payload: {} });
    expect(missing.statusCode).toBe(400);
    const dismissed = await app.inject({ method: 'POST', url: `/api/dead-letters/${corrupt[0]}/dismiss`, headers: operator, payload: { reason } });
    expect(dismissed.json()).toEqual({ dismissed: true });
    expect(await listDeadLetters(pipeline.runtime().db, { documentId: corrupt[0] })).toEqual([]);
    const row = await pipeline.runtime().db.selectFrom('dead_letters').select(['dismissed_by', 'dismiss_reason', 'dismissed_at']).where('document_id', '=', corrupt[0]).executeTakeFirstOrThrow();
    expect(row).toEqual({ dismissed_by: 'token', dismiss_reason: reason, dismissed_at: expect.any(Date) });
    const again = await app.inject({ method: 'POST', url: `/api/dead-letters/${corrupt[0]}/dismiss`, headers: operator, payload: { reason } });
    expect(again.statusCode).toBe(404);
    const documentPage = await app.inject({ url: `/documents/${corrupt[0]}`, headers: { ...operator, accept: 'text/html' } });
    expect(documentPage.body).toContain('已驳回');
    expect(documentPage.body).toContain(reason);
    expect(documentPage.body).not.toContain('data-action="retry"');
  });

  test('answering a letter with a corrected file submits it as a new document and resolves the letter', async () => {
    const failed = corrupt[1];
    const same = await app.inject({
      method: 'POST',
      url: `/api/dead-letters/${failed}/replace`,
      headers: operator,
      payload: multipart([{ name: 'again.pdf', bytes: sample('001_8775b43b601402e9.pdf').subarray(0, 5000) }], 'file'),
    });
    expect(same.statusCode).toBe(409);
    expect(await listDeadLetters(pipeline.runtime().db, { documentId: failed })).toHaveLength(1);

    const response = await app.inject({
      method: 'POST',
      url: `/api/dead-letters/${failed}/replace`,
      headers: operator,
      payload: multipart([{ name: '更正版.pdf', bytes: sample('001_8775b43b601402e9.pdf') }], 'file'),
    });
    expect(response.statusCode).toBe(201);
    const { documentId } = response.json();
    expect(documentId).not.toBe(failed);
    const letter = await pipeline.runtime().db.selectFrom('dead_letters').select(['resolved_at', 'replaced_by_document_id']).where('document_id', '=', failed).executeTakeFirstOrThrow();
    expect(letter).toEqual({ resolved_at: expect.any(Date), replaced_by_document_id: documentId });
    await waitForDocuments(pipeline.runtime().db, [documentId], { timeoutMs: 60_000, quiet: true });
    expect((await getDocument(pipeline.runtime().db, documentId))?.status).toBe('published');
    const documentPage = await app.inject({ url: `/documents/${failed}`, headers: { ...operator, accept: 'text/html' } });
    expect(documentPage.body).toContain(`href="/documents/${documentId}"`);
  });
});
