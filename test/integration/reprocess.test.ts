/** Re-ingesting: nothing happens unless forced or outdated; then the new report supersedes the old, which is kept. */
import fs from 'node:fs';
import path from 'node:path';
import { waitForDocuments } from '../../cli/wait';
import { listDeadLetters } from '../../shared/db/dead-letters';
import { getDocument } from '../../shared/db/documents';
import { reportVersions, writePublication } from '../../shared/db/reports';
import { PIPELINE_VERSION } from '../../shared/pipeline';
import { reprocessDocuments, submitFile } from '../../shared/submissions';
import { buildPublication } from '../../workers/publish/core';
import { SAMPLES_DIR } from '../support/environment';
import { pipelineUnderTest } from '../support/pipeline';

jest.setTimeout(90_000);

const sample = (name: string) => ({ bytes: fs.readFileSync(path.join(SAMPLES_DIR, name)), fileName: name });

describe('reprocessing', () => {
  const pipeline = pipelineUnderTest({ GONGKAI_ATTEMPTS: '2', GONGKAI_BACKOFF_MS: '50' });
  const db = () => pipeline.runtime().db;
  const finish = (ids: string[]) => waitForDocuments(db(), ids, { timeoutMs: 60_000, quiet: true });
  const rowsOf = async (documentId: string) => ({
    reports: await db().selectFrom('reports').select(['round', 'pipeline_version']).where('document_id', '=', documentId).execute(),
    cells: (await db().selectFrom('cells').select((eb) => eb.fn.countAll<number>().as('n')).where('document_id', '=', documentId).executeTakeFirstOrThrow()).n,
    findings: (await db().selectFrom('findings').select(['rule', 'message']).where('document_id', '=', documentId).orderBy('rule').execute()).map((row) => `${row.rule}: ${row.message}`),
  });
  let documentId: string;

  beforeAll(async () => {
    documentId = (await submitFile(pipeline.runtime(), sample('003_6f6c780c05ed1855.txt'))).documentId;
    await finish([documentId]);
  });

  test('the same bytes again start nothing', async () => {
    const before = await getDocument(db(), documentId);
    const again = await submitFile(pipeline.runtime(), sample('003_6f6c780c05ed1855.txt'));
    expect(again).toMatchObject({ documentId, created: false, reprocessed: false, status: 'published' });
    expect(await getDocument(db(), documentId)).toMatchObject({ round: before!.round, status: 'published', published_at: before!.published_at });
    expect(await reportVersions(db(), documentId)).toHaveLength(1);
  });

  test('--force runs the document again; the new report supersedes the old one, which is kept whole', async () => {
    const before = await rowsOf(documentId);
    const forced = await submitFile(pipeline.runtime(), sample('003_6f6c780c05ed1855.txt'), { force: true });
    expect(forced).toMatchObject({ documentId, created: false, reprocessed: true, status: 'queued' });
    await finish([documentId]);

    expect(await getDocument(db(), documentId)).toMatchObject({ status: 'published', round: 1, pipeline_version: PIPELINE_VERSION });
    const after = await rowsOf(documentId);
    expect(after.reports).toEqual([{ round: 1, pipeline_version: PIPELINE_VERSION }]);
    expect(after.cells).toBe(before.cells);
    expect(after.findings).toEqual(before.findings);
    const versions = await reportVersions(db(), documentId);
    expect(versions).toEqual([
      expect.objectContaining({ round: 1, supersededAt: null, agency: '米易县人民政府', year: 2021 }),
      expect.objectContaining({ round: 0, supersededAt: expect.any(Date), agency: '米易县人民政府', year: 2021, findings: before.findings.length }),
    ]);
    const [kept] = await db().selectFrom('report_history').select('record').where('document_id', '=', documentId).execute();
    expect(kept.record).toMatchObject({ meta: { agency: '米易县人民政府' }, tables: { active: { licensing: { decisions: 9544 } } } });
    const ingestRuns = await db().selectFrom('stage_runs').select('round').where('document_id', '=', documentId).where('stage', '=', 'ingest').orderBy('round').execute();
    expect(ingestRuns).toEqual([{ round: 0 }, { round: 1 }]);
  });

  test('a result from an older pipeline version is reprocessed when its file comes in again', async () => {
    await db().updateTable('documents').set({ pipeline_version: PIPELINE_VERSION - 1 }).where('id', '=', documentId).execute();
    await db().updateTable('reports').set({ pipeline_version: PIPELINE_VERSION - 1 }).where('document_id', '=', documentId).execute();

    expect(await submitFile(pipeline.runtime(), sample('003_6f6c780c05ed1855.txt'))).toMatchObject({ reprocessed: true });
    await finish([documentId]);

    expect(await getDocument(db(), documentId)).toMatchObject({ status: 'published', round: 2, pipeline_version: PIPELINE_VERSION });
    expect((await reportVersions(db(), documentId)).map((version) => [version.round, version.pipelineVersion])).toEqual([
      [2, PIPELINE_VERSION],
      [1, PIPELINE_VERSION - 1],
      [0, PIPELINE_VERSION],
    ]);
  });

  test('reprocess --outdated picks exactly the finished documents of older versions', async () => {
    const other = (await submitFile(pipeline.runtime(), sample('002_75831f4e612adbeb.txt'))).documentId;
    await finish([other]);
    await db().updateTable('documents').set({ pipeline_version: PIPELINE_VERSION - 1 }).where('id', '=', other).execute();

    expect(await reprocessDocuments(pipeline.runtime(), { outdated: true })).toEqual([other]);
    await finish([other]);
    expect(await getDocument(db(), other)).toMatchObject({ status: 'published', round: 1, pipeline_version: PIPELINE_VERSION });
    expect(await reprocessDocuments(pipeline.runtime(), { outdated: true })).toEqual([]);
  });

  test('a result of a superseded round is never written', async () => {
    const current = (await getDocument(db(), documentId))!;
    const before = await rowsOf(documentId);
    const { report } = (await pipeline.runtime().outputs.latest(db(), documentId, 'validate'))!;
    const late = buildPublication({ documentId, round: current.round - 1, pipelineVersion: PIPELINE_VERSION }, report);
    expect(await db().transaction().execute((trx) => writePublication(trx, late))).toBe(false);
    expect(await rowsOf(documentId)).toEqual(before);
    expect(await reportVersions(db(), documentId)).toHaveLength(3);
  });

  test('forcing a dead-lettered file resolves its letter; failing again leaves one open letter for the new round', async () => {
    const junk = { bytes: Buffer.from('\u0000\u00ff\u0013 not a report at all \u0000'), fileName: 'junk.bin' };
    const first = await submitFile(pipeline.runtime(), junk);
    await finish([first.documentId]);
    expect(await listDeadLetters(db(), { documentId: first.documentId })).toEqual([expect.objectContaining({ round: 0 })]);

    expect(await submitFile(pipeline.runtime(), junk)).toMatchObject({ reprocessed: false, status: 'dead_lettered' });
    expect(await submitFile(pipeline.runtime(), junk, { force: true })).toMatchObject({ reprocessed: true });
    await finish([first.documentId]);

    expect(await getDocument(db(), first.documentId)).toMatchObject({ status: 'dead_lettered', round: 1 });
    expect(await listDeadLetters(db(), { documentId: first.documentId })).toEqual([expect.objectContaining({ round: 1 })]);
    const letters = await db().selectFrom('dead_letters').select(['round', 'resolved_at']).where('document_id', '=', first.documentId).orderBy('round').execute();
    expect(letters).toEqual([
      { round: 0, resolved_at: expect.any(Date) },
      { round: 1, resolved_at: null },
    ]);
    const queued = await pipeline.runtime().queues.deadLetter.getJobs(['waiting']);
    expect(queued.filter((job) => job.data.documentId === first.documentId).map((job) => job.data.round)).toEqual([1]);
  });
});
