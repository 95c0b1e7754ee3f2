/**
 * Line structure from content, for sources whose line breaks are not layout (plain text, HTML, Word).
 * Crawled pages often arrive as one line, and copied text breaks lines anywhere, even inside a label,
 * so the reader must not depend on where the source happened to break. Reflowing a page:
 *
 * 1. joins every break between two lines that are not table rows (a table row has cells separated by
 *    tabs or `|`, and its breaks are kept), which makes the text the same however its prose was broken;
 * 2. breaks it again where the content says a new line starts: before a section heading (一、…六、) and
 *    after its title, after the report title, before a block of table 二 (第二十条第(一)项), and before
 *    every template row label glued to what precedes it, together with its printed item number
 *    (`…120000122.没有现成信息` is `…12000012` then `2.没有现成信息`).
 *
 * A crawler's header (crawl-header.ts) is left as it is. Characters are only moved between lines,
 * never changed, and each keeps its source offset, so provenance still points into the source.
 */
import type { NormalizedPage } from '../../shared/record';
import { ACTIVE_2019, ACTIVE_2021, APPLICATIONS_2019, APPLICATIONS_2021, type RowSpec } from '../../shared/template/rows';
import { mapCodePoints, toOffsetMap, type MappedText } from '../normalize/mapped-text';
import { sourceOffset } from '../normalize/core';
import { crawlHeaderLength } from './crawl-header';
import { editDistance, labelKey } from './labels';
import { SECTION_TITLES } from './sections';

export function reflowPage(page: NormalizedPage): NormalizedPage {
  const headerEnd = page.number === 1 ? headerEndOffset(page.text) : 0;
  const identity: MappedText = { text: page.text, origins: Array.from({ length: page.text.length }, (_, i) => i) };
  const joined = joinUnstructuredBreaks(identity, headerEnd);
  const breaks = structuralBreaks(joined.text, headerEnd);
  const reflowed = mapCodePoints(joined, (codePoint, index) => (breaks.has(index) ? `\n${codePoint}` : codePoint));
  const toSource = { text: reflowed.text, origins: reflowed.origins.map((origin) => sourceOffset(page, origin)) };
  return { ...page, text: reflowed.text, offsetMap: toOffsetMap(toSource) };
}

/** Offset just past the crawl header's last line (its separator included); 0 without a header. */
function headerEndOffset(text: string): number {
  const lines = text.split('\n');
  const count = crawlHeaderLength(lines);
  return count === 0 ? 0 : lines.slice(0, count).join('\n').length + 1;
}

const isTableRow = (line: string): boolean => /[\t|]/.test(line);

/** Deletes the line breaks of the body that have no table row on either side. */
function joinUnstructuredBreaks(input: MappedText, bodyStart: number): MappedText {
  const text = input.text;
  const deleted = new Set<number>();
  let lineStart = bodyStart;
  while (lineStart <= text.length) {
    const lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) break;
    const nextEnd = text.indexOf('\n', lineEnd + 1);
    const line = text.slice(lineStart, lineEnd);
    const next = text.slice(lineEnd + 1, nextEnd < 0 ? text.length : nextEnd);
    if (!isTableRow(line) && !isTableRow(next)) deleted.add(lineEnd);
    lineStart = lineEnd + 1;
  }
  return mapCodePoints(input, (codePoint, index) => (deleted.has(index) ? '' : codePoint));
}

const NUMERAL = '[一二三四五六七八九十]';
/** A section heading's number; not 第一、 nor the 一、 of 十一、. */
const SECTION_MARKER = /(?<![一二三四五六七八九十第])[一二三四五六七][、.](?=\s*\p{Script=Han})/gu;
/** Where a line already starts: no break is needed before these. */
const SEPARATOR = /[\n\t| ]/;
/** What may end a table cell right before a row label glued to it: a number, a placeholder, a closing bracket. */
const CELL_END = /[\d/\\\-—–)%]/;
/** A block of table 二, as its first cell prints it. */
const ACTIVE_BLOCK = /第二十条第\([一二三四五六七八九十]\)项/g;
/** The report title near the start: the name of the report, not a later "…年度报告如下". */
const REPORT_TITLE = /(?:信息公开|政务公开)[^。,;:\n]{0,12}?报告(?!如下)|年度报告(?!如下)/;
const TITLE_SEARCH_CHARACTERS = 150;

function structuralBreaks(text: string, bodyStart: number): Set<number> {
  const breaks = new Set<number>();
  const breakBefore = (index: number): void => {
    if (index > bodyStart && text[index - 1] !== '\n' && index < text.length && text[index] !== '\n') breaks.add(index);
  };
  breakAfterReportTitle(text, bodyStart, breakBefore);
  for (const match of text.slice(bodyStart).matchAll(SECTION_MARKER)) {
    const index = bodyStart + match.index;
    breakBefore(index);
    const titleStart = index + match[0].length + (/^\s*/.exec(text.slice(index + match[0].length))?.[0].length ?? 0);
    const title = SECTION_TITLES.find((known) => text.startsWith(known, titleStart));
    if (title) breakBefore(titleStart + title.length);
  }
  for (const match of text.slice(bodyStart).matchAll(ACTIVE_BLOCK)) {
    const index = bodyStart + match.index;
    const followedByHeader = /^[\s|]*信息内容/.test(text.slice(index + match[0].length));
    if (followedByHeader || gluedToCell(text, index)) breakBefore(index);
  }
  for (const label of ROW_LABELS) {
    for (const match of text.slice(bodyStart).matchAll(label.head)) {
      const index = bodyStart + match.index;
      const marker = label.marker?.exec(text.slice(Math.max(bodyStart, index - MARKER_LOOKBACK), index));
      const start = marker ? index - marker[0].length : index;
      if (SEPARATOR.test(text[start - 1] ?? '\n')) continue;
      if (marker || gluedToCell(text, start)) breakBefore(start);
    }
    // A typo in the label's first characters hides it from `head`; its item number still shows where
    // it starts, glued to a value or to the group label it sits under.
    if (!label.numberedHead) continue;
    for (const match of text.slice(bodyStart).matchAll(label.numberedHead)) {
      const start = bodyStart + match.index;
      if (SEPARATOR.test(text[start - 1] ?? '\n')) continue;
      if (startsWithMistypedHead(text, start + match[0].length, label.headKey)) breakBefore(start);
    }
  }
  return breaks;
}

/** Whether the label at `from` starts with `headKey` but for one character missing, added or changed. */
function startsWithMistypedHead(text: string, from: number, headKey: string): boolean {
  const printed = /^(?:\p{Script=Han}[^\p{Script=Han}\d\n]{0,2}){1,8}/u.exec(text.slice(from))?.[0] ?? '';
  const han = Array.from(printed.replace(/[^\p{Script=Han}]/gu, ''));
  const length = Array.from(headKey).length;
  return [length - 1, length, length + 1].some((prefix) => prefix <= han.length && editDistance(han.slice(0, prefix).join(''), headKey) <= 1);
}

/** Whether what precedes `index` is the end of a cell: a value, or a column header of table 二. */
function gluedToCell(text: string, index: number): boolean {
  const before = text[index - 1] ?? '\n';
  if (SEPARATOR.test(before) || CELL_END.test(before)) return true;
  const preceding = text.slice(Math.max(0, index - LONGEST_COLUMN_HEADER), index);
  return COLUMN_HEADERS.some((header) => preceding.endsWith(header));
}

function breakAfterReportTitle(text: string, bodyStart: number, breakBefore: (index: number) => void): void {
  const opening = text.slice(bodyStart, bodyStart + TITLE_SEARCH_CHARACTERS);
  const title = REPORT_TITLE.exec(opening);
  if (title && !opening.slice(0, title.index).includes('。')) breakBefore(bodyStart + title.index + title[0].length);
}

interface RowLabel {
  /** The label's first characters, with room for quotes and spaces between them. */
  head: RegExp;
  headKey: string;
  /** The label's item number followed by Han text, for a label too long to mistake (see MIN_MISTYPED_HEAD). */
  numberedHead: RegExp | null;
  /** The item number printed before the label, anchored at the end of the text before it. */
  marker: RegExp | null;
}

/** Characters of a label key that locate it; longer labels are told apart by their start. */
const HEAD_CHARACTERS = 6;
/** A shorter head is too short to recognise with a typo in it. */
const MIN_MISTYPED_HEAD = 5;
const MARKER_LOOKBACK = 8;

/** Row labels and the group labels rows sit under (三、本年度办理结果, (四)无法提供), from the templates. */
const ROW_LABELS: RowLabel[] = (() => {
  const rows: RowSpec[] = [...ACTIVE_2021, ...ACTIVE_2019, ...APPLICATIONS_2021.rows, ...APPLICATIONS_2019.rows];
  const groups = [...APPLICATIONS_2021.groups, ...APPLICATIONS_2019.groups, ...rows.flatMap((row) => (row.groups ?? []).map(splitPrintedGroup))];
  const byHead = new Map<string, RowLabel>();
  for (const { labels, marker } of [...rows, ...groups]) {
    for (const label of labels) {
      const head = Array.from(labelKey(label)).slice(0, HEAD_CHARACTERS);
      const id = `${head.join('')}|${marker ?? ''}`;
      if (head.length === 0 || byHead.has(id)) continue;
      byHead.set(id, {
        head: new RegExp(head.map(escapeRegExp).join('[^\\p{Script=Han}\\d\\n]{0,2}'), 'gu'),
        headKey: head.join(''),
        numberedHead: marker && head.length >= MIN_MISTYPED_HEAD ? new RegExp(`(?:${markerForms(marker).join('|')})\\s*(?=\\p{Script=Han})`, 'gu') : null,
        marker: marker ? markerPattern(marker) : null,
      });
    }
  }
  return [...byHead.values()];
})();

/** '(三)不予公开' → marker '(三)', label '不予公开'. */
function splitPrintedGroup(printed: string): { labels: string[]; marker?: string } {
  const match = new RegExp(`^(${NUMERAL}+、|\\(${NUMERAL}+\\)|\\d+\\.)(.+)$`).exec(printed);
  return match ? { labels: [match[2]], marker: match[1] } : { labels: [printed] };
}

/** An item number in any of the forms reports print it: 2. 2、 (2) for '2.'; (三) 三、 for '(三)' or '三、'. */
function markerPattern(marker: string): RegExp {
  return new RegExp(`(?:${markerForms(marker).join('|')})\\s*$`);
}

function markerForms(marker: string): string[] {
  const number = /\d+|[一二三四五六七八九十]+/.exec(marker)?.[0] ?? '';
  // Offices that space a label out space its number too: `4 . 保 护`, `( 三 )`.
  return [`${number}\\s*[.、]`, `\\(\\s*${number}\\s*\\)`];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Column headers of table 二, which its first row's label follows directly in a flattened table. */
const COLUMN_HEADERS = [...new Set(['信息内容', ...[...ACTIVE_2021, ...ACTIVE_2019].flatMap((row) => row.columns.map((column) => column.label))])];
const LONGEST_COLUMN_HEADER = Math.max(...COLUMN_HEADERS.map((header) => header.length));
