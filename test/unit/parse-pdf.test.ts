/**
 * PDF text (pdf-parse 2): cells separated by single spaces like label words, long labels wrapped
 * over several lines. It must read to the same values as the tab-separated text it was rendered from.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse, parseText, pdfDocument, SAMPLES, seedText } from '../fixtures/parse/documents';
import { expectNonzeroTables } from '../fixtures/parse/nonzero';
import { pdfPageTexts } from '../fixtures/parse/pdf-text';

const FIXTURES = path.resolve(__dirname, '../fixtures/parse');

describe('samples/001_8775b43b601402e9.pdf (seed 001 rendered)', () => {
  const file = path.join(SAMPLES, '001_8775b43b601402e9.pdf');
  const available = fs.existsSync(file);
  const pages = available ? pdfPageTexts(file) : [];

  (available ? test : test.skip)('reads to the same record as seed 001', () => {
    const fromPdf = parse(pdfDocument(pages));
    const fromText = parseText(seedText('001'));
    expect(fromPdf.record.tables).toEqual(fromText.record.tables);
    expect(fromPdf.record.findings).toEqual([]);
    expect(fromPdf.record.meta).toEqual({ ...fromText.record.meta });
    expect(fromPdf.record.sections).toEqual(fromText.record.sections);
    expect(fromPdf.cells).toHaveLength(200);
  });

  (available ? test : test.skip)('cells point at their page and at the digit in that page', () => {
    const { cells } = parse(pdfDocument(pages));
    for (const cell of cells) {
      expect(pages[cell.provenance.page - 1].slice(cell.provenance.start, cell.provenance.end)).toBe('0');
    }
    const review = cells.filter((cell) => cell.table === 'reviewLitigation');
    expect(new Set(review.map((cell) => cell.provenance.line)).size).toBe(1);
  });
});

describe('seed 001 with non-zero numbers, as text and as PDF', () => {
  test('tab-separated text', () => {
    const { record } = parseText(fs.readFileSync(path.join(FIXTURES, '001-nonzero.txt'), 'utf8'));
    expectNonzeroTables(record.tables);
    expect(record.findings).toEqual([]);
  });

  test('PDF text: wrapped labels and space-separated numbers land in the right rows', () => {
    const { record, cells } = parse(pdfDocument(pdfPageTexts(path.join(FIXTURES, '001-nonzero.pdf'))));
    expectNonzeroTables(record.tables);
    expect(record.findings).toEqual([]);
    const unpaid = cells.find((cell) => cell.rowKey === 'otherHandling.unpaidFee' && cell.columnKey === 'total')!;
    expect(unpaid).toMatchObject({ value: 11, raw: '11', provenance: { page: 3 } });
  });
});
