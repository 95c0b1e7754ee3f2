/**
 * The reader sandbox (workers/sandbox.ts) with real child processes: results and permanent errors come
 * back as the in-process core gives them, and a file over the memory or time limit costs a killed
 * child (TOO_LARGE), after which the next task gets a fresh one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PermanentError } from '../../shared/errors';
import { openingOf } from '../../shared/db/places';
import { describeSource } from '../../shared/record';
import { decodeStageOutput, encodeStageOutput, type EncodedStageOutput } from '../../shared/stage-outputs';
import { extractDocument } from '../../workers/ingest/core';
import { normalizeDocument } from '../../workers/normalize/core';
import { parseReport } from '../../workers/parse/core';
import { readingText } from '../../workers/parse/document';
import { ProcessSandbox, READER_ENTRY } from '../../workers/sandbox';
import type { Extracted, ExtractTask } from '../../workers/ingest/extract-task';
import { pdfFlateBomb } from '../support/hostile-corpus';

jest.setTimeout(60_000);

const SAMPLE = fs.readFileSync(path.join(__dirname, '../../samples/001_8775b43b601402e9.txt'));
const LIMITS = { timeoutMs: 20_000, memoryMb: 512, subject: 'report.txt' };

const sandbox = new ProcessSandbox({ entry: READER_ENTRY, name: 'test reader', processes: 1 });
afterAll(() => sandbox.close());

const SHA256 = 'a'.repeat(64);

const extract = async (bytes: Buffer, fileName: string, limits = LIMITS, readLimits: ExtractTask['limits'] = {}) => {
  const { output } = await sandbox.run<Extracted>('extract', { file: { sha256: SHA256, fileName }, limits: readLimits } satisfies ExtractTask, { ...limits, subject: fileName }, bytes);
  return decodeStageOutput<'ingest'>(output.bytes);
};

/** The reader refuses a flate bomb from its streams first; without that check, pdf.js decodes it into buffers outside the V8 heap. */
const NO_STREAM_CHECK = { maxInflatedBytes: Number.MAX_SAFE_INTEGER };

describe('process sandbox', () => {
  it('extracts and parses exactly as the cores do in process, each output encoded and routed as the store keeps it', async () => {
    const inProcess = await extractDocument({ bytes: SAMPLE, fileName: 'report.txt' });
    const file = { sha256: SHA256, fileName: 'report.txt', mediaType: inProcess.mediaType };
    const extracted = await sandbox.run<Extracted>('extract', { file: { sha256: SHA256, fileName: 'report.txt' }, limits: {} } satisfies ExtractTask, LIMITS, SAMPLE);
    expect(extracted.mediaType).toBe('text/plain');
    expect(decodeStageOutput<'ingest'>(extracted.output.bytes)).toEqual({ file, pages: inProcess.pages });
    // A text file has no page for OCR: ingest sends it straight to normalize.
    expect(extracted.output.route).toEqual({ next: 'normalize', skipped: ['ocr'] });

    const normalized = { normalized: normalizeDocument(inProcess), source: describeSource(file, inProcess.pages), opening: openingOf(inProcess.pages) };
    const parsed = await sandbox.run<EncodedStageOutput>('parse', null, LIMITS, encodeStageOutput<'normalize'>(normalized));
    const { parsed: report, bodyText, opening } = decodeStageOutput<'parse'>(parsed.bytes);
    expect(report).toEqual(JSON.parse(JSON.stringify(parseReport(normalized.normalized, normalized.source))));
    expect(bodyText).toBe(readingText(normalized.normalized, 'text/plain'));
    expect(opening).toBe(normalized.opening);
    expect(parsed.route).toEqual({ next: 'validate', skipped: [] });
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
    expect((await extract(SAMPLE, 'report.txt')).file.mediaType).toBe('text/plain');
  });
});
