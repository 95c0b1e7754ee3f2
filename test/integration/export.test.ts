/** Cell and finding exports of published documents, their filters, and the CSV and Excel files made from them. */
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { waitForDocuments } from '../../cli/wait';
import { parseExpectedAgencies } from '../../shared/expected-agencies';
import { submitFile } from '../../shared/submissions';
import { CELL_COLUMNS, FINDING_COLUMNS, exportCells, exportFindings, toCsv, toXlsx, type CellExportRow } from '../../web/export';
import { SAMPLES_DIR } from '../support/environment';
import { pipelineUnderTest } from '../support/pipeline';

jest.setTimeout(90_000);

const sample = (name: string) => ({ bytes: fs.readFileSync(path.join(SAMPLES_DIR, name)), fileName: name });
const SAMPLES = ['001_8775b43b601402e9.txt', '002_75831f4e612adbeb.txt', '003_6f6c780c05ed1855.txt'];

describe('exports', () => {
  const pipeline = pipelineUnderTest();
  const db = () => pipeline.runtime().db;
  /** agency and year of each sample, by file name, as publish read them. */
  const reports = new Map<string, { documentId: string; agency: string; year: number }>();
  const idOf = (fileName: string) => reports.get(fileName)!.documentId;

  beforeAll(async () => {
    const ids = [];
    for (const name of SAMPLES) ids.push((await submitFile(pipeline.runtime(), sample(name))).documentId);
    expect(await waitForDocuments(db(), ids, { timeoutMs: 60_000, quiet: true })).toMatchObject({ published: SAMPLES.length });
    const rows = await db()
      .selectFrom('reports as r')
      .innerJoin('documents as d', 'd.id', 'r.document_id')
      .select(['d.id', 'd.file_name', 'r.agency', 'r.year'])
      .execute();
    for (const row of rows) reports.set(row.file_name, { documentId: row.id, agency: row.agency!, year: row.year! });
  });

  test('the samples give the agencies and years the filters below rely on', () => {
    expect(reports.get('001_8775b43b601402e9.txt')).toMatchObject({ agency: '湛河区城市管理局', year: 2021 });
    expect(reports.get('002_75831f4e612adbeb.txt')).toMatchObject({ agency: '兖州区城市管理行政执法局', year: 2017 });
    expect(reports.get('003_6f6c780c05ed1855.txt')).toMatchObject({ agency: '米易县人民政府', year: 2021 });
  });

  test('without a filter every cell of every published document is exported, each once, grouped by document', async () => {
    const cells = await db()
      .selectFrom('cells')
      .select(['document_id as documentId', 'table_name as table', 'row_key as row', 'column_key as column', 'value', 'raw', 'unit'])
      .execute();
    const exported = await exportCells(db(), {}, []);
    const key = (row: (typeof cells)[number]) => JSON.stringify([row.documentId, row.table, row.row, row.column, row.value, row.raw, row.unit]);
    expect(exported.map(key).sort()).toEqual(cells.map(key).sort());
    const documentOrder = exported.map((row) => row.documentId).filter((id, index, ids) => id !== ids[index - 1]);
    expect(new Set(documentOrder).size).toBe(documentOrder.length);
    const mieyi = exported.find((row) => row.documentId === idOf('003_6f6c780c05ed1855.txt'))!;
    expect(mieyi).toMatchObject({ fileName: '003_6f6c780c05ed1855.txt', agency: '米易县人民政府', year: 2021, template: '2021' });
    expect(exported.every((row) => row.value === null || typeof row.value === 'string')).toBe(true);
  });

  test('a document that is not published (being reprocessed) is left out', async () => {
    const legacy = idOf('002_75831f4e612adbeb.txt');
    await db().updateTable('documents').set({ status: 'processing' }).where('id', '=', legacy).execute();
    try {
      const documents = new Set((await exportCells(db(), {}, [])).map((row) => row.documentId));
      expect(documents).toEqual(new Set([idOf('001_8775b43b601402e9.txt'), idOf('003_6f6c780c05ed1855.txt')]));
    } finally {
      await db().updateTable('documents').set({ status: 'published' }).where('id', '=', legacy).execute();
    }
  });

  test('the year filter keeps that year only', async () => {
    const documentsOf = (rows: CellExportRow[]) => new Set(rows.map((row) => row.documentId));
    const of2017 = await exportCells(db(), { year: 2017 }, []);
    expect(documentsOf(of2017)).toEqual(new Set([idOf('002_75831f4e612adbeb.txt')]));
    const of2021 = await exportCells(db(), { year: 2021 }, []);
    expect(documentsOf(of2021)).toEqual(new Set([idOf('001_8775b43b601402e9.txt'), idOf('003_6f6c780c05ed1855.txt')]));
    expect(await exportCells(db(), { year: 1999 }, [])).toEqual([]);
  });

  test('the region filter takes agencies whose name contains it and those the expected list puts there', async () => {
    const documentsOf = async (region: string, expectedCsv = '') =>
      new Set((await exportCells(db(), { region }, parseExpectedAgencies(expectedCsv))).map((row) => row.documentId));
    const expected = 'agency,region\n四川省攀枝花市米易县人民政府,攀枝花市\n湛河区城市管理局,平顶山市\n兖州区城市管理行政执法局,济宁市\n';
    expect(await documentsOf('米易县')).toEqual(new Set([idOf('003_6f6c780c05ed1855.txt')]));
    expect(await documentsOf('城市管理')).toEqual(new Set([idOf('001_8775b43b601402e9.txt'), idOf('002_75831f4e612adbeb.txt')]));
    // No published name contains 攀枝花市 or 平顶山市: only the list puts agencies there (米易县 under a longer spelling).
    expect(await documentsOf('攀枝花市')).toEqual(new Set());
    expect(await documentsOf('攀枝花市', expected)).toEqual(new Set([idOf('003_6f6c780c05ed1855.txt')]));
    expect(await documentsOf('平顶山市', expected)).toEqual(new Set([idOf('001_8775b43b601402e9.txt')]));
    expect(await documentsOf('湛河区', expected)).toEqual(new Set([idOf('001_8775b43b601402e9.txt')]));
    // Matched literally: % and _ are no wildcards.
    expect(await documentsOf('%')).toEqual(new Set());
    expect(await exportCells(db(), { region: '米易县', year: 2017 }, [])).toEqual([]);
  });

  test('findings are exported as the findings table holds them, cells joined', async () => {
    const legacy = idOf('002_75831f4e612adbeb.txt');
    // One finding naming two cells, whatever validation found in the samples.
    await db()
      .insertInto('findings')
      .values({ document_id: legacy, rule: 'test.two_cells', severity: 'warning', message: '合计不符', cells: JSON.stringify(['a.total', 'a.items']) })
      .execute();
    const findings = await db().selectFrom('findings').select(['document_id as documentId', 'rule', 'severity', 'message', 'cells']).execute();
    const exported = await exportFindings(db(), {}, []);
    const key = (row: { documentId: string; rule: string; severity: string; message: string; cells: string }) =>
      JSON.stringify([row.documentId, row.rule, row.severity, row.message, row.cells]);
    expect(exported.map(key).sort()).toEqual(findings.map((finding) => key({ ...finding, cells: finding.cells.join('; ') })).sort());
    expect(exported).toContainEqual({
      documentId: legacy,
      fileName: '002_75831f4e612adbeb.txt',
      agency: '兖州区城市管理行政执法局',
      year: 2017,
      rule: 'test.two_cells',
      severity: 'warning',
      message: '合计不符',
      cells: 'a.total; a.items',
    });
    const of2017 = await exportFindings(db(), { year: 2017 }, []);
    expect(of2017.map((row) => row.documentId)).toEqual(findings.filter((finding) => finding.documentId === legacy).map(() => legacy));
  });

  describe('CSV', () => {
    const columns = [
      { key: 'text', header: 'text' },
      { key: 'value', header: 'value' },
    ] as const;
    const csvOf = (rows: Array<{ text: unknown; value: unknown }>) => toCsv(rows, columns);

    test('starts with a BOM, ends lines with CRLF and quotes commas, quotes and line breaks', () => {
      const csv = csvOf([
        { text: 'a,b', value: 'say "hi"' },
        { text: 'two\nlines', value: null },
        { text: 'plain', value: 12 },
      ]);
      expect(csv).toBe('\uFEFFtext,value\r\n"a,b","say ""hi"""\r\n"two\nlines",\r\nplain,12\r\n');
    });

    test('text a spreadsheet would run as a formula gets a leading quote; negative numbers do not', () => {
      const csv = csvOf([
        { text: '=cmd()', value: '-3' },
        { text: '+1+2', value: -3 },
        { text: '@SUM(A1)', value: '-0.5' },
        { text: '\tx', value: '-3-1' },
        { text: '-', value: '=1' },
      ]);
      expect(csv.split('\r\n').slice(1, -1)).toEqual(["'=cmd(),-3", "'+1+2,-3", "'@SUM(A1),-0.5", "'\tx,'-3-1", "'-,'=1"]);
    });

    test('Chinese text survives the round trip', () => {
      const csv = csvOf([{ text: '米易县人民政府，信息公开', value: '9544' }]);
      const bytes = Buffer.from(csv, 'utf8');
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(bytes.toString('utf8').replace(/^\uFEFF/, '').split('\r\n')[1]).toBe('米易县人民政府，信息公开,9544');
    });

    test('the export columns name every field', async () => {
      const cells = await exportCells(db(), { region: '米易县' }, []);
      const [header, first] = toCsv(cells, CELL_COLUMNS).replace(/^\uFEFF/, '').split('\r\n');
      expect(header).toBe('document,file,agency,year,template,table,row,column,value,raw,unit');
      expect(first.startsWith(`${cells[0].documentId},003_6f6c780c05ed1855.txt,米易县人民政府,2021,2021,`)).toBe(true);
      expect(toCsv([], FINDING_COLUMNS)).toBe('\uFEFFdocument,file,agency,year,rule,severity,message,cells\r\n');
    });
  });

  test('the workbook reads back with its sheets, a bold frozen header and numbers as numbers', async () => {
    const cells = await exportCells(db(), { region: '米易县' }, []);
    const findings = await exportFindings(db(), {}, []);
    const buffer = await toXlsx([
      { name: 'cells', rows: cells, columns: CELL_COLUMNS },
      { name: 'findings', rows: findings, columns: FINDING_COLUMNS },
    ]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(buffer as unknown as ExcelJS.Buffer);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['cells', 'findings']);

    const sheet = workbook.getWorksheet('cells')!;
    expect(sheet.getRow(1).values).toEqual([undefined, ...CELL_COLUMNS.map((column) => column.header)]);
    expect(sheet.getRow(1).getCell(1).font).toMatchObject({ bold: true });
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.rowCount).toBe(cells.length + 1);

    const valueColumn = CELL_COLUMNS.findIndex((column) => column.key === 'value') + 1;
    const numbered = cells.findIndex((row) => row.value !== null);
    const cell = sheet.getRow(numbered + 2).getCell(valueColumn);
    expect(cell.type).toBe(ExcelJS.ValueType.Number);
    expect(cell.value).toBe(Number(cells[numbered].value));
    expect(sheet.getRow(2).getCell(3).value).toBe('米易县人民政府');
    expect(workbook.getWorksheet('findings')!.rowCount).toBe(findings.length + 1);
  });
});
