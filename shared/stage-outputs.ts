/**
 * What a stage hands the next (StageOutputs, shared/pipeline.ts), kept out of Postgres: gzip'd JSON
 * appended to pack files in a directory of its own (config.stageOutputDir). The next stage's job
 * carries the output's key, and the stage run that made it records it (stage_runs.output), for
 * re-drives and for the web's view of a document's pages. Outputs are kept, never rewritten.
 *
 * Each store appends to a pack of its own, so no two processes (nor machines sharing the directory)
 * write one file; a key names the pack, the offset and length of the output in it, and the sha256 of
 * its bytes, which every read checks. A file per output cost more: on ext4 creating a file (finding a
 * free inode) took 8 % of a worker's CPU, and two workers creating files at once each paid several times
 * what one did. A crash mid-append leaves unreferenced bytes at the end of a pack; the next process
 * starts a new one. Keys of the earlier layout (a file per output, named by its sha256) still read.
 *
 * Outputs travel as they are stored: a reader process decodes its input and encodes its output itself
 * (encodeStageOutput, decodeStageOutput), so the worker reads and appends bytes and parses only what
 * it works on.
 *
 * Every stage of every document writes one and reads one, each a few kilobytes, so this store uses
 * synchronous file and zlib calls: for outputs this small they cost a fraction of the CPU of their
 * promise forms and block the event loop for well under a millisecond. Submitted files, which may be
 * large, stay in the async blob store (shared/blob-store.ts).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import type { Kysely } from 'kysely';
import { sha256Of, storeFailure } from './blob-store';
import { completedOutputKey } from './db/stage-runs';
import type { Database } from './db/schema';
import { PACKED_OUTPUT_KEY, Sha256Schema, routeAfter, type StageOutput, type StageOutputs, type StageRoute, type StoredStage } from './pipeline';

const STORE_NAME = { zh: '阶段输出存储', en: 'the stage-output store' };

/** A pack is closed and the next one started past this size, so no file grows without bound. */
const PACK_LIMIT_BYTES = 64 * 1024 * 1024;

interface OpenPack {
  id: string;
  fd: number;
  size: number;
}

/**
 * A stage output as the store keeps it: gzip'd JSON. The reader processes encode and decode what they
 * read and write themselves, so the worker only moves the bytes between them and the store.
 */
export function encodeStageOutput<S extends StoredStage>(output: StageOutputs[S]): Buffer {
  // The fastest level: outputs shrink 4–5 times all the same, and the level is a small share of a stage's time.
  return gzipSync(JSON.stringify(output), { level: constants.Z_BEST_SPEED });
}

export function decodeStageOutput<S extends StoredStage>(bytes: Uint8Array): StageOutputs[S] {
  return JSON.parse(gunzipSync(bytes).toString('utf8')) as StageOutputs[S];
}

/** An output encoded where it was made, with where it sends the document (routeAfter), decided there while the output is whole. */
export interface EncodedStageOutput {
  bytes: Uint8Array;
  route: StageRoute;
}

export function encodedWithRoute<S extends StoredStage>(stage: S, output: StageOutputs[S]): EncodedStageOutput {
  return { bytes: encodeStageOutput(output), route: routeAfter(stage, output as StageOutput<S>) };
}

export class StageOutputStore {
  private pack: OpenPack | null = null;

  constructor(private readonly root: string) {}

  /** Appends the output to this store's pack and returns its key. */
  put<S extends StoredStage>(output: StageOutputs[S]): string {
    return this.putEncoded(encodeStageOutput(output));
  }

  /** Appends an output already encoded (encodeStageOutput, in a reader process) and returns its key. */
  putEncoded(bytes: Uint8Array): string {
    try {
      const pack = this.packWithRoomFor(bytes.length);
      const offset = pack.size;
      // At the pack's end as this store counts it; after a failed write the pack is dropped, so no key names half an output.
      for (let written = 0; written < bytes.length; ) written += fs.writeSync(pack.fd, bytes, written, bytes.length - written, offset + written);
      pack.size += bytes.length;
      return `${pack.id}.${offset}.${bytes.length}.${sha256Of(bytes)}`;
    } catch (error) {
      this.close();
      throw storeFailure(STORE_NAME, this.root, 'written', error);
    }
  }

  /**
   * The output under `key`. A store that cannot be read at all is an outage the job layer waits out;
   * one missing or damaged output in a readable store is the document's failure.
   */
  get<S extends StoredStage>(key: string): StageOutputs[S] {
    return decodeStageOutput<S>(this.getEncoded(key));
  }

  /** The output under `key` as stored, checked against its sha256, for a reader process to decode (decodeStageOutput). */
  getEncoded(key: string): Buffer {
    try {
      return this.read(key);
    } catch (error) {
      if (this.readable()) throw error;
      throw storeFailure(STORE_NAME, this.root, 'read', error);
    }
  }

  /** The output of the document's last completed or skipped run of `stage`, in any round; null when it has none. */
  async latest<S extends StoredStage>(db: Kysely<Database>, documentId: string, stage: S): Promise<StageOutputs[S] | null> {
    const key = await completedOutputKey(db, documentId, stage);
    return key ? this.get<S>(key) : null;
  }

  /** Closes this store's pack; the next output starts a new one. */
  close(): void {
    if (this.pack) fs.closeSync(this.pack.fd);
    this.pack = null;
  }

  private packWithRoomFor(bytes: number): OpenPack {
    if (this.pack && this.pack.size + bytes <= PACK_LIMIT_BYTES) return this.pack;
    this.close();
    const directory = path.join(this.root, 'packs');
    // Time first, so a directory listing shows packs in the order they were written.
    const id = `${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
    const file = path.join(directory, `${id}.pack`);
    let fd: number;
    try {
      fd = fs.openSync(file, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      fs.mkdirSync(directory, { recursive: true });
      fd = fs.openSync(file, 'wx');
    }
    this.pack = { id, fd, size: 0 };
    return this.pack;
  }

  private read(key: string): Buffer {
    const match = PACKED_OUTPUT_KEY.exec(key);
    if (!match) {
      if (!Sha256Schema.safeParse(key).success) throw new Error(`not a stage-output key: ${key}`);
      return fs.readFileSync(path.join(this.root, key.slice(0, 2), key));
    }
    const [, id, offset, length, sha256] = match;
    const bytes = Buffer.alloc(Number(length));
    const fd = fs.openSync(path.join(this.root, 'packs', `${id}.pack`), 'r');
    try {
      const read = fs.readSync(fd, bytes, 0, bytes.length, Number(offset));
      if (read !== bytes.length || sha256Of(bytes) !== sha256) {
        throw new Error(`阶段输出 ${key} 已损坏 / stage output ${key} is damaged (${read} of ${bytes.length} bytes read)`);
      }
    } finally {
      fs.closeSync(fd);
    }
    return bytes;
  }

  private readable(): boolean {
    try {
      fs.readdirSync(this.root);
      return true;
    } catch {
      return false;
    }
  }
}
