import { UNREADABLE_CELL, type ExtractedCell, type Finding } from '../../shared/record';
import { normalizeDocument } from '../../workers/normalize/core';
import { LOW_CONFIDENCE_THRESHOLD } from '../../workers/parse/ocr-confidence';
import { validateReport } from '../../workers/validate/core';
import { parse, plainDocument } from '../fixtures/parse/documents';
import { applicantValues, expectNonzeroApplications, expectNonzeroTables, NONZERO_APPLICATIONS, rowAt } from '../fixtures/parse/nonzero';
import { CONFIDENT, ocrNonzeroDocument, withReviewReading, type OcrOptions } from '../fixtures/parse/ocr';

function cellAt(cells: ExtractedCell[], key: string): ExtractedCell {
  const found = cells.find((cell) => `${cell.table}.${cell.rowKey}.${cell.columnKey}` === key);
  if (!found) throw new Error(`no cell ${key}`);
  return found;
}

function lowConfidence(findings: Finding[]): Finding[] {
  return findings.filter((finding) => finding.rule === 'LOW_CONFIDENCE_CELL');
}

function parseOcr(options: OcrOptions = {}) {
  return parse(ocrNonzeroDocument(options));
}

/** Validate's findings on a parsed record (no previous year). */
function validate(record: ReturnType<typeof parseOcr>['record']): Finding[] {
  return validateReport(record, { previous: null });
}

describe('OCR pages through normalize and parse', () => {
  test('normalize carries the OCR geometry', () => {
    const doc = ocrNonzeroDocument();
    const page = normalizeDocument(doc).pages[0];
    expect(page.ocr).toBe(doc.pages[0].ocr);
    expect(normalizeDocument(plainDocument('a')).pages[0]).not.toHaveProperty('ocr');
  });

  test('a clean scan reads every table, with no findings', () => {
    const { record } = parseOcr();
    expectNonzeroTables(record.tables);
    expect(record.findings).toEqual([]);
    expect(validate(record).filter((finding) => finding.severity !== 'warning')).toEqual([]);
  });

  test('provenance carries the box and confidence of the tab cell a value was read from', () => {
    const doc = ocrNonzeroDocument({ readings: [{ row: '予以公开', column: 1, confidence: 91.5 }] });
    const { cells } = parse(doc);
    const page = doc.pages[0];
    const line = page.text.split('\n').findIndex((text) => text.includes('予以公开'));
    const commercial = cellAt(cells, 'applications.granted.commercial');
    expect(commercial.raw).toBe('56');
    expect(commercial.provenance).toMatchObject({ page: 1, line, bbox: [200, 40 * line, 290, 40 * line + 30], confidence: 91.5 });
    expect(page.text.slice(commercial.provenance.start!, commercial.provenance.end!)).toBe('56');
    // Every cell of the three tables points at its own box.
    for (const cell of cells) {
      const box = page.ocr!.boxes.find((b) => b.line === cell.provenance.line && b.bbox[0] === cell.provenance.bbox?.[0]);
      expect([`${cell.table}.${cell.rowKey}.${cell.columnKey}`, box?.confidence]).toEqual([`${cell.table}.${cell.rowKey}.${cell.columnKey}`, cell.provenance.confidence]);
    }
    const review = cellAt(cells, 'reviewLitigation.litigationDirect.total');
    expect(review.provenance.bbox![0]).toBe(900);
  });

  test('text layouts never get OCR provenance or LOW_CONFIDENCE_CELL', () => {
    const { record, cells } = parse(plainDocument(ocrNonzeroDocument().pages[0].text));
    expect(cells.every((cell) => cell.provenance.confidence === undefined && cell.provenance.bbox === undefined)).toBe(true);
    expect(record.findings).toEqual([]);
  });
});

describe('LOW_CONFIDENCE_CELL', () => {
  test(`the threshold is ${LOW_CONFIDENCE_THRESHOLD} on the 0–100 scale`, () => {
    expect(LOW_CONFIDENCE_THRESHOLD).toBeGreaterThan(60);
    expect(LOW_CONFIDENCE_THRESHOLD).toBeLessThan(CONFIDENT);
  });

  test('a low-confidence cell every equation confirms: taken as read, no finding', () => {
    // granted.naturalPerson is in its row total, the outcome sum of its column (and nothing else).
    const { record, cells } = parseOcr({ readings: [{ row: '予以公开', column: 0, confidence: 41 }] });
    expect(cellAt(cells, 'applications.granted.naturalPerson')).toMatchObject({ value: 1234, raw: '1234', provenance: { confidence: 41 } });
    expect(record.findings).toEqual([]);
  });

  test('a misread digit in one cell is inferred from the arithmetic, with a finding; raw keeps the reading', () => {
    // 属于行政查询事项 research: 8 read as 3.
    const { record, cells } = parseOcr({ readings: [{ row: '属于行政查询事项', column: 2, text: '3', confidence: 52 }] });
    const key = 'applications.denied.administrativeQuery.research';
    expect(cellAt(cells, key)).toMatchObject({ value: 8, raw: '3' });
    expectNonzeroApplications(record.tables.applications!);
    expect(lowConfidence(record.findings)).toEqual([
      {
        rule: 'LOW_CONFIDENCE_CELL',
        severity: 'warning',
        message: '(三)不予公开 8.属于行政查询事项·科研机构：OCR 识读为“3”（置信度 52），按“(三)不予公开 8.属于行政查询事项：总计 = 各类申请人之和”推算为 8',
        messageEn: expect.stringContaining("inferred from applications row denied.administrativeQuery: total = the six applicant columns: read '3' (confidence 52), set to 8"),
        cells: [key],
      },
    ]);
    expect(validate(record).filter((finding) => finding.severity === 'error')).toEqual([]);
  });

  test('a number OCR could not read cleanly ("1,3", "2l") is unsure and inferred too', () => {
    const { record, cells } = parseOcr({
      readings: [
        { row: '重复申请', column: 4, text: '1,3', confidence: 88 },
        { row: '本机关不掌握', column: 1, text: '2l', confidence: 90 },
      ],
    });
    expect(cellAt(cells, 'applications.notProcessed.duplicate.legal')).toMatchObject({ value: 13, raw: '1,3' });
    expect(cellAt(cells, 'applications.unableToProvide.notHeld.commercial')).toMatchObject({ value: 21, raw: '2l' });
    expectNonzeroApplications(record.tables.applications!);
    const messages = lowConfidence(record.findings).map((finding) => finding.messageEn);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toContain("read '2l' (confidence 90), set to 21");
    expect(messages[1]).toContain("read '1,3' (confidence 88), set to 13");
  });

  test('a cell OCR saw ink in but could not read is never taken for blank: inferred, with a finding', () => {
    const { record, cells } = parseOcr({ readings: [{ row: '属于行政查询事项', column: 2, text: UNREADABLE_CELL, confidence: 0 }] });
    expect(cellAt(cells, 'applications.denied.administrativeQuery.research')).toMatchObject({ value: 8, raw: UNREADABLE_CELL });
    expectNonzeroApplications(record.tables.applications!);
    expect(lowConfidence(record.findings).map((finding) => finding.cells)).toEqual([['applications.denied.administrativeQuery.research']]);
  });

  test('a part and its total misread alike do not confirm each other: both are reported', () => {
    // review.pending 1 and review.total 5 read as 3 and 7 with low confidence: the group still sums.
    const once = withReviewReading(ocrNonzeroDocument(), 3, '3', 55);
    const page = once.pages[0];
    const lines = page.text.split('\n');
    const line = lines.findIndex((text) => text.startsWith('3\t1\t0\t3\t5\t'));
    lines[line] = lines[line].replace(/^3\t1\t0\t3\t5\t/, '3\t1\t0\t3\t7\t');
    const boxes = page.ocr!.boxes.map((box) => (box.line === line && box.cell === 4 ? { ...box, confidence: 55 } : box));
    const { record } = parse({ ...once, pages: [{ ...page, text: lines.join('\n'), ocr: { ...page.ocr!, boxes } }] });
    const named = lowConfidence(record.findings).flatMap((finding) => finding.cells);
    expect(named).toEqual(expect.arrayContaining(['reviewLitigation.review.pending', 'reviewLitigation.review.total']));
  });

  test('a review row whose last group was left blank is read by position, the blank cells as blank', () => {
    let doc = ocrNonzeroDocument();
    for (const index of [10, 11, 12, 13, 14]) doc = withReviewReading(doc, index, '', 100);
    const { record } = parse(doc);
    expect(rowAt(record.tables.reviewLitigation!, 'review')).toEqual({ upheld: 3, corrected: 1, other: 0, pending: 1, total: 5 });
    expect(rowAt(record.tables.reviewLitigation!, 'litigationAfterReview')).toEqual({ upheld: null, corrected: null, other: null, pending: null, total: null });
    expect(record.findings.filter((finding) => finding.rule === 'TABLE_AMBIGUOUS')).toEqual([]);
    // Without its blank cells the same ten numbers fit no place: not guessed at.
    const page = doc.pages[0];
    const { record: unplaced } = parse({ ...doc, pages: [{ ...page, text: page.text.replace(/(\t\d+)\t\t\t\t\t(?=\n|$)/, '$1') }] });
    expect(rowAt(unplaced.tables.reviewLitigation!, 'review')).toMatchObject({ upheld: null, total: null });
    expect(unplaced.findings.map((finding) => finding.rule)).toContain('TABLE_AMBIGUOUS');
  });

  test('a total misread in the review table is inferred from its group', () => {
    const doc = withReviewReading(ocrNonzeroDocument(), 4, '8', 38);
    const { record, cells } = parse(doc);
    expect(cellAt(cells, 'reviewLitigation.review.total')).toMatchObject({ value: 5, raw: '8' });
    expect(rowAt(record.tables.reviewLitigation!, 'review')).toEqual({ upheld: 3, corrected: 1, other: 0, pending: 1, total: 5 });
    expect(lowConfidence(record.findings).map((finding) => finding.messageEn)).toEqual([
      "reviewLitigation.review.total: inferred from reviewLitigation group review: upheld + corrected + other + pending = total: read '8' (confidence 38), set to 5",
    ]);
  });

  test.each([
    ['19', 'the row fails', ['APPLICATIONS_ROW_TOTAL', 'APPLICATIONS_OUTCOMES_SUM']],
    ['18', 'the two errors cancel in the row; the columns still fail', ['APPLICATIONS_OUTCOMES_SUM']],
  ])('two unsure cells in one equation (social read %s, %s): nothing is changed, both get a finding', (social, _case, rules) => {
    const { record, cells } = parseOcr({
      readings: [
        { row: '属于行政查询事项', column: 2, text: '3', confidence: 52 },
        { row: '属于行政查询事项', column: 3, text: social, confidence: 49 },
      ],
    });
    expect(cellAt(cells, 'applications.denied.administrativeQuery.research')).toMatchObject({ value: 3, raw: '3' });
    expect(cellAt(cells, 'applications.denied.administrativeQuery.social')).toMatchObject({ value: Number(social), raw: social });
    expect(lowConfidence(record.findings)).toEqual([
      expect.objectContaining({
        cells: ['applications.denied.administrativeQuery.research'],
        messageEn: 'applications.denied.administrativeQuery.research: read by OCR with confidence 52; not confirmed by the cross-checks',
      }),
      expect.objectContaining({
        cells: ['applications.denied.administrativeQuery.social'],
        messageEn: 'applications.denied.administrativeQuery.social: read by OCR with confidence 49; not confirmed by the cross-checks',
      }),
    ]);
    // Validate sees the table as read.
    expect([...new Set(validate(record).map((finding) => finding.rule))].sort()).toEqual([...rules].sort());
  });

  test('an unreadable cell beside another unsure one: the row cannot be solved, each column is on its own', () => {
    const { record, cells } = parseOcr({
      readings: [
        { row: '属于行政查询事项', column: 2, text: '3', confidence: 52 },
        { row: '属于行政查询事项', column: 6, text: '5l', confidence: 80 },
      ],
    });
    // The research column has one unsure cell and solves to 8; the row it shares with the unreadable
    // total cannot say otherwise. The total column would solve to 51, but the row, with research as
    // read, says otherwise: the total stays blank (null), with its text kept and a finding.
    expect(cellAt(cells, 'applications.denied.administrativeQuery.research')).toMatchObject({ value: 8, raw: '3' });
    expect(cellAt(cells, 'applications.denied.administrativeQuery.total')).toMatchObject({ value: null, raw: '5l' });
    expect(lowConfidence(record.findings).map((finding) => finding.messageEn)).toEqual([
      "applications.denied.administrativeQuery.research: inferred from applications column research: the outcome rows sum to totalHandled (七): read '3' (confidence 52), set to 8",
      "applications.denied.administrativeQuery.total: read by OCR as '5l' (confidence 80), not a clean number; not confirmed by the cross-checks",
    ]);
  });

  test('a confident wrong cell is never changed; a low-confidence neighbour is not bent to fit it', () => {
    const { record, cells } = parseOcr({
      readings: [
        { row: '予以公开', column: 1, text: '36', confidence: 96 },
        { row: '予以公开', column: 6, confidence: 60 },
      ],
    });
    expect(cellAt(cells, 'applications.granted.commercial')).toMatchObject({ value: 36, raw: '36' });
    expect(cellAt(cells, 'applications.granted.total')).toMatchObject({ value: 1308, raw: '1308' });
    expect(lowConfidence(record.findings).map((finding) => finding.messageEn)).toEqual([
      'applications.granted.total: read by OCR with confidence 60; not confirmed by the cross-checks',
    ]);
    const errors = validate(record).filter((finding) => finding.severity === 'error');
    expect(errors.map((finding) => finding.rule)).toEqual(expect.arrayContaining(['APPLICATIONS_ROW_TOTAL', 'APPLICATIONS_OUTCOMES_SUM']));
    expect(errors.find((finding) => finding.rule === 'APPLICATIONS_ROW_TOTAL')!.cells).toContain('applications.granted.commercial');
  });

  test('a low-confidence cell of a table without arithmetic is always reported', () => {
    const { record, cells } = parseOcr({ readings: [{ row: '行政许可', column: 0, confidence: 55 }] });
    expect(cellAt(cells, 'active.licensing.decisions')).toMatchObject({ value: 9544 });
    expect(lowConfidence(record.findings).map((finding) => finding.cells)).toEqual([['active.licensing.decisions']]);
  });
});

describe('section headings on a scan', () => {
  /** The nonzero scan with specks read before the headings of sections 二 and 四. */
  function withSpecks(doc: ReturnType<typeof ocrNonzeroDocument>): ReturnType<typeof ocrNonzeroDocument> {
    const page = doc.pages[0];
    const text = page.text.replace('\n二、主动公开政府信息情况', "\n0二、主动公开政府信息情况").replace('\n四、政府信息公开行政复议', "\n.'四、政府信息公开行政复议");
    return { ...doc, pages: [{ ...page, text }] };
  }

  test('a speck or two read before a heading does not hide the section or its table', () => {
    const { record } = parse(withSpecks(ocrNonzeroDocument()));
    expectNonzeroTables(record.tables);
    expect(record.sections.every((section) => section.present)).toBe(true);
    expect(record.findings).toEqual([]);
  });
});

describe('row labels misread by OCR', () => {
  const misread: Array<[string, string]> = [
    ['逾期不补正', '遍期不补正'],
    ['需要另行制作', '需雪另行制作'],
    ['重复申请', '重复申清'],
    ['(七) 总计', '(七) 总汁'],
    ['3.其他', '3.其池'],
    ['属于国家秘密', '属干国家秘密'],
  ];

  test('one-character errors, short labels included, still map every row', () => {
    const { record } = parseOcr({ labels: misread });
    expectNonzeroApplications(record.tables.applications!);
    expect(record.findings).toEqual([]);
  });

  test('a scan whose labels are unreadable (Traditional read with the Simplified model) maps by the template order', () => {
    const labels = Object.keys(NONZERO_APPLICATIONS).length;
    expect(labels).toBe(25);
    const page = ocrNonzeroDocument().pages[0];
    const lines = page.text.split('\n');
    const first = lines.findIndex((line) => line.startsWith('一、本年新收'));
    const garbled = lines.map((line, index) => (index >= first && index < first + labels ? line.replace(/^[^\t]+/, '囗囗囗囗囗') : line));
    const { record } = parse({ ...ocrNonzeroDocument(), pages: [{ ...page, text: garbled.join('\n') }] });
    expectNonzeroApplications(record.tables.applications!);
  });

  test('the same misreadings in a text layout are not guessed at (text sources are exact)', () => {
    const text = ocrNonzeroDocument({ labels: misread }).pages[0].text;
    const { record } = parse(plainDocument(text));
    expect(record.findings.map((finding) => finding.messageEn)).toEqual(
      expect.arrayContaining([expect.stringContaining('row totalHandled'), expect.stringContaining('row otherHandling.other')]),
    );
  });

  test('with a row missing, the table is not assigned by position; an unread label between two read rows is', () => {
    const { record } = parseOcr({ labels: misread, dropRows: ['重复申'] });
    const messages = record.findings.map((finding) => finding.messageEn);
    expect(messages).toEqual(expect.arrayContaining([expect.stringContaining('row notProcessed.duplicate')]));
    // 总汁 matches no label, but it is the one row of numbers between 3.其他 and 四、结转下年度, where 总计 belongs.
    expect(messages.filter((message) => message?.includes('totalHandled'))).toEqual([]);
    expect(rowAt(record.tables.applications!, 'totalHandled')).toEqual(applicantValues(NONZERO_APPLICATIONS.totalHandled));
  });
});
