/**
 * Made-up but internally consistent annual reports (2021 and 2019 templates) and the ways offices print
 * them: the report's numbers (every equation of the template holding), the truth a person reads, the
 * office's print style, the page's blocks, and that page as HTML or as a crawler's text. Everything is
 * drawn from the `Random` passed in, so a seed names a report. Used by tools/make-variation-corpus.ts
 * and tools/make-scan-corpus.ts.
 */
import { seededRandom } from '../scan-fixtures/raster';
import {
  ACTIVE_2019,
  ACTIVE_2021,
  APPLICANT_COLUMNS,
  APPLICANT_COLUMN_LABELS,
  APPLICATIONS_2019,
  APPLICATIONS_2021,
  REVIEW_COLUMNS,
  REVIEW_COLUMN_LABELS,
  REVIEW_GROUPS,
  type ActiveRowSpec,
  type ApplicationsLayout,
  type RowGroup,
} from '../../shared/template/rows';

export { seededRandom };

// ---------------------------------------------------------------------------------------------
// Randomness: one seeded generator, so a seed names a corpus.

export type Random = () => number;

export const chance = (random: Random, probability: number): boolean => random() < probability;
export const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];
export const integer = (random: Random, min: number, max: number): number => min + Math.floor(random() * (max - min + 1));

/** A count as agencies report them: mostly 0, often small, sometimes hundreds, rarely 4–6 digits. */
function count(random: Random, scale: 'rare' | 'common' | 'busy'): number {
  const roll = random();
  if (scale === 'rare') return roll < 0.75 ? 0 : roll < 0.95 ? integer(random, 1, 9) : integer(random, 10, 60);
  if (scale === 'common') return roll < 0.3 ? 0 : roll < 0.75 ? integer(random, 1, 40) : roll < 0.95 ? integer(random, 41, 900) : integer(random, 1000, 9999);
  return roll < 0.1 ? 0 : roll < 0.4 ? integer(random, 1, 99) : roll < 0.8 ? integer(random, 100, 9999) : integer(random, 10000, 250000);
}

// ---------------------------------------------------------------------------------------------
// The report: numbers that satisfy every equation, and the truth a person reads.

export type Template = '2021' | '2019';
/** A printed cell: its value (null for blank or a placeholder) and the text printed. */
export interface Value {
  value: number | null;
  printed: string;
}
export type ValueRow = Record<string, Value>;

export interface Report {
  name: string;
  template: Template;
  agency: string;
  year: number;
  publishedOn: string;
  active: Array<{ spec: ActiveRowSpec; values: ValueRow }>;
  /** Table 三 as printed: row key → column → value; a collapsed group under its own key. */
  applications: Map<string, ValueRow>;
  collapsedGroups: Set<string>;
  review: Record<string, ValueRow>;
}

const PLACES = ['青石', '云溪', '南岭', '金川', '白沙', '临江', '东阳', '石门', '清河', '凤山', '柳城', '龙泉', '安平', '永和', '新桥', '宝山', '长宁', '西湖', '桃源', '平川'];
const LEVELS = ['县', '区', '市'];
const DEPARTMENTS = ['人民政府', '人民政府办公室', '教育局', '财政局', '自然资源和规划局', '市场监督管理局', '卫生健康委员会', '住房和城乡建设局', '交通运输局', '生态环境局', '民政局', '人力资源和社会保障局', '城市管理局', '农业农村局'];

function agencyName(random: Random): string {
  const place = `${pick(random, PLACES)}${pick(random, LEVELS)}`;
  // Some agencies prefix their prefecture: 淮安市洪泽区.
  const prefecture = chance(random, 0.3) ? `${pick(random, PLACES)}市` : '';
  return `${prefecture}${place}${pick(random, DEPARTMENTS)}`;
}

const number = (value: number): Value => ({ value, printed: String(value) });
/** An office leaves a cell blank or prints `/` (one habit per table). */
const blank = (placeholder: string): Value => ({ value: null, printed: placeholder });
const placeholderOf = (random: Random): string => pick(random, ['', '/', '/', '-']);
/** A fee in 万元 as printed: 0, or a decimal with up to four places. */
function fee(random: Random): Value {
  if (chance(random, 0.3)) return { value: 0, printed: pick(random, ['0', '0.00']) };
  const places = integer(random, 1, 4);
  const value = Number((random() * pick(random, [10, 500, 20000])).toFixed(places));
  return { value, printed: value.toFixed(places) };
}

function activeValues(random: Random, template: Template): Report['active'] {
  const specs = template === '2021' ? ACTIVE_2021 : ACTIVE_2019;
  // An agency without rule-making power may leave its 规章 row blank or `/`.
  const blankRegulations = chance(random, 0.15);
  const placeholder = placeholderOf(random);
  return specs.map((spec) => {
    const values: ValueRow = {};
    for (const column of spec.columns) {
      if (spec.key === 'regulations' && blankRegulations) values[column.key] = blank(placeholder);
      else if (column.amount) values[column.key] = fee(random);
      else if (column.key === 'change') values[column.key] = number(chance(random, 0.6) ? 0 : integer(random, -30, 60));
      else if (spec.key === 'regulations' || spec.key === 'procurement') values[column.key] = number(count(random, 'rare'));
      else if (spec.key === 'normativeDocuments') values[column.key] = number(count(random, column.key === 'inForce' || column.key === 'totalPublic' ? 'common' : 'rare'));
      else values[column.key] = number(count(random, 'busy'));
    }
    if (spec.key === 'fees' && template === '2021' && chance(random, 0.1)) values.amountWan = blank(placeholder);
    return { spec, values };
  });
}

/** How likely each outcome row is to be non-zero, by row key. */
const OUTCOME_WEIGHT: Record<string, number> = { granted: 6, partiallyGranted: 2, 'unableToProvide.notHeld': 3, 'notProcessed.complaint': 1, 'denied.processInformation': 1, 'notProcessed.duplicate': 1 };

function applicationsValues(random: Random, layout: ApplicationsLayout, collapsed: Set<string>): Map<string, ValueRow> {
  const columns = APPLICANT_COLUMNS.filter((column) => column !== 'total');
  const cells = new Map<string, Record<string, number>>();
  const row = (key: string) => cells.get(key) ?? cells.set(key, {}).get(key)!;
  for (const column of columns) {
    const busy = column === 'naturalPerson' ? 'common' : column === 'commercial' ? 'rare' : chance(random, 0.8) ? null : 'rare';
    let handled = 0;
    for (const outcome of layout.outcomeKeys) {
      const weight = OUTCOME_WEIGHT[outcome] ?? 0.3;
      const value = busy === null || !chance(random, Math.min(0.9, weight * 0.15)) ? 0 : Math.max(1, Math.round(count(random, busy) * weight * 0.3));
      row(outcome)[column] = value;
      handled += value;
    }
    const carriedOver = busy && chance(random, 0.3) ? integer(random, 0, Math.min(20, handled)) : 0;
    const carriedForward = busy && chance(random, 0.3) ? integer(random, 0, 20) : 0;
    row('totalHandled')[column] = handled;
    row('carriedForward')[column] = carriedForward;
    row('carriedOver')[column] = carriedOver;
    row('newReceived')[column] = handled + carriedForward - carriedOver;
  }
  const printed = new Map<string, ValueRow>();
  const toValues = (values: Record<string, number>): ValueRow => {
    const withTotal: Record<string, number> = { ...values, total: columns.reduce((sum, column) => sum + values[column], 0) };
    return Object.fromEntries(APPLICANT_COLUMNS.map((column) => [column, number(withTotal[column])]));
  };
  for (const spec of layout.rows) {
    const group = layout.groups.find((candidate) => candidate.rows[0].key === spec.key && collapsed.has(candidate.key));
    if (group) {
      const sums = Object.fromEntries(columns.map((column) => [column, group.rows.reduce((sum, sub) => sum + cells.get(sub.key)![column], 0)]));
      printed.set(group.key, toValues(sums));
    } else if (!layout.groups.some((candidate) => collapsed.has(candidate.key) && candidate.rows.some((sub) => sub.key === spec.key))) {
      printed.set(spec.key, toValues(cells.get(spec.key)!));
    }
  }
  return printed;
}

function reviewValues(random: Random): Record<string, ValueRow> {
  const placeholders = chance(random, 0.1);
  const placeholder = placeholderOf(random);
  return Object.fromEntries(
    REVIEW_GROUPS.map((group) => {
      const outcomes = REVIEW_COLUMNS.filter((column) => column !== 'total').map((column) => [column, count(random, 'rare')] as const);
      const total = outcomes.reduce((sum, [, value]) => sum + value, 0);
      if (placeholders && total === 0) return [group, Object.fromEntries(REVIEW_COLUMNS.map((column) => [column, blank(placeholder)]))];
      return [group, Object.fromEntries([...outcomes.map(([column, value]) => [column, number(value)]), ['total', number(total)]])];
    }),
  );
}

export function makeReport(random: Random, index: number): Report {
  const template: Template = chance(random, 0.3) ? '2019' : '2021';
  const year = template === '2019' ? integer(random, 2019, 2020) : integer(random, 2021, 2024);
  const layout = template === '2021' ? APPLICATIONS_2021 : APPLICATIONS_2019;
  const collapsed = new Set(layout.groups.filter((group) => group.mayCollapse && chance(random, 0.3)).map((group) => group.key));
  const month = integer(random, 1, 3);
  return {
    name: `v${String(index + 1).padStart(3, '0')}-${template}`,
    template,
    agency: agencyName(random),
    year,
    publishedOn: `${year + 1}-${String(month).padStart(2, '0')}-${String(integer(random, 1, 28)).padStart(2, '0')}`,
    active: activeValues(random, template),
    applications: applicationsValues(random, layout, collapsed),
    collapsedGroups: collapsed,
    review: reviewValues(random),
  };
}

export function truthOf(report: Report): unknown {
  const valuesOf = (row: ValueRow) => Object.fromEntries(Object.entries(row).map(([column, cell]) => [column, cell.value]));
  const applications: Record<string, unknown> = {};
  for (const [key, row] of report.applications) {
    const [head, tail] = key.split('.');
    if (tail === undefined) applications[head] = valuesOf(row);
    else applications[head] = { ...(applications[head] as object | undefined), [tail]: valuesOf(row) };
  }
  return {
    file: report.name,
    template: report.template,
    agency: report.agency,
    year: report.year,
    tables: {
      active: Object.fromEntries(report.active.map(({ spec, values }) => [spec.key, valuesOf(values)])),
      applications,
      reviewLitigation: Object.fromEntries(Object.entries(report.review).map(([group, row]) => [group, valuesOf(row)])),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// How an office prints it.

export interface Style {
  fullWidthBrackets: boolean;
  /** Chance that a long label carries a one-character typo, and that a label carries stray spaces. */
  typoRate: number;
  spaceRate: number;
  /** Group labels (三、本年度办理结果, （三）不予公开): one cell spanning its rows, that cell one character per line, or repeated on every row. */
  groupLabels: 'rowspan' | 'vertical' | 'repeated';
  reconciliationNote: boolean;
  activeAsFourTables: boolean;
  borders: boolean;
  shortPartialLabel: boolean;
  wrappedTitle: boolean;
  pageChrome: boolean;
}

export function styleOf(random: Random): Style {
  return {
    fullWidthBrackets: chance(random, 0.7),
    typoRate: pick(random, [0, 0, 0.1, 0.25]),
    spaceRate: pick(random, [0, 0, 0.1, 0.3]),
    groupLabels: pick(random, ['rowspan', 'rowspan', 'vertical', 'repeated'] as const),
    reconciliationNote: chance(random, 0.6),
    activeAsFourTables: chance(random, 0.3),
    borders: chance(random, 0.85),
    shortPartialLabel: chance(random, 0.2),
    wrappedTitle: chance(random, 0.3),
    pageChrome: chance(random, 0.4),
  };
}

/** Characters a typo may put in place of another: look-alikes and sound-alikes offices mistype. */
const TYPO_SUBSTITUTES: Record<string, string> = { 政: '正', 请: '清', 公: '分', 申: '甲', 处: '外', 理: '里', 信: '言', 息: '自', 开: '升', 数: '教', 量: '重', 予: '子', 法: '发', 规: '观', 办: '力' };

function withTypo(random: Random, label: string): string {
  const positions = [...label].map((char, index) => (/\p{Script=Han}/u.test(char) ? index : -1)).filter((index) => index > 1);
  if (positions.length < 6) return label;
  const chars = [...label];
  const at = pick(random, positions);
  const substitute = TYPO_SUBSTITUTES[chars[at]];
  if (substitute && chance(random, 0.6)) chars[at] = substitute;
  else chars.splice(at, 1);
  return chars.join('');
}

function withStraySpaces(random: Random, label: string): string {
  const chars = [...label];
  if (chance(random, 0.3)) return chars.join(' ');
  const at = integer(random, 1, Math.max(1, chars.length - 1));
  chars.splice(at, 0, pick(random, [' ', '  ', '\u3000']));
  return chars.join('');
}

export class Printer {
  constructor(
    readonly random: Random,
    readonly style: Style,
  ) {}

  brackets(text: string): string {
    return this.style.fullWidthBrackets ? text.replace(/\(/g, '（').replace(/\)/g, '）').replace(/,/g, '，').replace(/:/g, '：') : text;
  }

  /** A row label as this office prints it: its brackets, maybe a typo, maybe stray spaces. */
  label(text: string): string {
    let printed = this.brackets(text);
    if (chance(this.random, this.style.typoRate)) printed = withTypo(this.random, printed);
    if (chance(this.random, this.style.spaceRate)) printed = withStraySpaces(this.random, printed);
    return printed;
  }
}

export interface FormCell {
  text: string;
  rowSpan?: number;
  colSpan?: number;
  /** Printed one character per line (a tall, narrow merged cell). */
  vertical?: boolean;
}
export type FormRow = FormCell[];
export type Block = { kind: 'title' | 'heading' | 'paragraph'; text: string } | { kind: 'table'; rows: FormRow[] };

const printedValue = (cell: Value): FormCell => ({ text: cell.printed });

function activeTables(report: Report, printer: Printer): FormRow[][] {
  const blocks = new Map<string, Report['active']>();
  for (const entry of report.active) blocks.set(entry.spec.item, [...(blocks.get(entry.spec.item) ?? []), entry]);
  const width = 4;
  const tables = [...blocks].map(([item, entries]): FormRow[] => {
    const columns = entries[0].spec.columns;
    const header: FormRow = [{ text: '信息内容' }, ...columns.map((column, index) => ({ text: printer.brackets(column.label), colSpan: index === columns.length - 1 ? width - columns.length : undefined }))];
    return [
      [{ text: printer.brackets(item), colSpan: width }],
      header,
      ...entries.map(({ spec, values }): FormRow => [
        { text: printer.label(spec.labels[0]) },
        ...columns.map((column, index) => ({ ...printedValue(values[column.key]), colSpan: index === columns.length - 1 ? width - columns.length : undefined })),
      ]),
    ];
  });
  return printer.style.activeAsFourTables ? tables : [tables.flat()];
}

const RECONCILIATION_NOTE = '（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）';

function applicationsTable(report: Report, printer: Printer): FormRow[] {
  const layout = report.template === '2021' ? APPLICATIONS_2021 : APPLICATIONS_2019;
  const style = printer.style;
  const valuesOf = (key: string): FormCell[] => APPLICANT_COLUMNS.map((column) => printedValue(report.applications.get(key)![column]));
  const printedRows = [...report.applications.keys()];
  const groupOf = (key: string): RowGroup | undefined => layout.groups.find((group) => !report.collapsedGroups.has(group.key) && group.rows.some((row) => row.key === key));
  const resultsStart = printedRows.indexOf('granted');
  const resultsEnd = printedRows.indexOf('totalHandled');
  const resultsLabel = printer.label('三、本年度办理结果');
  const header: FormRow[] = [
    [{ text: style.reconciliationNote ? RECONCILIATION_NOTE : '', rowSpan: 3, colSpan: 3 }, { text: '申请人情况', colSpan: 7 }],
    [{ text: APPLICANT_COLUMN_LABELS.naturalPerson, rowSpan: 2 }, { text: '法人或其他组织', colSpan: 5 }, { text: pick(printer.random, ['总计', '总\u00a0\u00a0计']), rowSpan: 2 }],
    (['commercial', 'research', 'social', 'legal', 'other'] as const).map((column) => ({ text: APPLICANT_COLUMN_LABELS[column] })),
  ];
  const rows = printedRows.map((key, index): FormRow => {
    const spec = layout.rows.find((row) => row.key === key);
    const group = layout.groups.find((candidate) => candidate.key === key);
    const marker = printer.brackets(spec?.marker ?? group!.marker);
    let text = spec ? spec.labels[key === 'partiallyGranted' && style.shortPartialLabel ? 1 : 0] : group!.labels[0];
    text = marker + text;
    const labelCells: FormCell[] = [];
    const inResults = index >= resultsStart && index <= resultsEnd;
    if (!inResults) return [{ text: printer.label(text), colSpan: 3 }, ...valuesOf(key)];
    // 三、本年度办理结果 beside the results rows: one merged cell, or on every row.
    if (style.groupLabels === 'repeated') labelCells.push({ text: resultsLabel });
    else if (index === resultsStart) labelCells.push({ text: resultsLabel, rowSpan: resultsEnd - resultsStart + 1, vertical: style.groupLabels === 'vertical' });
    const outcomeGroup = groupOf(key);
    if (!outcomeGroup) return [...labelCells, { text: printer.label(text), colSpan: 2 }, ...valuesOf(key)];
    const groupLabel = printer.label(printer.brackets(outcomeGroup.marker) + outcomeGroup.labels[0]);
    if (style.groupLabels === 'repeated') labelCells.push({ text: groupLabel });
    else if (outcomeGroup.rows[0].key === key) labelCells.push({ text: groupLabel, rowSpan: outcomeGroup.rows.length, vertical: style.groupLabels === 'vertical' });
    return [...labelCells, { text: printer.label(text) }, ...valuesOf(key)];
  });
  return [...header, ...rows];
}

function reviewTable(report: Report): FormRow[] {
  const outcomes = REVIEW_COLUMNS.map((column) => REVIEW_COLUMN_LABELS[column]);
  return [
    [{ text: '行政复议', colSpan: 5 }, { text: '行政诉讼', colSpan: 10 }],
    [...outcomes.map((text) => ({ text, rowSpan: 2 })), { text: '未经复议直接起诉', colSpan: 5 }, { text: '复议后起诉', colSpan: 5 }],
    [...outcomes, ...outcomes].map((text) => ({ text })),
    REVIEW_GROUPS.flatMap((group) => REVIEW_COLUMNS.map((column) => printedValue(report.review[group][column]))),
  ];
}

const cnDate = (iso: string): string => {
  const [year, month, day] = iso.split('-').map(Number);
  return `${year}年${month}月${day}日`;
};

export function blocksOf(report: Report, random: Random, printer: Printer): Block[] {
  const received = report.applications.get('newReceived')!.total.value!;
  const handled = report.applications.get('totalHandled')!.total.value!;
  const reviews = report.review.review.total.value ?? 0;
  const proactive = integer(random, 50, 30000);
  const title = `${report.agency}${report.year}年${pick(random, ['', '度'])}政府信息公开工作年度报告`;
  const section = (number: string, text: string) => ({ kind: 'heading' as const, text: `${number}、${text}` });
  const paragraph = (text: string) => ({ kind: 'paragraph' as const, text });
  return [
    { kind: 'title', text: title },
    paragraph(
      `本年度报告根据《中华人民共和国政府信息公开条例》要求编制，统计期限自${report.year}年1月1日起至${report.year}年12月31日止。` +
        `本报告电子版可在${report.agency}门户网站查阅，如对本报告有任何疑问，请联系${report.agency}办公室（电话：0${integer(random, 510, 599)}-${integer(random, 1000000, 8999999)}）。`,
    ),
    section('一', '总体情况'),
    paragraph(
      `${report.year}年，${report.agency}坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实政务公开工作要点。` +
        `全年主动公开政府信息${proactive}条，其中政策解读${integer(random, 1, 90)}篇，召开新闻发布会${integer(random, 0, 12)}场。` +
        `全年共收到政府信息公开申请${received}件，办结${handled}件，按时办结率100%。`,
    ),
    paragraph(`（一）主动公开。${cnDate(report.publishedOn)}前完成年度报告编制，更新政府信息公开指南${integer(random, 1, 5)}次。`),
    section('二', '主动公开政府信息情况'),
    ...activeTables(report, printer).map((rows) => ({ kind: 'table' as const, rows })),
    section('三', '收到和处理政府信息公开申请情况'),
    { kind: 'table', rows: applicationsTable(report, printer) },
    section('四', '政府信息公开行政复议、行政诉讼情况'),
    { kind: 'table', rows: reviewTable(report) },
    section('五', report.template === '2019' ? '政府信息公开工作存在的主要问题及改进情况' : '存在的主要问题及改进情况'),
    paragraph(`${report.year}年，全年收到行政复议${reviews}件。一是公开内容不够全面；二是解读形式较为单一。下一步，将加强培训${integer(random, 2, 6)}次。`),
    section('六', '其他需要报告的事项'),
    paragraph(`本年度未收取信息处理费。${report.agency}将于${report.year + 1}年继续做好政务公开工作。`),
  ];
}

// ---------------------------------------------------------------------------------------------
// Renderers.

const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\u00a0/g, '&nbsp;');

function htmlCell(cell: FormCell): string {
  const spans = `${cell.rowSpan ? ` rowspan="${cell.rowSpan}"` : ''}${cell.colSpan && cell.colSpan > 1 ? ` colspan="${cell.colSpan}"` : ''}`;
  const text = cell.vertical ? [...cell.text].map(escapeHtml).join('<br>') : escapeHtml(cell.text);
  return `<td${spans}><p align="center">${text === '' ? '&nbsp;' : text}</p></td>`;
}

/**
 * How a page is laid out for print beyond the office's style (the scan corpus): extra CSS in the head,
 * the prose between tables in two columns, and closing lines (the agency and date a seal is stamped on).
 */
export interface PageLayout {
  css?: string;
  proseColumns?: boolean;
  closing?: string[];
}

export function toHtml(blocks: Block[], style: Style, layout: PageLayout = {}): string {
  const title = blocks[0].kind === 'table' ? '' : blocks[0].text;
  const rendered = blocks.map((block) => {
    if (block.kind === 'table') {
      const attributes = style.borders ? ' border="1" cellspacing="0" cellpadding="2" style="border-collapse:collapse"' : ' cellspacing="0" cellpadding="2"';
      return `<table${attributes}>\n<tbody>\n${block.rows.map((row) => `  <tr>${row.map(htmlCell).join('')}</tr>`).join('\n')}\n</tbody>\n</table>`;
    }
    if (block.kind === 'title') {
      // A long title wrapped by hand after the agency, as many pages print it.
      const wrapAt = block.text.search(/\d{4}年/);
      const text = style.wrappedTitle && wrapAt > 0 ? `${escapeHtml(block.text.slice(0, wrapAt))}<br>${escapeHtml(block.text.slice(wrapAt))}` : escapeHtml(block.text);
      return `<h2 style="text-align:center">${text}</h2>`;
    }
    return block.kind === 'heading' ? `<p><b>${escapeHtml(block.text)}</b></p>` : `<p>&nbsp;&nbsp;${escapeHtml(block.text)}</p>`;
  });
  const body = layout.proseColumns ? inColumns(blocks, rendered) : rendered;
  const closing = (layout.closing ?? []).map((line) => `<p class="closing" style="text-align:right">${escapeHtml(line)}</p>`);
  const head = layout.css ? [`<style>\n${layout.css}\n</style>`] : [];
  return ['<!DOCTYPE html>', '<html>', '<head>', '<meta charset="utf-8">', `<title>${escapeHtml(title)}</title>`, ...head, '</head>', '<body>', ...body, ...closing, '</body>', '</html>', ''].join('\n');
}

/** Each run of two or more prose blocks after the title wrapped in `<div class="prose">` (two columns by the layout's CSS). */
function inColumns(blocks: Block[], rendered: string[]): string[] {
  const out: string[] = [];
  let run: string[] = [];
  const flush = () => {
    out.push(...(run.length > 1 ? ['<div class="prose">', ...run, '</div>'] : run));
    run = [];
  };
  blocks.forEach((block, index) => {
    if (block.kind === 'heading' || block.kind === 'paragraph') run.push(rendered[index]);
    else {
      flush();
      out.push(rendered[index]);
    }
  });
  flush();
  return out;
}

/** The page's visible text as a crawler keeps it: cells joined by `separator`, every line break gone. */
export function crawledBody(blocks: Block[], separator: string, chrome: string): string {
  const parts = blocks.map((block) => {
    if (block.kind !== 'table') return block.text;
    return block.rows.map((row) => row.map((cell) => cell.text.replace(/\u00a0/g, ' ')).join(separator)).join(separator);
  });
  const [title, ...rest] = parts;
  return [title, chrome, ...rest].join(separator === '' ? '' : ' ');
}

export function crawledText(report: Report, blocks: Block[], style: Style, separator: string): string {
  const title = blocks[0].kind === 'table' ? '' : blocks[0].text;
  const chrome = style.pageChrome ? `发布时间：${report.publishedOn}    来源：${report.agency}    选择阅读字号：[ 大 中 小 ]    阅读次数：` : '';
  return [
    `标题: ${title}`,
    `发布时间: ${report.publishedOn}`,
    `发布机构: ${report.agency}`,
    `原文链接: http://www.example.gov.cn/zwgk/ndbg/${report.name}.html`,
    '==== 正文 ====',
    crawledBody(blocks, separator, chrome),
  ].join('\n');
}
