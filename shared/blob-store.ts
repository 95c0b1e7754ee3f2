/**
 * Content-addressed storage for original files: a file's key is its sha256. The directory store is
 * the default; an S3-compatible store only has to implement BlobStore.
 */
import { createHash, randomUUID } from 'node:crypto';
import fsSync, { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { InfrastructureError } from './errors';

export interface StoredBlob {
  sha256: string;
  sizeBytes: number;
}

export interface BlobStore {
  put(bytes: Buffer): Promise<string>;
  /**
   * Stores a stream without holding it in memory, hashing it as it is written. More than maxBytes:
   * nothing is stored, the rest of the source is still read (so a multipart upload can go on to its
   * next file), and BlobTooLargeError is thrown.
   */
  putStream(source: Readable, limits?: { maxBytes?: number }): Promise<StoredBlob>;
  get(sha256: string): Promise<Buffer>;
  has(sha256: string): Promise<boolean>;
}

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class BlobTooLargeError extends Error {
  constructor(
    readonly sizeBytes: number,
    readonly maxBytes: number,
  ) {
    super(`${sizeBytes} bytes or more; the limit is ${maxBytes}`);
    this.name = 'BlobTooLargeError';
  }
}

/**
 * A directory store that cannot be written or read: an outage the job layer waits out, not the
 * document's fault (bytes named by their own hash cannot be at fault: a store that refuses them is
 * full, read-only or away).
 */
export function storeFailure(store: { zh: string; en: string }, root: string, failed: 'written' | 'read', error: unknown): InfrastructureError {
  const zh = failed === 'written' ? '无法写入' : '无法读取';
  return new InfrastructureError('blob-store', `${store.zh} ${root} ${zh} / ${store.en} ${root} cannot be ${failed}: ${(error as Error).message}`, { cause: error });
}

/**
 * Files up to this size are read with synchronous calls. Most submitted reports are well under it, and
 * the promise form of a read is four trips through libuv's thread pool (open, stat, read, close), which
 * on the benchmark machine cost more than reading the bytes and queued behind the other stages' file
 * work; a read this small blocks the event loop for well under a millisecond.
 */
const SYNC_READ_MAX_BYTES = 1024 * 1024;

/** The whole file when it is no larger than SYNC_READ_MAX_BYTES; null for a larger one, which the caller reads asynchronously. */
function readSmallFile(file: string): Buffer | null {
  const fd = fsSync.openSync(file, 'r');
  try {
    return fsSync.fstatSync(fd).size > SYNC_READ_MAX_BYTES ? null : fsSync.readFileSync(fd);
  } finally {
    fsSync.closeSync(fd);
  }
}

export class DirectoryBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private pathFor(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(bytes: Buffer): Promise<string> {
    const key = sha256Of(bytes);
    const target = this.pathFor(key);
    if (await this.has(key)) return key;
    // Write then rename, so a reader never sees a half-written blob.
    const temporary = `${target}.${process.pid}.${randomUUID()}.tmp`;
    try {
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(temporary, bytes);
      await fs.rename(temporary, target);
    } catch (error) {
      await fs.rm(temporary, { force: true }).catch(() => undefined);
      throw storeFailure({ zh: '文件存储', en: 'the blob store' }, this.root, 'written', error);
    }
    return key;
  }

  async putStream(source: Readable, limits: { maxBytes?: number } = {}): Promise<StoredBlob> {
    // In the store's own directory, so the final rename never crosses file systems.
    const spool = path.join(this.root, 'incoming');
    await fs.mkdir(spool, { recursive: true });
    const temporary = path.join(spool, `${process.pid}.${randomUUID()}.tmp`);
    const hash = createHash('sha256');
    const output = createWriteStream(temporary);
    let sizeBytes = 0;
    let tooLarge = false;
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        sizeBytes += chunk.length;
        if (tooLarge) continue;
        if (limits.maxBytes !== undefined && sizeBytes > limits.maxBytes) {
          tooLarge = true;
          continue;
        }
        hash.update(chunk);
        if (!output.write(chunk)) await once(output, 'drain');
      }
      output.end();
      await finished(output);
    } catch (error) {
      output.destroy();
      await fs.rm(temporary, { force: true });
      throw error;
    }
    if (tooLarge) {
      await fs.rm(temporary, { force: true });
      throw new BlobTooLargeError(sizeBytes, limits.maxBytes!);
    }
    const sha256 = hash.digest('hex');
    if (await this.has(sha256)) {
      await fs.rm(temporary, { force: true });
    } else {
      const target = this.pathFor(sha256);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.rename(temporary, target);
    }
    return { sha256, sizeBytes };
  }

  /**
   * A store that cannot be read at all (its directory unmounted, renamed or unreadable) is an outage,
   * not the document's fault: the job layer waits for it to come back. One missing blob in a readable
   * store is the document's failure.
   */
  async get(sha256: string): Promise<Buffer> {
    try {
      const file = this.pathFor(sha256);
      return readSmallFile(file) ?? (await fs.readFile(file));
    } catch (error) {
      if (await this.readable()) throw error;
      throw new InfrastructureError('blob-store', `文件存储 ${this.root} 无法读取 / the blob store ${this.root} cannot be read: ${(error as Error).message}`, { cause: error });
    }
  }

  private async readable(): Promise<boolean> {
    try {
      await fs.readdir(this.root);
      return true;
    } catch {
      return false;
    }
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await fs.access(this.pathFor(sha256));
      return true;
    } catch {
      return false;
    }
  }
}
