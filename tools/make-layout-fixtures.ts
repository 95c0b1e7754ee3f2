/**
 * Renders test/fixtures/parse/001-nonzero.txt in the layouts reports are published in, for the
 * end-to-end parse tests (test/unit/parse-layouts.test.ts):
 *
 * - 001-nonzero.html: a GBK-encoded web page whose tables are built like the official form, with
 *   rowspan/colspan headers, blank cells and &nbsp;;
 * - 001-nonzero.docx: the same tables as a Word document (merged cells as gridSpan/vMerge);
 * - 001-nonzero-flattened.txt: what a crawler keeps of the page when it drops cell boundaries: every
 *   table row's cells glued together, and table 四 glued into a single line.
 *
 *   npx tsx tools/make-layout-fixtures.ts
 *
 * The numbers come from the text fixture, row by row; the table shapes are the official form's.
 * The HTML and text outputs are reproducible; the DOCX is not byte for byte, because the docx package
 * stamps the current time into it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, WidthType } from 'docx';
import iconv from 'iconv-lite';

const REPO_ROOT = path.resolve(__dirname, '..');
const SOURCE_PATH = path.join(REPO_ROOT, 'test/fixtures/parse/001-nonzero.txt');
const OUTPUT_DIR = path.join(REPO_ROOT, 'test/fixtures/layouts');

interface FormCell {
  /** '' for a blank cell; U+00A0 where the page prints &nbsp; inside a label. */
  text: string;
  rowSpan?: number;
  colSpan?: number;
}
type FormRow = FormCell[];

type TableName = 'active' | 'applications' | 'reviewLitigation';
type Block = { kind: 'title' | 'heading' | 'paragraph'; text: string } | { kind: 'table'; name: TableName; rows: FormRow[] };

// ---------------------------------------------------------------------------------------------
// Reading the text fixture: prose lines, and the numbers of each tab-separated table row.

const NUMBER = /^\d+(?:\.\d+)?$/;
const SECTION_TABLES: Record<string, TableName> = { 二: 'active', 三: 'applications', 四: 'reviewLitigation' };

interface TextRow {
  /** The row's label cells, compacted, to check that the form's rows line up with the text's. */
  label: string;
  numbers: string[];
}

function compact(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, '');
}

function readBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  let section = '';
  let tableRows: TextRow[] | null = null;
  const closeTable = () => {
    if (tableRows) blocks.push({ kind: 'table', name: SECTION_TABLES[section], rows: FORMS[SECTION_TABLES[section]](tableRows) });
    tableRows = null;
  };
  for (const line of text.split('\n')) {
    if (line.includes('\t')) {
      const cells = line.split('\t').map((cell) => cell.trim());
      const numbers = cells.filter((cell) => NUMBER.test(cell));
      tableRows ??= [];
      if (numbers.length > 0) tableRows.push({ label: compact(cells.filter((cell) => !NUMBER.test(cell)).join('')), numbers });
      continue;
    }
    closeTable();
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const heading = /^([一二三四五六])、/.exec(trimmed);
    if (heading) section = heading[1];
    blocks.push({ kind: blocks.length === 0 ? 'title' : heading ? 'heading' : 'paragraph', text: trimmed });
  }
  closeTable();
  return blocks;
}

/** Hands out the text's number rows in order, checking each belongs to the form row asking for it. */
function rowSource(rows: TextRow[]): (label: string) => string[] {
  let next = 0;
  return (label) => {
    const row = rows[next++];
    if (!row || !row.label.endsWith(compact(label))) throw new Error(`the text's row ${next} (${row?.label}) is not "${label}"`);
    return row.numbers;
  };
}

const cells = (texts: string[]): FormCell[] => texts.map((text) => ({ text }));

// ---------------------------------------------------------------------------------------------
// The official form's tables.

function activeForm(textRows: TextRow[]): FormRow[] {
  const numbersOf = rowSource(textRows);
  const block = (item: string): FormRow => [{ text: `第二十条第（${item}）项`, colSpan: 4 }];
  const decisions = (label: string): FormRow => [{ text: label }, ...cells(numbersOf(label)), { text: '' }, { text: '' }];
  return [
    block('一'),
    cells(['信息内容', '本年制发件数', '本年废止件数', '现行有效件数']),
    [{ text: '规章' }, ...cells(numbersOf('规章'))],
    [{ text: '行政规范性文件' }, ...cells(numbersOf('行政规范性文件'))],
    block('五'),
    [{ text: '信息内容' }, { text: '本年处理决定数量', colSpan: 3 }],
    // Blank cells rather than a colspan, as many pages print these rows.
    decisions('行政许可'),
    block('六'),
    [{ text: '信息内容' }, { text: '本年处理决定数量', colSpan: 3 }],
    decisions('行政处罚'),
    decisions('行政强制'),
    block('八'),
    [{ text: '信息内容' }, { text: '本年收费金额（单位：万元）', colSpan: 3 }],
    [{ text: '行政事业性收费' }, { text: numbersOf('行政事业性收费')[0], colSpan: 3 }],
  ];
}

/** Table 三's outcome groups: a label spanning its numbered rows. */
const OUTCOME_GROUPS: Array<[string, string[]]> = [
  ['（三）不予公开', ['1.属于国家秘密', '2.其他法律行政法规禁止公开', '3.危及“三安全一稳定”', '4.保护第三方合法权益', '5.属于三类内部事务信息', '6.属于四类过程性信息', '7.属于行政执法案卷', '8.属于行政查询事项']],
  ['（四）无法提供', ['1.本机关不掌握相关政府信息', '2.没有现成信息需要另行制作', '3.补正后申请内容仍不明确']],
  ['（五）不予处理', ['1.信访举报投诉类申请', '2.重复申请', '3.要求提供公开出版物', '4.无正当理由大量反复申请', '5.要求行政机关确认或重新出具已获取信息']],
  [
    '（六）其他处理',
    ['1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请', '2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请', '3.其他'],
  ],
];

function applicationsForm(textRows: TextRow[]): FormRow[] {
  const numbersOf = rowSource(textRows);
  const row = (labels: FormCell[]): FormRow => [...labels, ...cells(numbersOf(labels[labels.length - 1].text))];
  const resultRows = 3 + OUTCOME_GROUPS.reduce((count, [, items]) => count + items.length, 0);
  return [
    [{ text: '（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）', rowSpan: 3, colSpan: 3 }, { text: '申请人情况', colSpan: 7 }],
    [{ text: '自然人', rowSpan: 2 }, { text: '法人或其他组织', colSpan: 5 }, { text: '总\u00a0\u00a0计', rowSpan: 2 }],
    cells(['商业企业', '科研机构', '社会公益组织', '法律服务机构', '其他']),
    row([{ text: '一、本年新收政府信息公开申请数量', colSpan: 3 }]),
    row([{ text: '二、上年结转政府信息公开申请数量', colSpan: 3 }]),
    row([{ text: '三、本年度办理结果', rowSpan: resultRows }, { text: '（一）予以公开', colSpan: 2 }]),
    row([{ text: '（二）部分公开（区分处理的，只计这一情形，不计其他情形）', colSpan: 2 }]),
    ...OUTCOME_GROUPS.flatMap(([group, items]) =>
      items.map((item, index) => row(index === 0 ? [{ text: group, rowSpan: items.length }, { text: item }] : [{ text: item }])),
    ),
    row([{ text: '（七）总计', colSpan: 2 }]),
    row([{ text: '四、结转下年度继续办理', colSpan: 3 }]),
  ];
}

function reviewLitigationForm(textRows: TextRow[]): FormRow[] {
  const outcomes = ['结果维持', '结果纠正', '其他结果', '尚未审结', '总计'];
  return [
    [{ text: '行政复议', colSpan: 5 }, { text: '行政诉讼', colSpan: 10 }],
    [...outcomes.map((text) => ({ text, rowSpan: 2 })), { text: '未经复议直接起诉', colSpan: 5 }, { text: '复议后起诉', colSpan: 5 }],
    cells([...outcomes, ...outcomes]),
    cells(rowSource(textRows)('')),
  ];
}

const FORMS: Record<TableName, (rows: TextRow[]) => FormRow[]> = {
  active: activeForm,
  applications: applicationsForm,
  reviewLitigation: reviewLitigationForm,
};

// ---------------------------------------------------------------------------------------------
// Renderers.

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\u00a0/g, '&nbsp;');
}

/** Cells as Word's HTML export writes them: a paragraph inside, &nbsp; in blank cells. */
function htmlCell(cell: FormCell): string {
  const spans = `${cell.rowSpan ? ` rowspan="${cell.rowSpan}"` : ''}${cell.colSpan ? ` colspan="${cell.colSpan}"` : ''}`;
  return `<td${spans}><p align="center"><span>${cell.text === '' ? '&nbsp;' : escapeHtml(cell.text)}</span></p></td>`;
}

function toHtml(blocks: Block[]): Buffer {
  const body = blocks.map((block) => {
    if (block.kind === 'table') {
      const rows = block.rows.map((row) => `  <tr>${row.map(htmlCell).join('')}</tr>`);
      return `<table border="1" cellspacing="0" cellpadding="0">\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
    }
    if (block.kind === 'title') return `<h1>${escapeHtml(block.text)}</h1>`;
    // Word's export indents paragraphs with two ideographic-width non-breaking spaces.
    return `<p>${block.kind === 'paragraph' ? '&nbsp;&nbsp;' : ''}${escapeHtml(block.text)}</p>`;
  });
  const html = [
    '<!DOCTYPE html>',
    '<html>',
    '<head>',
    '<meta http-equiv="Content-Type" content="text/html; charset=gbk">',
    `<title>${escapeHtml(blocks[0].kind === 'table' ? '' : blocks[0].text)}</title>`,
    '</head>',
    '<body>',
    '<div class="content">',
    ...body,
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
  const bytes = iconv.encode(html, 'gbk');
  if (iconv.decode(bytes, 'gbk') !== html) throw new Error('the page has characters GBK cannot encode');
  return bytes;
}

function docxTable(rows: FormRow[]): Table {
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: rows.map(
      (row) =>
        new TableRow({
          children: row.map(
            (cell) =>
              new TableCell({
                rowSpan: cell.rowSpan,
                columnSpan: cell.colSpan,
                children: [new Paragraph({ text: cell.text, alignment: AlignmentType.CENTER })],
              }),
          ),
        }),
    ),
  });
}

async function toDocx(blocks: Block[]): Promise<Buffer> {
  const children = blocks.map((block) => {
    if (block.kind === 'table') return docxTable(block.rows);
    if (block.kind === 'title') return new Paragraph({ text: block.text, heading: HeadingLevel.TITLE });
    return new Paragraph({ text: block.text, heading: block.kind === 'heading' ? HeadingLevel.HEADING_2 : undefined });
  });
  const document = new Document({ creator: 'gongkai', sections: [{ children }] });
  return Packer.toBuffer(document);
}

/** What a crawler's innerText keeps once cell boundaries are dropped: each row's cells glued; table 四 on one line. */
function toFlattened(blocks: Block[]): string {
  const lines = blocks.flatMap((block) => {
    if (block.kind !== 'table') return [block.text, ''];
    const rows = block.rows.map((row) => row.map((cell) => cell.text).join(''));
    return [...(block.name === 'reviewLitigation' ? [rows.join('')] : rows), ''];
  });
  return lines.join('\n');
}

async function main(): Promise<void> {
  const blocks = readBlocks(fs.readFileSync(SOURCE_PATH, 'utf8'));
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  const outputs: Array<[string, Buffer | string]> = [
    ['001-nonzero.html', toHtml(blocks)],
    ['001-nonzero.docx', await toDocx(blocks)],
    ['001-nonzero-flattened.txt', toFlattened(blocks)],
  ];
  for (const [name, content] of outputs) {
    fs.writeFileSync(path.join(OUTPUT_DIR, name), content);
    console.log(`wrote ${path.relative(REPO_ROOT, path.join(OUTPUT_DIR, name))}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
