/**
 * Parse's thin worker (workers/parse/worker.ts) reads a report the same wherever it runs: on the
 * worker's own thread under the watchdog (a process with less than two cores of its own) or in a
 * reader process (the default).
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../shared/config';
import { openingOf } from '../../shared/db/places';
import { describeSource } from '../../shared/record';
import { decodeStageOutput, encodeStageOutput } from '../../shared/stage-outputs';
import { extractDocument } from '../../workers/ingest/core';
import type { JobRun } from '../../workers/job-worker';
import { normalizeDocument } from '../../workers/normalize/core';
import { handleParse } from '../../workers/parse/worker';
import { closeSandboxes } from '../../workers/sandbox';
import { StageInput, type StageContext } from '../../workers/stage-worker';
import type { StageJob } from '../../shared/pipeline';

jest.setTimeout(60_000);
afterAll(() => closeSandboxes());

const SAMPLES = path.join(__dirname, '../../samples');
const JOB: StageJob = { documentId: '00000000-0000-4000-8000-000000000001', round: 0 };

function contextParsing(onWorkerThread: boolean): StageContext {
  const config = loadConfig({ GONGKAI_READER_PROCESSES: '1' });
  return { config: { ...config, readLimits: { ...config.readLimits, parseOnWorkerThread: onWorkerThread } } } as StageContext;
}

async function normalizeOutput(fileName: string): Promise<Buffer> {
  const extracted = await extractDocument({ bytes: fs.readFileSync(path.join(SAMPLES, fileName)), fileName });
  const file = { sha256: 'a'.repeat(64), fileName, mediaType: extracted.mediaType };
  return encodeStageOutput<'normalize'>({ normalized: normalizeDocument(extracted), source: describeSource(file, extracted.pages), opening: openingOf(extracted.pages) });
}

describe('parse worker', () => {
  it.each(fs.readdirSync(SAMPLES).filter((name) => name.endsWith('.txt')))('reads %s the same on the worker’s thread as in a reader', async (fileName) => {
    const input = new StageInput<'parse'>('key', await normalizeOutput(fileName));
    const run = {} as JobRun<StageJob>;
    const onThread = await handleParse(JOB, contextParsing(true), input, run);
    const inReader = await handleParse(JOB, contextParsing(false), input, run);
    expect(onThread?.encoded?.route).toEqual({ next: 'validate', skipped: [] });
    expect(onThread?.encoded?.route).toEqual(inReader?.encoded?.route);
    const parsed = decodeStageOutput<'parse'>(onThread!.encoded!.bytes);
    expect(parsed).toEqual(decodeStageOutput<'parse'>(inReader!.encoded!.bytes));
    expect(parsed.parsed.record.meta.year).toBeGreaterThan(2000);
  });
});
