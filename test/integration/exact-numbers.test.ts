/** Issue 13 §7 through all six stages on the real Redis and Postgres: exact counts in cells.value, report years checked. */
import fs from 'node:fs';
import path from 'node:path';
import { openRuntime, type Runtime } from '../../cli/runtime';
import { waitForDocuments } from '../../cli/wait';
import { submitFile } from '../../shared/submissions';
import { createTestEnvironment, SAMPLES_DIR, type TestEnvironment } from '../support/environment';

jest.setTimeout(120_000);

const HUGE = '99999999999999999999';
const FOUR_HUNDRED_NINES = '9'.repeat(400);
const SEED = fs.readFileSync(path.join(SAMPLES_DIR, '001_8775b43b601402e9.txt'), 'utf8');
/** Seed 001's table 四: one line of fifteen zeros. */
const REVIEW_ROW = /^0(?:\t0){14}$/m;

describe('exact numbers on Postgres', () => {
  let environment: TestEnvironment;
  let runtime: Runtime;
  let hugeId: string;
  let futureId: string;

  beforeAll(async () => {
    environment = createTestEnvironment();
    runtime = await openRuntime(environment.config);
    runtime.startWorkers();
    const row = [HUGE, '1', '0', '0', '100000000000000000000', FOUR_HUNDRED_NINES, '0', '0', '0', FOUR_HUNDRED_NINES, '1.5e3', '0', '0', '0', '0'];
    const huge = await submitFile(runtime, { bytes: Buffer.from(SEED.replace(REVIEW_ROW, row.join('\t'))), fileName: 'huge-counts.txt' });
    const future = await submitFile(runtime, { bytes: Buffer.from(SEED.replaceAll('2021', '2099')), fileName: 'report-2099.txt' });
    hugeId = huge.documentId;
    futureId = future.documentId;
    await waitForDocuments(runtime.db, [hugeId, futureId], { timeoutMs: 90_000, quiet: true });
  });

  afterAll(async () => {
    try {
      await runtime?.close();
    } finally {
      await environment?.cleanup();
    }
  });

  const cellValue = async (rowKey: string, columnKey: string) =>
    runtime.db
      .selectFrom('cells')
      .select(['value', 'raw'])
      .where('document_id', '=', hugeId)
      .where('table_name', '=', 'reviewLitigation')
      .where('row_key', '=', rowKey)
      .where('column_key', '=', columnKey)
      .executeTakeFirstOrThrow();

  test('a 20-digit and a 400-digit count read back from cells.value exactly as printed', async () => {
    expect(await cellValue('review', 'upheld')).toEqual({ value: HUGE, raw: HUGE });
    expect(await cellValue('litigationDirect', 'upheld')).toEqual({ value: FOUR_HUNDRED_NINES, raw: FOUR_HUNDRED_NINES });
    expect(await cellValue('review', 'total')).toEqual({ value: '100000000000000000000', raw: '100000000000000000000' });
  });

  test('numeric arithmetic in Postgres sees the exact counts', async () => {
    const { total } = await runtime.db
      .selectFrom('cells')
      .select((eb) => eb.fn.sum<string>('value').as('total'))
      .where('document_id', '=', hugeId)
      .where('table_name', '=', 'reviewLitigation')
      .where('row_key', '=', 'review')
      .where('column_key', 'in', ['upheld', 'corrected'])
      .executeTakeFirstOrThrow();
    expect(String(total)).toBe('100000000000000000000');
  });

  test('1.5e3 is stored as null with its text, and the findings name every cell the forms cannot hold', async () => {
    expect(await cellValue('litigationAfterReview', 'upheld')).toEqual({ value: null, raw: '1.5e3' });
    const findings = await runtime.db.selectFrom('findings').select(['rule', 'severity', 'cells']).where('document_id', '=', hugeId).where('rule', '=', 'NUMBER_FORMAT').execute();
    expect(findings.every((finding) => finding.severity === 'error')).toBe(true);
    expect(findings.map((finding) => (finding.cells as string[])[0]).sort()).toEqual([
      'reviewLitigation.litigationAfterReview.upheld',
      'reviewLitigation.litigationDirect.total',
      'reviewLitigation.litigationDirect.upheld',
      'reviewLitigation.review.total',
      'reviewLitigation.review.upheld',
    ]);
    // HUGE + 1 = 10^20 exactly: the group balances, so no total finding.
    const totals = await runtime.db.selectFrom('findings').select('rule').where('document_id', '=', hugeId).where('rule', '=', 'REVIEW_LITIGATION_TOTAL').execute();
    expect(totals).toEqual([]);
  });

  test('a report for 2099 is published with an error-severity YEAR_OUT_OF_RANGE', async () => {
    const report = await runtime.db.selectFrom('reports').select('year').where('document_id', '=', futureId).executeTakeFirstOrThrow();
    expect(report.year).toBe(2099);
    const findings = await runtime.db.selectFrom('findings').select(['rule', 'severity', 'cells']).where('document_id', '=', futureId).where('rule', '=', 'YEAR_OUT_OF_RANGE').execute();
    expect(findings).toEqual([{ rule: 'YEAR_OUT_OF_RANGE', severity: 'error', cells: ['meta.year'] }]);
  });
});
