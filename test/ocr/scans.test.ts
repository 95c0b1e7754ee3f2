/**
 * Issue 4's bar: every scanned fixture yields the same table values as its text original, or findings
 * on exactly the cells that differ. Each scan is read in-process, as `gongkai parse` reads it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CanonicalRecord, TableNode } from '../../shared/record';
import { runCoresInProcess } from '../../workers/in-process';

jest.setTimeout(300_000);

const REPO = path.resolve(__dirname, '../..');
const SCANS = path.join(REPO, 'test/fixtures/scans');

/** Every numeric cell of the three statistical tables, as dotted key → value. */
function tableCells(record: CanonicalRecord): Map<string, number | string | null> {
  const cells = new Map<string, number | string | null>();
  const walk = (node: TableNode, prefix: string): void => {
    for (const [key, value] of Object.entries(node)) {
      if (value !== null && typeof value === 'object') walk(value, `${prefix}.${key}`);
      else cells.set(`${prefix}.${key}`, value);
    }
  };
  for (const table of ['active', 'applications', 'reviewLitigation'] as const) {
    const node = record.tables[table];
    if (node) walk(node, table);
  }
  return cells;
}

async function recordOf(file: string): Promise<CanonicalRecord> {
  return (await runCoresInProcess(fs.readFileSync(file), path.basename(file), { maxPages: 50 })).record;
}

const FIXTURES: Array<[scan: string, original: string]> = [
  ['001-nonzero-scan.pdf', 'test/fixtures/parse/001-nonzero.txt'],
  ['001-nonzero-rotated.pdf', 'test/fixtures/parse/001-nonzero.txt'],
  ['001-nonzero-mixed.pdf', 'test/fixtures/parse/001-nonzero.txt'],
  ['003-scan.tif', 'samples/003_6f6c780c05ed1855.txt'],
];

describe.each(FIXTURES)('%s', (scan, original) => {
  test('yields the text original’s table values, or findings on exactly the cells that differ', async () => {
    const expected = tableCells(await recordOf(path.join(REPO, original)));
    const record = await recordOf(path.join(SCANS, scan));
    const read = tableCells(record);

    expect(record.source.ocrPages.length).toBeGreaterThan(0);
    expect(expected.size).toBeGreaterThan(190);
    const differing = [...expected.keys()].filter((key) => read.get(key) !== expected.get(key));
    const flagged = new Set(record.findings.flatMap((finding) => finding.cells));
    expect(differing.filter((key) => !flagged.has(key))).toEqual([]);
    console.log(`${scan}: ${expected.size - differing.length}/${expected.size} cells equal to the text original, ${differing.length} differing (all flagged)`);
  });
});
