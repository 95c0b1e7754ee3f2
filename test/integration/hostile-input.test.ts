/**
 * The hostile-input corpus (tools/make-hostile-corpus.ts) through the real pipeline: every file ends
 * in a clear dead letter or a correct record, and afterwards a normal report still goes through, so
 * no worker was crashed or wedged.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openRuntime, type Runtime } from '../../cli/runtime';
import { waitForDocuments } from '../../cli/wait';
import { listDeadLetters } from '../../shared/db/dead-letters';
import { documentPages } from '../../shared/db/browse';
import { getDocument } from '../../shared/db/documents';
import { submitFile } from '../../shared/submissions';
import { IFRAME_MARKER, makeHostileCorpus, SCRIPT_MARKER, TABLE_SEED, type HostileCase } from '../../tools/make-hostile-corpus';
import { createTestEnvironment, SAMPLES_DIR, type TestEnvironment } from '../support/environment';

jest.setTimeout(120_000);

/** Small limits, so the limit cases stay small: the 10 MB single line must still fit under the size limit. */
const MAX_FILE_MB = 11;
const MAX_PAGES = 50;

/** What a clear message says for each code (and no stack trace, no "undefined"). */
const CLEAR_MESSAGE: Record<string, RegExp> = {
  EMPTY_FILE: /is empty \(0 bytes\)/,
  CORRUPT_FILE: /damaged or incomplete|could not be decoded/,
  ENCRYPTED_FILE: /password-protected/,
  TOO_LARGE: /limit|at most|longer than|more than/,
  UNSUPPORTED_MEDIA: /unsupported type .*Supported types:/,
  NOT_A_REPORT: /no report title, section headings or statistical tables/,
};

interface Outcome {
  entry: HostileCase;
  documentId: string;
  status: string;
  stage: string;
  errorCode: string | null;
  message: string | null;
  seconds: number;
}

/** Where parse runs: in the reader processes (the default), or on the worker's thread under its watchdog (a process with less than two cores of its own). */
const PARSE_PLACEMENTS: Array<[string, NodeJS.ProcessEnv]> = [
  ['in reader processes', {}],
  ['on the worker’s thread', { GONGKAI_WORKER_PROCESSES: String(os.availableParallelism() * 2) }],
];

describe.each(PARSE_PLACEMENTS)('hostile inputs, parse %s', (_placement, parseSettings) => {
  let environment: TestEnvironment;
  let runtime: Runtime;
  let corpusDir: string;
  let cases: HostileCase[];
  const outcomes = new Map<string, Outcome>();
  let seedId: string;
  let seedSeconds: number;

  const cellValues = async (documentId: string) =>
    (await runtime.db.selectFrom('cells').select(['table_name', 'row_key', 'column_key', 'value']).where('document_id', '=', documentId).execute())
      .map((cell) => `${cell.table_name}.${cell.row_key}.${cell.column_key}=${cell.value}`)
      .sort();
  const reportOf = (documentId: string) => runtime.db.selectFrom('reports').selectAll().where('document_id', '=', documentId).executeTakeFirstOrThrow();
  const findingsOf = async (documentId: string) =>
    (await runtime.db.selectFrom('findings').select(['rule', 'severity']).where('document_id', '=', documentId).execute()).map((f) => `${f.severity}:${f.rule}`).sort();
  const outcomeOf = (file: string): Outcome => {
    const outcome = outcomes.get(file);
    if (!outcome) throw new Error(`no case ${file}`);
    return outcome;
  };

  beforeAll(async () => {
    const started = Date.now();
    corpusDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-hostile-'));
    cases = await makeHostileCorpus(corpusDir, { maxFileMb: MAX_FILE_MB, maxPages: MAX_PAGES });
    const generated = Date.now();
    environment = createTestEnvironment({ GONGKAI_MAX_FILE_MB: String(MAX_FILE_MB), GONGKAI_MAX_PAGES: String(MAX_PAGES), GONGKAI_BACKOFF_MS: '200', ...parseSettings });
    runtime = await openRuntime(environment.config);
    runtime.startWorkers();

    const submittedAt = new Map<string, number>();
    for (const entry of cases) {
      const submission = await submitFile(runtime, { bytes: fs.readFileSync(path.join(corpusDir, entry.file)), fileName: entry.file });
      expect(submission.created).toBe(true);
      submittedAt.set(entry.file, Date.now());
      outcomes.set(entry.file, { entry, documentId: submission.documentId, status: 'queued', stage: 'ingest', errorCode: null, message: null, seconds: 0 });
    }
    const wait = await waitForDocuments(runtime.db, [...outcomes.values()].map((o) => o.documentId), { timeoutMs: 75_000, quiet: true });
    const corpusDone = Date.now();

    for (const outcome of outcomes.values()) {
      const document = await getDocument(runtime.db, outcome.documentId);
      const [letter] = await listDeadLetters(runtime.db, { documentId: outcome.documentId });
      outcome.status = document!.status;
      outcome.stage = document!.current_stage;
      outcome.errorCode = letter?.errorCode ?? null;
      outcome.message = letter?.message ?? null;
      outcome.seconds = (document!.updated_at.getTime() - document!.submitted_at.getTime()) / 1000;
    }

    // Submitted only once the corpus is done: if any worker were wedged, this would not get through.
    const seed = await submitFile(runtime, { bytes: fs.readFileSync(path.join(SAMPLES_DIR, TABLE_SEED)), fileName: TABLE_SEED });
    seedId = seed.documentId;
    await waitForDocuments(runtime.db, [seedId], { timeoutMs: 20_000, quiet: true });
    seedSeconds = (Date.now() - corpusDone) / 1000;

    const rows = [...outcomes.values()].map((o) => ({
      case: o.entry.file,
      expected: `${o.entry.expect}${o.entry.errorCode ? ` ${o.entry.errorCode}` : ''}`,
      outcome: `${o.status}${o.errorCode ? ` ${o.errorCode}` : ''}`,
      stage: o.stage,
      seconds: o.seconds.toFixed(1),
      message: (o.message ?? '').slice(0, 90),
    }));
    rows.push({ case: `${TABLE_SEED} (after)`, expected: 'published', outcome: (await getDocument(runtime.db, seedId))!.status, stage: '', seconds: seedSeconds.toFixed(1), message: '' });
    console.log(
      [
        `hostile corpus: generated in ${((generated - started) / 1000).toFixed(1)} s, settled in ${((corpusDone - generated) / 1000).toFixed(1)} s (${JSON.stringify(wait)})`,
        ...rows.map((r) => [r.case.padEnd(36), r.expected.padEnd(30), r.outcome.padEnd(30), r.stage.padEnd(9), r.seconds.padStart(5), ' ', r.message].join(' ')),
      ].join('\n'),
    );
  });

  afterAll(async () => {
    await runtime?.close();
    await environment?.cleanup();
    if (corpusDir) fs.rmSync(corpusDir, { recursive: true, force: true });
  });

  test('every case ends as documented', () => {
    const actual = [...outcomes.values()].map((o) => ({ file: o.entry.file, status: o.status, errorCode: o.errorCode }));
    const expected = cases.map((entry) => ({ file: entry.file, status: entry.expect, errorCode: entry.errorCode ?? null }));
    expect(actual).toEqual(expected);
  });

  test('dead letters carry a clear message and skip the retries', async () => {
    for (const outcome of outcomes.values()) {
      if (outcome.entry.expect !== 'dead_lettered') continue;
      const [letter] = await listDeadLetters(runtime.db, { documentId: outcome.documentId });
      expect({ file: outcome.entry.file, attempts: letter.attempts }).toEqual({ file: outcome.entry.file, attempts: 1 });
      expect(letter.message).toMatch(CLEAR_MESSAGE[letter.errorCode]);
      expect(letter.message).not.toMatch(/undefined|\n\s+at /);
    }
  });

  test('the corpus left no worker wedged: a normal report submitted afterwards is published', async () => {
    expect(await getDocument(runtime.db, seedId)).toMatchObject({ status: 'published' });
    expect((await cellValues(seedId)).length).toBeGreaterThan(190);
  });

  test('GBK text is decoded: the report has its agency and year', async () => {
    const { documentId } = outcomeOf('gbk.txt');
    expect(await getDocument(runtime.db, documentId)).toMatchObject({ media_type: 'text/plain' });
    expect(await reportOf(documentId)).toMatchObject({ agency: '攀枝花市城市管理行政执法局', year: 2021, script: 'simplified' });
    const [page] = await documentPages(runtime.db, runtime.outputs, documentId);
    expect(page.text).toContain('政府信息公开工作年度报告');
    expect(page.text).not.toContain('\uFFFD');
  });

  test('HTML with scripts and iframes reads as the report, without any script or iframe text', async () => {
    const { documentId } = outcomeOf('scripts.html');
    const pages = await documentPages(runtime.db, runtime.outputs, documentId);
    const text = pages.map((page) => page.text).join('\n');
    expect(text).toContain('湛河区城市管理局2021年政府信息公开工作年度报告');
    for (const marker of [SCRIPT_MARKER, IFRAME_MARKER, 'tracker.js', 'steal()', '2099', '2098']) expect(text).not.toContain(marker);
    const seedReport = await reportOf(seedId);
    expect(await reportOf(documentId)).toMatchObject({ agency: seedReport.agency, year: seedReport.year, template: seedReport.template });
    expect(await cellValues(documentId)).toEqual(await cellValues(seedId));
  });

  test('tables printed ten times are read once, with the values of the original and one warning per repeated row', async () => {
    const { documentId } = outcomeOf('repeated-tables.txt');
    const seedReport = await reportOf(seedId);
    expect(await reportOf(documentId)).toMatchObject({ agency: seedReport.agency, year: seedReport.year, template: seedReport.template });
    const cells = await cellValues(documentId);
    expect(cells).toEqual(await cellValues(seedId));
    expect(new Set(cells.map((cell) => cell.split('=')[0])).size).toBe(cells.length);
    const seedFindings = await findingsOf(seedId);
    const findings = await runtime.db.selectFrom('findings').select(['rule', 'severity', 'message', 'message_en', 'cells']).where('document_id', '=', documentId).execute();
    const repeats = findings.filter((finding) => finding.rule === 'TABLE_AMBIGUOUS');
    expect(findings.filter((finding) => finding.rule !== 'TABLE_AMBIGUOUS').map((f) => `${f.severity}:${f.rule}`).sort()).toEqual(seedFindings);
    // Every row of every table, once: not once per extra copy.
    const rows = await runtime.db.selectFrom('cells').select(['table_name', 'row_key']).where('document_id', '=', documentId).execute();
    const rowKeys = new Set(rows.map((row) => `${row.table_name}.${row.row_key}`));
    expect(repeats.length).toBeGreaterThan(20);
    expect(repeats.length).toBeLessThanOrEqual(rowKeys.size);
    for (const finding of repeats) {
      expect(finding).toMatchObject({
        severity: 'warning',
        message: expect.stringMatching(/^[一二三四]、.+：“.+”一行出现两次，取第一次（共 9 次）$/),
        message_en: expect.stringMatching(/^\w+: row [\w.]+ appears twice; the first is kept \(raised 9 times\)$/),
      });
      expect(finding.cells).toHaveLength(1);
    }
    expect(new Set(repeats.map((finding) => finding.cells[0])).size).toBe(repeats.length);
    for (const finding of repeats) expect(rowKeys).toContain(finding.cells[0]);
  });

  test('a report flattened to one 10 MB line is refused as too much text, before it can hold a worker', () => {
    const outcome = outcomeOf('long-line.txt');
    expect(outcome).toMatchObject({ status: 'dead_lettered', stage: 'ingest', errorCode: 'TOO_LARGE' });
    expect(outcome.seconds).toBeLessThan(30);
  });

  test('huge images are refused at ingest, before OCR', () => {
    for (const file of ['huge-image.pdf', 'huge-image.png']) {
      expect(outcomeOf(file)).toMatchObject({ status: 'dead_lettered', stage: 'ingest', errorCode: 'TOO_LARGE', message: expect.stringMatching(/MP per page image/) });
    }
  });
});
