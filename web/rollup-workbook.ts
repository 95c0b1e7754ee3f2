/**
 * The roll-up as an Excel workbook laid out like the official form: a sheet per table of the form
 * (merged header and group cells where the form merges them, the template's Chinese labels), then the
 * per-division totals, the reports left out and the agencies that did not report.
 */
import ExcelJS from 'exceljs';
import type { ChildTotals, Rollup } from '../shared/db/rollup';
import type { FormCell } from '../shared/template/form-layout';
import { rollupFormTables, templateTitle } from './views/rollup';

const PLAIN_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;
const THIN = { style: 'thin' } as const;
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN };

/** A sum to a number cell (an integer count is exact in a double); anything else as text. */
function cellValue(text: string): ExcelJS.CellValue {
  const plain = text.replace(/,/g, '');
  return PLAIN_NUMBER.test(plain) ? Number(plain) : text;
}

/** Excel sheet names: at most 31 characters, none of : \ / ? * [ ], unique in the workbook. */
function sheetName(workbook: ExcelJS.Workbook, wanted: string): string {
  const base = wanted.replace(/[:\\/?*[\]]/g, '·').slice(0, 31);
  let name = base;
  for (let copy = 2; workbook.getWorksheet(name); copy++) name = `${base.slice(0, 28)}(${copy})`;
  return name;
}

/** Writes the form's rows from `startRow`, placing each cell as an HTML table would (spans skip occupied cells). */
function writeForm(sheet: ExcelJS.Worksheet, rows: FormCell[][], startRow: number): number {
  const occupied = new Set<string>();
  rows.forEach((row, rowIndex) => {
    const r = startRow + rowIndex;
    let c = 1;
    for (const cell of row) {
      while (occupied.has(`${r}:${c}`)) c++;
      const colSpan = cell.colSpan ?? 1;
      const rowSpan = cell.rowSpan ?? 1;
      for (let dr = 0; dr < rowSpan; dr++) for (let dc = 0; dc < colSpan; dc++) occupied.add(`${r + dr}:${c + dc}`);
      const target = sheet.getCell(r, c);
      target.value = cell.kind === 'value' ? cellValue(cell.text) : cell.text;
      target.alignment = { vertical: 'middle', wrapText: true, horizontal: cell.kind === 'value' ? 'right' : cell.align === 'center' ? 'center' : 'left' };
      target.border = BORDER;
      if (cell.kind === 'header') target.font = { bold: true };
      if (colSpan > 1 || rowSpan > 1) sheet.mergeCells(r, c, r + rowSpan - 1, c + colSpan - 1);
      c += colSpan;
    }
  });
  return startRow + rows.length;
}

function childRows(children: ChildTotals[]): Array<{ child: ChildTotals; depth: number }> {
  return children.flatMap((child) => [{ child, depth: 0 }, ...child.parts.map((part) => ({ child: part, depth: 1 }))]);
}

export async function rollupWorkbook(rollup: Rollup): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const regionName = rollup.region?.fullName ?? '全部地区';
  const heading = `${regionName} ${rollup.year} 年度政府信息公开工作年度报告汇总`;
  for (const form of rollup.forms) {
    for (const table of rollupFormTables(form)) {
      const prefix = rollup.forms.length > 1 ? `${form.template} ` : '';
      const sheet = workbook.addWorksheet(sheetName(workbook, `${prefix}${table.title}`));
      sheet.getCell(1, 1).value = heading;
      sheet.getCell(1, 1).font = { bold: true, size: 13 };
      sheet.getCell(2, 1).value = `${table.title}（${templateTitle('zh-CN', form.template)}，计入 ${form.reports} 份）`;
      let next = 3;
      if (table.head) next = writeForm(sheet, [table.head.map((text): FormCell => ({ kind: 'header', text }))], next);
      writeForm(sheet, table.rows, next);
      sheet.columns.forEach((column, index) => {
        column.width = table.name === 'applications' && index < 3 ? 18 : table.name === 'legacy' && index === 0 ? 40 : 12;
      });
    }
  }

  const indicators = rollup.indicators;
  const totals = workbook.addWorksheet(sheetName(workbook, rollup.region?.level === 'province' ? '各市合计' : rollup.region === null ? '各省合计' : '各县（市、区）合计'));
  totals.addRow(['地区', '代码', '计入报告', '已排除', '未报送', ...indicators.map((indicator) => indicator.name)]).font = { bold: true };
  for (const { child, depth } of childRows(rollup.children)) {
    totals.addRow([
      `${depth > 0 ? '　' : ''}${child.name}`,
      child.code ?? '',
      child.reports,
      child.excluded,
      child.missing,
      ...indicators.map((indicator) => {
        const value = child.indicators[indicator.id];
        return value === null || value === undefined ? null : cellValue(value);
      }),
    ]);
  }
  totals.addRow(['合计', rollup.region?.code ?? '', rollup.counted, rollup.excluded.length, rollup.missing.length, ...indicators.map((indicator) => (indicator.value === null ? null : cellValue(indicator.value)))]).font = { bold: true };
  totals.getColumn(1).width = 20;

  const excluded = workbook.addWorksheet('已排除的报告');
  excluded.addRow(['机关', '文件', '文档编号', '规则', '严重程度', '说明']).font = { bold: true };
  for (const report of rollup.excluded) {
    for (const reason of report.reasons) excluded.addRow([report.agency ?? '', report.fileName, report.documentId, reason.rule, reason.severity === 'critical' ? '严重' : '错误', reason.message]);
  }
  excluded.getColumn(1).width = 28;
  excluded.getColumn(6).width = 60;

  const missing = workbook.addWorksheet('未报送的机关');
  missing.addRow(['机关', '地区代码']).font = { bold: true };
  for (const agency of rollup.missing) missing.addRow([agency.agency, agency.divisionCode ?? '']);
  missing.getColumn(1).width = 32;

  return Buffer.from(await workbook.xlsx.writeBuffer());
}
