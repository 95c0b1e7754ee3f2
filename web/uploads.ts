/**
 * Receiving an upload: each multipart file is streamed into the blob store (never held in memory),
 * a ZIP — known by its first bytes, not its name — is spooled to a temporary file and read entry by
 * entry, and the whole upload is recorded as a batch: what was accepted, what was refused and why.
 * Limits (files, sizes, compression ratio) refuse the files that break them, never the whole upload.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Transform, pipeline as streamPipeline, type TransformCallback } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import type { Multipart, MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { BlobTooLargeError, type StoredBlob } from '../shared/blob-store';
import type { Config } from '../shared/config';
import { addBatchDocument, createBatch, finishBatch, type Refusal } from '../shared/db/batches';
import { submitStored, type Submission } from '../shared/submissions';
import type { WebContext } from './context';

export interface UploadLimits {
  maxFiles: number;
  maxFileBytes: number;
  maxZipBytes: number;
  maxUploadBytes: number;
  maxCompressionRatio: number;
}

export function uploadLimits(config: Config): UploadLimits {
  return {
    maxFiles: config.web.maxUploadFiles,
    maxFileBytes: config.maxFileBytes,
    maxZipBytes: config.web.maxZipBytes,
    maxUploadBytes: config.web.maxUploadBytes,
    maxCompressionRatio: config.web.maxCompressionRatio,
  };
}

/**
 * The multipart parser's options. Its limits stop it reading, so they sit above ours, which refuse
 * file by file; a file over its size limit is cut short and refused here, not thrown. Paths are
 * kept: a folder upload names each file by its path inside the folder.
 */
export function multipartOptions(config: Config) {
  const files = config.web.maxUploadFiles * 2 + 10;
  return {
    throwFileSizeLimit: false,
    preservePath: true,
    limits: { fileSize: Math.max(config.maxFileBytes, config.web.maxZipBytes) + 1, files, fields: 20, parts: files + 20 },
  };
}

export interface AcceptedFile extends Submission {
  /** As uploaded: the path inside the folder or ZIP. */
  path: string;
}

export interface ReceivedUpload {
  batchId: string;
  /** Files seen, ZIP entries counted, junk not. */
  files: number;
  accepted: AcceptedFile[];
  refused: Refusal[];
  skipped: number;
}

/** Why a file was refused; the pages say each in words (web/views/upload.ts). */
export type RefusalReason =
  | 'TOO_MANY_FILES'
  | 'TOO_LARGE'
  | 'UPLOAD_TOO_LARGE'
  | 'EMPTY'
  | 'UNSAFE_NAME'
  | 'COMPRESSION_RATIO'
  | 'ENCRYPTED'
  | 'BAD_ZIP'
  | 'DUPLICATE'
  | 'REQUEST_LIMIT'
  | 'BAD_REQUEST';

const SUBMISSIONS_IN_FLIGHT = 8;

const JUNK_NAMES = new Set(['.ds_store', 'thumbs.db', 'desktop.ini']);

/** Directories and what operating systems leave in folders and archives. */
function isJunk(entryPath: string): boolean {
  if (entryPath === '' || entryPath.endsWith('/')) return true;
  const segments = entryPath.split('/');
  const name = segments.at(-1)!.toLowerCase();
  return segments.includes('__MACOSX') || JUNK_NAMES.has(name) || name.startsWith('._');
}

/** Absolute paths and `..` could write outside any folder a client unpacks to; such names are refused, not repaired. */
function isUnsafe(entryPath: string): boolean {
  return entryPath.startsWith('/') || /^[A-Za-z]:/.test(entryPath) || entryPath.split('/').some((segment) => segment === '..') || entryPath.includes('\0');
}

function normalizePath(name: string): string {
  return name.replace(/\\/g, '/').replace(/^\.\//, '');
}

const ZIP_MAGICS = [Buffer.from('PK\x03\x04', 'latin1'), Buffer.from('PK\x05\x06', 'latin1')];

/** Archives whose entries are one document's parts (DOCX and other OOXML, OFD, ODF): submitted whole. */
const DOCUMENT_PACKAGE_ENTRIES = ['[Content_Types].xml', 'OFD.xml', 'mimetype'];

/** Reads the first bytes of a stream and gives back a stream of all of it. */
async function peek(stream: Readable, bytes: number): Promise<{ head: Buffer; whole: Readable }> {
  const iterator = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < bytes) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    chunks.push(next.value);
    length += next.value.length;
  }
  async function* replay(): AsyncGenerator<Buffer> {
    yield* chunks;
    if (done) return;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { head: Buffer.concat(chunks).subarray(0, bytes), whole: Readable.from(replay(), { objectMode: false }) };
}

/** Counts inflated bytes and fails past a limit: a ZIP header's sizes are only a claim. */
class InflateLimit extends Transform {
  private seen = 0;
  constructor(
    private readonly limit: number,
    private readonly failure: () => Error,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) callback(this.failure());
    else callback(null, chunk);
  }
}

class Refused extends Error {
  constructor(
    readonly reason: RefusalReason,
    detail: string,
  ) {
    super(detail);
  }
}

/** ZIP entry names are UTF-8 when flagged, else whatever the packer's code page was: GBK on Chinese Windows. */
function entryName(entry: Entry): string {
  const unicodePath = entry.extraFields.find((field) => field.id === 0x7075 && field.data.length > 5 && field.data[0] === 1);
  if (unicodePath) return unicodePath.data.subarray(5).toString('utf8');
  const raw = entry.fileNameRaw;
  if (entry.generalPurposeBitFlag & 0x800) return raw.toString('utf8');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return new TextDecoder('gb18030').decode(raw);
  }
}

function openZip(file: string): Promise<ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (error, zip) => (error ? reject(error) : resolve(zip))),
  );
}

function readEntries(zip: ZipFile, maxEntries: number): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: Entry[] = [];
    zip.on('entry', (entry: Entry) => {
      entries.push(entry);
      if (entries.length > maxEntries) return reject(new Refused('TOO_MANY_FILES', `more than ${maxEntries} entries`));
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', reject);
    zip.readEntry();
  });
}

function openEntry(zip: ZipFile, entry: Entry): Promise<Readable> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (error, stream) => (error ? reject(error) : resolve(stream))));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** One upload being received: counts, limits and the batch its documents go into. */
class UploadReceiver {
  private files = 0;
  private bytes = 0;
  private skipped = 0;
  private readonly accepted: Array<AcceptedFile & { position: number }> = [];
  private readonly refused: Refusal[] = [];
  /** Content already in this batch: the same bytes twice are one document. */
  private readonly seen = new Set<string>();
  /** Submissions (Postgres and Redis) still running while the next file streams in. */
  private readonly submitting = new Set<Promise<void>>();
  private submitFailure: unknown = null;

  constructor(
    private readonly context: WebContext,
    private readonly limits: UploadLimits,
    private readonly batchId: string,
    private readonly force: () => boolean,
  ) {}

  refuse(filePath: string, reason: RefusalReason, detail: string): void {
    this.refused.push({ path: filePath, reason, detail });
  }

  /** Counts a file that is not junk; false (and refused) past the upload's file limit. */
  private admit(filePath: string): boolean {
    this.files += 1;
    if (this.files <= this.limits.maxFiles) return true;
    this.refuse(filePath, 'TOO_MANY_FILES', `file ${this.files}; at most ${this.limits.maxFiles} per upload`);
    return false;
  }

  /** A multipart file: a ZIP is read entry by entry, anything else is one file. */
  async receivePart(part: MultipartFile): Promise<void> {
    const filePath = normalizePath(part.filename ?? '');
    // A file input left empty still sends a part with no name and no bytes.
    if (filePath === '') return void (await drain(part.file));
    if (isJunk(filePath)) {
      this.skipped += 1;
      return void (await drain(part.file));
    }
    // A browser's name is only a label (nothing is written under it): an odd one keeps its last part.
    const shownPath = isUnsafe(filePath) ? path.posix.basename(filePath) : filePath;
    const { head, whole } = await peek(part.file, 4);
    if (ZIP_MAGICS.some((magic) => head.equals(magic))) return this.receiveZip(shownPath, whole);
    if (!this.admit(shownPath)) return void (await drain(whole));
    await this.store(shownPath, () => whole, this.limits.maxFileBytes);
  }

  private async receiveZip(zipPath: string, stream: Readable): Promise<void> {
    const spoolDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'gongkai-upload-'));
    const spooled = path.join(spoolDir, 'upload.zip');
    try {
      let size = 0;
      await pipeline(
        stream,
        new Transform({
          transform: (chunk: Buffer, _encoding, callback) => {
            size += chunk.length;
            callback(null, size > this.limits.maxZipBytes ? undefined : chunk);
          },
        }),
        fs.createWriteStream(spooled),
      );
      if (size > this.limits.maxZipBytes) {
        this.files += 1;
        return this.refuse(zipPath, 'TOO_LARGE', `ZIP of ${size} bytes or more; at most ${this.limits.maxZipBytes}`);
      }
      let zip: ZipFile;
      try {
        zip = await openZip(spooled);
      } catch (error) {
        this.files += 1;
        return this.refuse(zipPath, 'BAD_ZIP', describe(error));
      }
      try {
        await this.receiveZipEntries(zipPath, spooled, zip);
      } finally {
        zip.close();
      }
    } finally {
      await fs.promises.rm(spoolDir, { recursive: true, force: true });
    }
  }

  private async receiveZipEntries(zipPath: string, spooled: string, zip: ZipFile): Promise<void> {
    let entries: Entry[];
    try {
      entries = await readEntries(zip, this.limits.maxFiles * 2);
    } catch (error) {
      this.files += 1;
      return this.refuse(zipPath, error instanceof Refused ? error.reason : 'BAD_ZIP', describe(error));
    }
    const names = entries.map(entryName);
    if (names.some((name) => DOCUMENT_PACKAGE_ENTRIES.includes(name))) {
      // A DOCX or OFD is a ZIP too, but it is one document.
      if (!this.admit(zipPath)) return;
      return this.store(zipPath, () => fs.createReadStream(spooled), this.limits.maxFileBytes);
    }
    for (const [index, entry] of entries.entries()) {
      const entryPath = `${zipPath}/${normalizePath(names[index])}`;
      const inner = normalizePath(names[index]);
      if (isJunk(inner)) {
        this.skipped += 1;
        continue;
      }
      if (isUnsafe(inner)) {
        this.files += 1;
        this.refuse(entryPath, 'UNSAFE_NAME', 'absolute path or ..');
        continue;
      }
      if (!this.admit(entryPath)) continue;
      if (entry.isEncrypted()) {
        this.refuse(entryPath, 'ENCRYPTED', 'encrypted ZIP entry');
        continue;
      }
      const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
      if (ratio > this.limits.maxCompressionRatio) {
        this.refuse(entryPath, 'COMPRESSION_RATIO', `inflates ${Math.round(ratio)} times; at most ${this.limits.maxCompressionRatio}`);
        continue;
      }
      const ratioLimit = Math.max(entry.compressedSize, 1) * this.limits.maxCompressionRatio;
      await this.store(
        entryPath,
        async () => {
          const limit = new InflateLimit(ratioLimit, () => new Refused('COMPRESSION_RATIO', `inflates past ${this.limits.maxCompressionRatio} times its compressed size`));
          // pipeline, not pipe: an entry that fails to inflate (or inflates past its header's size) must fail the read.
          return streamPipeline(await openEntry(zip, entry), limit, () => undefined);
        },
        this.limits.maxFileBytes,
        entry.uncompressedSize,
      );
    }
  }

  /** Streams one file into the blob store and submits it, or refuses it. */
  private async store(filePath: string, open: () => Readable | Promise<Readable>, maxBytes: number, claimedBytes?: number): Promise<void> {
    if (claimedBytes !== undefined && claimedBytes > maxBytes) return this.refuse(filePath, 'TOO_LARGE', `larger than the limit of ${maxBytes} bytes (${claimedBytes} bytes)`);
    const room = this.limits.maxUploadBytes - this.bytes;
    if (claimedBytes !== undefined && claimedBytes > room) return this.refuse(filePath, 'UPLOAD_TOO_LARGE', `the upload would pass ${this.limits.maxUploadBytes} bytes`);
    let blob: StoredBlob;
    try {
      blob = await this.context.blobs.putStream(await open(), { maxBytes: Math.min(maxBytes, room) });
    } catch (error) {
      if (error instanceof BlobTooLargeError) {
        return error.maxBytes < maxBytes
          ? this.refuse(filePath, 'UPLOAD_TOO_LARGE', `the upload would pass ${this.limits.maxUploadBytes} bytes`)
          : this.refuse(filePath, 'TOO_LARGE', `larger than the limit of ${maxBytes} bytes (${error.sizeBytes} bytes or more)`);
      }
      if (error instanceof Refused) return this.refuse(filePath, error.reason, error.message);
      if (claimedBytes !== undefined) return this.refuse(filePath, 'BAD_ZIP', describe(error));
      throw error;
    }
    this.bytes += blob.sizeBytes;
    if (blob.sizeBytes === 0) return this.refuse(filePath, 'EMPTY', 'the file is empty');
    if (this.seen.has(blob.sha256)) return this.refuse(filePath, 'DUPLICATE', 'the same bytes came earlier in this upload');
    this.seen.add(blob.sha256);
    const position = this.seen.size - 1;
    await this.submitAlongside(async () => {
      const submission = await submitStored(this.context, { sha256: blob.sha256, sizeBytes: blob.sizeBytes, fileName: path.posix.basename(filePath) }, { force: this.force() });
      await addBatchDocument(this.context.db, this.batchId, { documentId: submission.documentId, position, filePath, created: submission.created });
      this.accepted.push({ ...submission, path: filePath, position });
    });
  }

  /** Runs a submission while the next file is read, a few at a time: the database round trips overlap the reading. */
  private async submitAlongside(submit: () => Promise<void>): Promise<void> {
    const running: Promise<void> = submit()
      .catch((error: unknown) => {
        this.submitFailure ??= error;
      })
      .finally(() => this.submitting.delete(running));
    this.submitting.add(running);
    if (this.submitting.size >= SUBMISSIONS_IN_FLIGHT) await Promise.race(this.submitting);
  }

  async finish(): Promise<ReceivedUpload> {
    await Promise.all(this.submitting);
    if (this.submitFailure) throw this.submitFailure;
    const accepted = this.accepted.sort((a, b) => a.position - b.position).map(({ position: _position, ...file }) => file);
    await finishBatch(this.context.db, this.batchId, { files: this.files, accepted: accepted.length, skipped: this.skipped, refused: this.refused });
    return { batchId: this.batchId, files: this.files, accepted, refused: this.refused, skipped: this.skipped };
  }
}

/** Reads a file the upload does not keep, so the parser gets to the next one. */
async function drain(stream: Readable): Promise<void> {
  stream.resume();
  await finished(stream);
}

/** The multipart parser's limit errors (FST_FILES_LIMIT, FST_PARTS_LIMIT …) carry a code; malformed bodies only a message. */
function parserRefusal(error: unknown): { reason: RefusalReason; detail: string } {
  const code = (error as { code?: unknown } | null)?.code;
  const message = describe(error);
  if (typeof code === 'string' && code.endsWith('_LIMIT')) return { reason: 'REQUEST_LIMIT', detail: `${code}: ${message}; the rest of the upload was not read` };
  return { reason: 'BAD_REQUEST', detail: `${typeof code === 'string' ? `${code}: ` : ''}${message}; the rest of the upload was not read` };
}

/**
 * Receives a multipart upload (fields `files`, any number, folders and ZIPs included; `force=1`
 * before them) as a new batch created by `createdBy`. Each file is submitted as soon as it is
 * stored, so the pipeline starts on the first files while the rest are still arriving. What the
 * parser cannot read (past its limits, a malformed body) ends the upload with a refusal, never an
 * error: the files before it stay accepted.
 */
export async function receiveUpload(request: FastifyRequest, context: WebContext, options: { createdBy: string; maxFiles?: number }): Promise<ReceivedUpload> {
  const limits = { ...uploadLimits(context.config), ...(options.maxFiles ? { maxFiles: options.maxFiles } : {}) };
  const batchId = await createBatch(context.db, options.createdBy);
  let force = false;
  const receiver = new UploadReceiver(context, limits, batchId, () => force);
  const parts = request.parts()[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<Multipart>;
    try {
      next = await parts.next();
    } catch (error) {
      const refusal = parserRefusal(error);
      receiver.refuse('', refusal.reason, refusal.detail);
      break;
    }
    if (next.done) break;
    const part = next.value;
    if (part.type === 'field') {
      if (part.fieldname === 'force') force = part.value === '1' || part.value === 'true';
      continue;
    }
    try {
      await receiver.receivePart(part);
    } catch (error) {
      // The request broke off in the middle of this file (submissions fail apart, in finish).
      receiver.refuse(normalizePath(part.filename ?? ''), 'BAD_REQUEST', `${describe(error)}; the rest of the upload was not read`);
      break;
    }
  }
  return receiver.finish();
}
