/** The five seeds and the sample PDF through all six stages on the real Redis and Postgres. */
import fs from 'node:fs';
import path from 'node:path';
import { openRuntime, type Runtime } from '../../cli/runtime';
import { waitForDocuments } from '../../cli/wait';
import { getDocument } from '../../shared/db/documents';
import { reportVersions, writePublication } from '../../shared/db/reports';
import { STAGES } from '../../shared/pipeline';
import { reprocessDocuments, submitFile } from '../../shared/submissions';
import { buildPublication } from '../../workers/publish/core';
import { createTestEnvironment, sampleFiles, type TestEnvironment } from '../support/environment';

jest.setTimeout(120_000);

describe('pipeline on Postgres and Redis', () => {
  let environment: TestEnvironment;
  let runtime: Runtime;
  const ids = new Map<string, string>();

  beforeAll(async () => {
    environment = createTestEnvironment();
    runtime = await openRuntime(environment.config);
    runtime.startWorkers();
    for (const file of sampleFiles()) {
      const submission = await submitFile(runtime, { bytes: fs.readFileSync(file), fileName: path.basename(file) });
      ids.set(path.basename(file), submission.documentId);
    }
    await waitForDocuments(runtime.db, [...ids.values()], { timeoutMs: 90_000, quiet: true });
  });

  afterAll(async () => {
    await runtime?.close();
    await environment?.cleanup();
  });

  const idOf = (prefix: string, extension = '.txt') => {
    const entry = [...ids.entries()].find(([name]) => name.startsWith(prefix) && name.endsWith(extension));
    if (!entry) throw new Error(`no sample ${prefix}*${extension}`);
    return entry[1];
  };

  test('every sample is published', async () => {
    const documents = await runtime.db.selectFrom('documents').select(['file_name', 'status', 'error']).execute();
    expect(documents).toHaveLength(ids.size);
    expect(documents.filter((document) => document.status !== 'published')).toEqual([]);
  });

  test('each stage ran once per document and recorded its duration; with no scanned page, OCR was passed over', async () => {
    const runs = await runtime.db.selectFrom('stage_runs').select(['document_id', 'stage', 'outcome', 'duration_ms', 'output']).execute();
    expect(runs).toHaveLength(ids.size * STAGES.length);
    for (const documentId of ids.values()) {
      const own = runs.filter((run) => run.document_id === documentId);
      expect(own.map((run) => run.stage).sort()).toEqual([...STAGES].sort());
      const ingest = own.find((run) => run.stage === 'ingest')!;
      expect(own.find((run) => run.stage === 'ocr')).toMatchObject({ outcome: 'skipped', output: ingest.output });
      expect(own.filter((run) => run.stage !== 'ocr').every((run) => run.outcome === 'completed' && run.duration_ms !== null)).toBe(true);
    }
  });

  test('a reprocess from normalize reads the output handed on past OCR', async () => {
    const documentId = idOf('002');
    const { round } = (await getDocument(runtime.db, documentId))!;
    expect(await reprocessDocuments(runtime, { documentIds: [documentId] }, 'normalize')).toEqual([documentId]);
    await waitForDocuments(runtime.db, [documentId], { timeoutMs: 60_000, quiet: true });
    expect(await getDocument(runtime.db, documentId)).toMatchObject({ status: 'published', round: round + 1 });
    const runs = await runtime.db.selectFrom('stage_runs').select(['stage', 'outcome']).where('document_id', '=', documentId).where('round', '=', round + 1).orderBy('id').execute();
    expect(runs).toEqual(['normalize', 'parse', 'validate', 'publish'].map((stage) => ({ stage, outcome: 'completed' })));
  });

  test('reports carry agency, year and template', async () => {
    const report = await runtime.db.selectFrom('reports').selectAll().where('document_id', '=', idOf('003')).executeTakeFirstOrThrow();
    expect(report).toMatchObject({ agency: '米易县人民政府', year: 2021, template: '2021', script: 'traditional' });
    const legacy = await runtime.db.selectFrom('reports').selectAll().where('document_id', '=', idOf('002')).executeTakeFirstOrThrow();
    expect(legacy).toMatchObject({ year: 2017, template: 'pre2019' });
  });

  test('cells are stored with raw text and provenance', async () => {
    const cells = await runtime.db.selectFrom('cells').selectAll().where('document_id', '=', idOf('003')).execute();
    const licensing = cells.find((cell) => cell.table_name === 'active' && cell.row_key === 'licensing' && cell.column_key === 'decisions');
    expect(licensing).toMatchObject({ value: '9544', raw: '9544' });
    expect((licensing?.provenance as unknown as { page: number }).page).toBe(1);
    const applications = cells.filter((cell) => cell.table_name === 'applications');
    expect(applications).toHaveLength(175);
  });

  test('the sample PDF yields the same table values as its text original', async () => {
    const values = async (documentId: string) =>
      (await runtime.db.selectFrom('cells').select(['table_name', 'row_key', 'column_key', 'value']).where('document_id', '=', documentId).execute())
        .map((cell) => `${cell.table_name}.${cell.row_key}.${cell.column_key}=${cell.value}`)
        .sort();
    const fromPdf = await values(idOf('001', '.pdf'));
    expect(fromPdf.length).toBeGreaterThan(190);
    expect(fromPdf).toEqual(await values(idOf('001')));
  });

  test('tampering and missing tables are findings', async () => {
    const findings = await runtime.db.selectFrom('findings').select(['rule', 'severity', 'message']).where('document_id', '=', idOf('004')).execute();
    expect(findings).toContainEqual(expect.objectContaining({ rule: 'CONTENT_TAMPERING', severity: 'critical' }));
    expect(findings.find((finding) => finding.rule === 'CONTENT_TAMPERING')?.message).toContain('bet365');
    expect(findings.filter((finding) => finding.rule === 'TABLE_MISSING').length).toBeGreaterThan(0);
    const clean = await runtime.db.selectFrom('findings').select('rule').where('document_id', '=', idOf('001')).where('severity', '=', 'error').execute();
    expect(clean).toEqual([]);
  });

  test('publishing again leaves the same rows', async () => {
    const documentId = idOf('003');
    const snapshot = async () => ({
      cells: (await runtime.db.selectFrom('cells').select(['table_name', 'row_key', 'column_key', 'value']).where('document_id', '=', documentId).orderBy('position').execute()).map((row) => JSON.stringify(row)),
      findings: (await runtime.db.selectFrom('findings').select(['rule', 'message']).where('document_id', '=', documentId).orderBy('id').execute()).map((row) => JSON.stringify(row)),
      reports: await runtime.db.selectFrom('reports').select('document_id').where('document_id', '=', documentId).execute(),
    });
    const before = await snapshot();
    const { report } = (await runtime.outputs.latest(runtime.db, documentId, 'validate'))!;
    const { round, pipeline_version: pipelineVersion } = (await getDocument(runtime.db, documentId))!;
    const publication = buildPublication({ documentId, round, pipelineVersion }, report);
    expect(await runtime.db.transaction().execute((trx) => writePublication(trx, publication))).toBe(true);
    expect(await snapshot()).toEqual(before);
    expect(await reportVersions(runtime.db, documentId)).toEqual([expect.objectContaining({ round, supersededAt: null })]);
  });

  test('submitting the same bytes again returns the existing document', async () => {
    const file = sampleFiles()[0];
    const again = await submitFile(runtime, { bytes: fs.readFileSync(file), fileName: 'renamed.txt' });
    expect(again).toMatchObject({ created: false, documentId: ids.get(path.basename(file)), status: 'published' });
  });
});
