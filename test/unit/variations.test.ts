/**
 * A slice of the variation corpus (tools/make-variation-corpus.ts, `npm run corpus:variations -- --seed
 * 10 --count 3 --out test/fixtures/variations`): made-up reports of both templates printed as offices
 * print them — web page, Chromium PDF, Writer DOCX and PDF, crawled text with and without cell
 * separators — each scored against its truth. Nothing may be wrong in silence; a crawled row whose
 * glued digits cut several valid ways is flagged, never guessed, which is what keeps the ratio below 1.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseTruth, scoreRecord, type Score } from '../../cli/check-score';
import { closePdfReader } from '../../workers/ingest/pdf';
import { runCoresInProcess } from '../../workers/in-process';

jest.setTimeout(120_000);

const VARIATIONS = path.resolve(__dirname, '../fixtures/variations');
/** What the reader reaches on this slice; a change that reads less must say why. */
const MIN_RIGHT_SHARE = 0.99;

const files = fs
  .readdirSync(VARIATIONS)
  .flatMap((format) => fs.readdirSync(path.join(VARIATIONS, format)).map((file) => path.join(format, file)))
  .filter((file) => !file.endsWith('.truth.json'))
  .sort();

async function score(file: string): Promise<Score> {
  const absolute = path.join(VARIATIONS, file);
  const record = (await runCoresInProcess(fs.readFileSync(absolute), path.basename(file), { maxPages: 500 })).record;
  const truthFile = absolute.slice(0, absolute.length - path.extname(absolute).length) + '.truth.json';
  return scoreRecord(record, parseTruth(JSON.parse(fs.readFileSync(truthFile, 'utf8'))));
}

afterAll(() => closePdfReader());

describe('the variation corpus slice (test/fixtures/variations)', () => {
  const scores = new Map<string, Score>();
  beforeAll(async () => {
    for (const file of files) scores.set(file, await score(file));
  });

  test('holds every format of every report', () => {
    expect(files.length).toBe(18);
  });

  test.each(files)('%s: no wrong value goes unsaid, and the report is what it says', (file) => {
    const result = scores.get(file)!;
    expect(result.values.filter((value) => value.verdict === 'silent')).toEqual([]);
    expect(result.metaMismatches).toEqual([]);
  });

  test(`at least ${MIN_RIGHT_SHARE * 100}% of the values are read right`, () => {
    const all = [...scores.values()];
    const right = all.reduce((sum, result) => sum + result.right, 0);
    const total = all.reduce((sum, result) => sum + result.values.length, 0);
    expect(right / total).toBeGreaterThanOrEqual(MIN_RIGHT_SHARE);
  });
});
