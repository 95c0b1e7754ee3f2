/**
 * Renders the pre-2019 reports of test/fixtures/legacy/reports.ts in the layouts they are published
 * in, for test/unit/legacy-list.test.ts:
 *
 * - NAME.pipe.txt: the list as `label | unit | value |` lines (text copied out of a web page);
 * - NAME.tab.txt: tab-separated cells, headings as one cell (an HTML or DOCX table as text);
 * - NAME.pdf.txt: a PDF's text layer: cells are words, blank cells are not printed at all;
 * - NAME.html: a GBK web page whose table has a colspan heading row and a rowspan/colspan header;
 * - NAME.docx: the same table as a Word document;
 * - NAME.chromium.pdf: the web page printed from a browser; NAME.writer.pdf: the web page opened in
 *   LibreOffice Writer, saved as Word and exported to PDF (the table drawn by its border="1").
 *
 * and the reports with no 统计表 (FIGURE_REPORTS: `label：N条` lines, list sentences) as:
 *
 * - NAME.txt: the text as printed, one paragraph a line;
 * - NAME.crawled.txt: a crawler's copy: a `标题:/发布时间:/发布机构:/原文链接:` header, `==== 正文 ====`,
 *   and the whole body on one line;
 * - NAME.html, NAME.chromium.pdf, NAME.writer.pdf: the web page and the PDFs printed from it.
 *
 * Beside each report, NAME.truth.json: every figure a person reads in it, for `gongkai check`.
 *
 *   apt-get install chromium fonts-wqy-microhei libreoffice-writer-nogui
 *   npx tsx tools/make-legacy-fixtures.ts
 *
 * The text and HTML outputs are reproducible; the DOCX and PDFs are not byte for byte, because their
 * generators stamp the current time into them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, WidthType } from 'docx';
import iconv from 'iconv-lite';
import { exportThroughWriter, printWithChromium } from './office-render';
import {
  FIGURE_REPORTS,
  figureReportTitle,
  fixtureName,
  LEGACY_REPORTS,
  type FigureReport,
  type LegacyReport,
  type ListRow,
} from '../test/fixtures/legacy/reports';

const REPO_ROOT = path.resolve(__dirname, '..');
const OUTPUT_DIR = path.join(REPO_ROOT, 'test/fixtures/legacy');

interface Prose {
  title: string;
  paragraphs: string[];
  tableTitle: string;
  closing: string;
}

function proseOf(report: LegacyReport): Prose {
  const proactive = report.rows.find((row) => row.label.startsWith('主动公开') && row.unit !== null)!;
  return {
    title: `${report.agency}${report.year}年政府信息公开工作年度报告`,
    paragraphs: [
      `根据《中华人民共和国政府信息公开条例》要求，现将${report.agency}${report.year}年度政府信息公开工作情况报告如下。`,
      `一、概述。${report.year}年，我局全年主动公开政府信息${proactive.value}条，依申请公开工作运行平稳。`,
      '二、存在的主要问题和改进措施。信息公开的及时性有待提高，下一步将进一步规范公开程序。',
      '附件',
    ],
    tableTitle: `${report.year}年度政府信息公开工作情况统计表`,
    closing: `${report.year + 1}年3月20日`,
  };
}

const valueColumns = (report: LegacyReport): number => report.header[0].length - 2 + (report.header.length > 1 ? report.header[1].length - 1 : 0);

/** The row's cells after the label as printed: unit, then each value column. */
function rowCells(report: LegacyReport, row: ListRow): string[] {
  const values = valueColumns(report) === 2 ? [row.value, row.cumulative ?? ''] : [row.value];
  return [row.unit ?? '', ...values];
}

const printedLabel = (row: ListRow) => `${row.marker}${row.label}`;
const isHeading = (row: ListRow) => row.unit === null;

/** Header rows padded to the table's width: a second header row sits under the first row's last header. */
function headerRows(report: LegacyReport): string[][] {
  const [first, second] = report.header;
  if (!second) return [first];
  return [first, [...first.slice(0, -1).map(() => ''), ...second]];
}

function document(report: LegacyReport, table: string[]): string {
  const prose = proseOf(report);
  return [prose.title, ...prose.paragraphs, prose.tableTitle, ...table, prose.closing, ''].join('\n');
}

function toPipeText(report: LegacyReport): string {
  const width = 2 + valueColumns(report);
  const header = headerRows(report).map((cells) => `${cells.join(' | ')} |`);
  const rows = report.rows.map((row) => (isHeading(row) ? `${printedLabel(row)} |${' |'.repeat(width - 1)}` : `${[printedLabel(row), ...rowCells(report, row)].join(' | ')} |`));
  return document(report, [...header, ...rows]);
}

function toTabText(report: LegacyReport): string {
  const header = headerRows(report).map((cells) => cells.join('\t'));
  const rows = report.rows.map((row) => (isHeading(row) ? printedLabel(row) : [printedLabel(row), ...rowCells(report, row)].join('\t')));
  return document(report, [...header, ...rows]);
}

/** A PDF text layer: one space between cells, a space after the marker, blank cells absent. */
function toPdfText(report: LegacyReport): string {
  const header = report.header.map((cells) => cells.join(' '));
  const rows = report.rows.map((row) => [`${row.marker} ${row.label}`.trim(), ...(isHeading(row) ? [] : rowCells(report, row))].filter((cell) => cell !== '').join(' '));
  return document(report, [...header, ...rows]);
}

interface TableCellSpec {
  text: string;
  colSpan?: number;
  rowSpan?: number;
}

function tableRows(report: LegacyReport): TableCellSpec[][] {
  const width = 2 + valueColumns(report);
  const [first, second] = report.header;
  const header: TableCellSpec[][] = second
    ? [
        [...first.slice(0, -1).map((text) => ({ text, rowSpan: 2 })), { text: first[first.length - 1], colSpan: second.length }],
        second.map((text) => ({ text })),
      ]
    : [first.map((text) => ({ text }))];
  const rows = report.rows.map((row): TableCellSpec[] =>
    isHeading(row) ? [{ text: printedLabel(row), colSpan: width }] : [printedLabel(row), ...rowCells(report, row)].map((text) => ({ text })),
  );
  return [...header, ...rows];
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function toHtml(report: LegacyReport): Buffer {
  const prose = proseOf(report);
  const cell = ({ text, colSpan, rowSpan }: TableCellSpec) =>
    `<td${rowSpan ? ` rowspan="${rowSpan}"` : ''}${colSpan ? ` colspan="${colSpan}"` : ''}>${text === '' ? '&nbsp;' : escapeHtml(text)}</td>`;
  const html = [
    '<!DOCTYPE html>',
    '<html>',
    '<head>',
    '<meta http-equiv="Content-Type" content="text/html; charset=gbk">',
    `<title>${escapeHtml(prose.title)}</title>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(prose.title)}</h1>`,
    ...prose.paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    `<p align="center">${escapeHtml(prose.tableTitle)}</p>`,
    '<table border="1" cellspacing="0" cellpadding="0">',
    '<tbody>',
    ...tableRows(report).map((row) => `  <tr>${row.map(cell).join('')}</tr>`),
    '</tbody>',
    '</table>',
    `<p align="right">${escapeHtml(prose.closing)}</p>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
  const bytes = iconv.encode(html, 'gbk');
  if (iconv.decode(bytes, 'gbk') !== html) throw new Error('the page has characters GBK cannot encode');
  return bytes;
}

async function toDocx(report: LegacyReport): Promise<Buffer> {
  const prose = proseOf(report);
  const table = new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: tableRows(report).map(
      (row) =>
        new TableRow({
          children: row.map(
            ({ text, colSpan, rowSpan }) =>
              new TableCell({ rowSpan, columnSpan: colSpan, children: [new Paragraph({ text, alignment: AlignmentType.CENTER })] }),
          ),
        }),
    ),
  });
  const children = [
    new Paragraph({ text: prose.title, heading: HeadingLevel.TITLE }),
    ...prose.paragraphs.map((text) => new Paragraph({ text })),
    new Paragraph({ text: prose.tableTitle, alignment: AlignmentType.CENTER }),
    table,
    new Paragraph({ text: prose.closing, alignment: AlignmentType.RIGHT }),
  ];
  return Packer.toBuffer(new Document({ creator: 'gongkai', sections: [{ children }] }));
}

// ---------------------------------------------------------------------------------------------
// Reports with no 统计表.

function figureLines(report: FigureReport): string[] {
  const [year, month, day] = report.published.split('-').map(Number);
  return [figureReportTitle(report), ...report.paragraphs.map((paragraph) => paragraph.text), `${year}年${month}月${day}日`];
}

const toFigureText = (report: FigureReport): string => `${figureLines(report).join('\n')}\n`;

/** A crawler's copy: its header, then the body with every line break lost. */
function toCrawledText(report: FigureReport): string {
  const header = [
    `标题: ${figureReportTitle(report)}`,
    `发布时间: ${report.published} 09:00:00`,
    `发布机构: ${report.agency}`,
    `原文链接: http://www.example.gov.cn/xxgk/ndbg/${report.year}.html`,
    '==== 正文 ====',
  ];
  return `${[...header, figureLines(report).join('')].join('\n')}\n`;
}

function toFigureHtml(report: FigureReport): string {
  const [title, ...paragraphs] = figureLines(report);
  return [
    '<!DOCTYPE html>',
    '<html>',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(title)}</h1>`,
    ...paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// PDFs the ways offices make them (as tools/make-pdf-variants.ts does for the 2021 tables).

async function writePdfs(report: { name: string }): Promise<void> {
  const html = path.join(OUTPUT_DIR, fixtureName(report, 'html'));
  await printWithChromium([[html, path.join(OUTPUT_DIR, fixtureName(report, 'chromium.pdf'))]]);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gongkai-writer-'));
  try {
    const [[, pdf]] = exportThroughWriter([html], scratch);
    fs.copyFileSync(pdf, path.join(OUTPUT_DIR, fixtureName(report, 'writer.pdf')));
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Truth: what a person reads in each report, in the shape `gongkai check` scores (cli/check-score.ts).

const numberOrNull = (printed: string): number | null => (/^\d+(?:\.\d+)?$/.test(printed) ? Number(printed) : null);

function legacyTruth(report: LegacyReport): string {
  const legacy = report.rows.filter((row) => !isHeading(row)).map((row) => ({ label: row.label, value: numberOrNull(row.value) }));
  return truthFile(report, legacy);
}

function figureTruth(report: FigureReport): string {
  const legacy = report.paragraphs.flatMap((paragraph) => paragraph.figures.map(({ label, value }) => ({ label, value })));
  return truthFile(report, legacy);
}

function truthFile(report: { agency: string; year: number }, legacy: Array<{ label: string; value: number | null }>): string {
  return `${JSON.stringify({ template: 'pre2019', agency: report.agency, year: report.year, tables: { legacy } }, null, 1)}\n`;
}

function write(name: string, content: Buffer | string): void {
  fs.writeFileSync(path.join(OUTPUT_DIR, name), content);
}

async function main(): Promise<void> {
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  for (const report of LEGACY_REPORTS) {
    write(fixtureName(report, 'pipe.txt'), toPipeText(report));
    write(fixtureName(report, 'tab.txt'), toTabText(report));
    write(fixtureName(report, 'pdf.txt'), toPdfText(report));
    write(fixtureName(report, 'html'), toHtml(report));
    write(fixtureName(report, 'docx'), await toDocx(report));
    await writePdfs(report);
    write(fixtureName(report, 'truth.json'), legacyTruth(report));
  }
  for (const report of FIGURE_REPORTS) {
    write(fixtureName(report, 'txt'), toFigureText(report));
    write(fixtureName(report, 'crawled.txt'), toCrawledText(report));
    write(fixtureName(report, 'html'), toFigureHtml(report));
    await writePdfs(report);
    write(fixtureName(report, 'truth.json'), figureTruth(report));
  }
  for (const file of fs.readdirSync(OUTPUT_DIR).sort()) console.log(`${file}: ${fs.statSync(path.join(OUTPUT_DIR, file)).size} bytes`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
