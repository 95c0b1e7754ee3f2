/**
 * PDFs as offices make them, read through the whole in-process reading (ingest's geometry reader
 * included): the same report printed from a browser and exported from a word processor reads to the
 * same record as its text, and real agency PDFs read every value a person reads in them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseTruth, scoreRecord } from '../../cli/check-score';
import type { CanonicalRecord } from '../../shared/record';
import { closePdfReader } from '../../workers/ingest/pdf';
import { runCoresInProcess } from '../../workers/in-process';

jest.setTimeout(120_000);

const REPO_ROOT = path.resolve(__dirname, '../..');
const VARIANTS = path.join(REPO_ROOT, 'test/fixtures/pdf-variants');
/** The real corpus lies beside the checkout (../shared), in CI as in a session. */
const REAL_CORPUS = path.resolve(REPO_ROOT, '../shared/corpus/real');

async function read(file: string): Promise<CanonicalRecord> {
  return (await runCoresInProcess(fs.readFileSync(file), path.basename(file), { maxPages: 500 })).record;
}

/** What a reader of the report sees: everything but where the bytes came from. */
function content(record: CanonicalRecord) {
  const { meta, sections, tables, narrative, findings } = record;
  return { meta, sections, tables, narrative, findings };
}

afterAll(() => closePdfReader());

describe('one report, printed the ways offices print it', () => {
  let fromText: CanonicalRecord;
  beforeAll(async () => {
    fromText = await read(path.join(REPO_ROOT, 'test/fixtures/parse/001-nonzero.txt'));
  });

  test.each(['chromium.pdf', 'writer-docx.pdf', 'writer-html.pdf'])('%s reads to the text report', async (file) => {
    const record = await read(path.join(VARIANTS, file));
    expect(record.source.pages).toBeGreaterThan(1);
    expect(content(record)).toEqual(content(fromText));
  });
});

const realFiles = fs.existsSync(REAL_CORPUS) ? fs.readdirSync(REAL_CORPUS).filter((name) => name.endsWith('.pdf')) : [];

(realFiles.length ? describe : describe.skip)('real agency PDFs (../shared/corpus/real)', () => {
  const records = new Map<string, CanonicalRecord>();
  beforeAll(async () => {
    for (const file of realFiles) records.set(file, await read(path.join(REAL_CORPUS, file)));
  });

  test.each(realFiles)('%s: every value a person reads, right', (file) => {
    const truth = parseTruth(JSON.parse(fs.readFileSync(path.join(REAL_CORPUS, file.replace(/\.pdf$/, '.truth.json')), 'utf8')));
    const score = scoreRecord(records.get(file)!, truth);
    expect(score.values.filter((value) => value.verdict !== 'right')).toEqual([]);
    expect(score.right).toBeGreaterThan(170);
  });

  test('a review total printed as 0 beside its parts is reported, not repaired', () => {
    const record = records.get('hongze-2023.pdf')!;
    expect(record.tables.reviewLitigation).toMatchObject({ review: { upheld: 10, corrected: 1, total: 0 }, litigationAfterReview: { upheld: 5, total: 0 } });
    const totals = record.findings.filter((finding) => finding.rule === 'REVIEW_LITIGATION_TOTAL');
    expect(totals.map((finding) => finding.cells.find((cell) => cell.endsWith('.total')))).toEqual(['reviewLitigation.review.total', 'reviewLitigation.litigationAfterReview.total']);
  });

  test('（六）其他处理 printed as one row is recorded as printed, and said', () => {
    for (const file of ['hongze-2023.pdf', 'hongze-2024.pdf']) {
      const record = records.get(file)!;
      expect((record.tables.applications as Record<string, unknown>).otherHandling).toEqual({ naturalPerson: 0, commercial: 0, research: 0, social: 0, legal: 0, other: 0, total: 0 });
      expect(record.findings.filter((finding) => finding.rule === 'ROW_COLLAPSED').map((finding) => finding.cells.length)).toEqual([7]);
    }
  });
});
