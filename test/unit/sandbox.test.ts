/**
 * The reader sandbox (workers/sandbox.ts) with real child processes: results and permanent errors come
 * back as the in-process core gives them, and a file over the memory or time limit costs a killed
 * child (TOO_LARGE), after which the next task gets a fresh one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PermanentError } from '../../shared/errors';
import type { ExtractedDocument, NormalizedDocument } from '../../shared/record';
import { extractDocument } from '../../workers/ingest/core';
import { normalizeDocument } from '../../workers/normalize/core';
import { ProcessSandbox, READER_ENTRY } from '../../workers/sandbox';
import type { ExtractTask } from '../../workers/sandbox-entry';
import { pdfFlateBomb } from '../support/hostile-corpus';

jest.setTimeout(60_000);

const SAMPLE = fs.readFileSync(path.join(__dirname, '../../samples/001_8775b43b601402e9.txt'));
const LIMITS = { timeoutMs: 20_000, memoryMb: 512, subject: 'report.txt' };

const sandbox = new ProcessSandbox({ entry: READER_ENTRY, name: 'test reader', processes: 1 });
afterAll(() => sandbox.close());

const extract = (bytes: Buffer, fileName: string, limits = LIMITS, readLimits: ExtractTask['limits'] = {}) =>
  sandbox.run<ExtractedDocument>('extract', { fileName, limits: readLimits } satisfies ExtractTask, { ...limits, subject: fileName }, bytes);

/** The reader refuses a flate bomb from its streams first; without that check, pdf.js decodes it into buffers outside the V8 heap. */
const NO_STREAM_CHECK = { maxInflatedBytes: Number.MAX_SAFE_INTEGER };

describe('process sandbox', () => {
  it('extracts and normalizes exactly as the cores do in process', async () => {
    const inProcess = await extractDocument({ bytes: SAMPLE, fileName: 'report.txt' });
    const sandboxed = await extract(SAMPLE, 'report.txt');
    expect(sandboxed).toEqual(inProcess);
    const normalized = await sandbox.run<NormalizedDocument>('normalize', sandboxed, LIMITS);
    expect(normalized).toEqual(normalizeDocument(inProcess));
  });

  it('passes permanent errors back with their code and message', async () => {
    const error = await extract(Buffer.alloc(0), 'empty.pdf').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ code: 'EMPTY_FILE', message: 'empty.pdf is empty (0 bytes).' });
  });

  it('kills a child whose decoded buffers pass the memory limit (a PDF flate bomb), then reads the next file in a fresh one', async () => {
    const started = Date.now();
    const error = await extract(pdfFlateBomb(1024 * 1024 * 1024), 'bomb.pdf', { ...LIMITS, memoryMb: 250 }, NO_STREAM_CHECK).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).code).toBe('TOO_LARGE');
    expect((error as PermanentError).message).toMatch(/^读取 bomb\.pdf 需要超过 250 MB 内存.*needed more than 250 MB of memory/);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect((await extract(SAMPLE, 'report.txt')).pages[0].text.length).toBeGreaterThan(1000);
  });

  it('kills a child past the time limit', async () => {
    const error = await extract(pdfFlateBomb(1024 * 1024 * 1024), 'slow.pdf', { ...LIMITS, timeoutMs: 300 }, NO_STREAM_CHECK).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'TOO_LARGE', message: expect.stringMatching(/^读取 slow\.pdf 超过 0\.3 秒.*took longer than 0\.3 s/) });
    expect((await extract(SAMPLE, 'report.txt')).mediaType).toBe('text/plain');
  });
});
