/**
 * Pre-2019 figures printed without a 统计表: as `label：N条` lines (`主动公开政府信息数：2949条`,
 * `（一）其中：当面申请：12件`, `受理政府信息公开申请总数 35 件`) or as list sentences (`本年度共主动公开
 * 政府信息2949条，其中主动公开规范性文件12条`). Text arrives reflowed (segment.ts), so a list of lines
 * is read like one run-on sentence and line breaks decide nothing.
 *
 * What counts as an indicator — a figure in a list, not every number of the prose:
 * - an item is label words, then a number and a count unit (条 件 次 人次 元 万元 …; never 年 月 日 or %),
 *   or a number with no unit straight after `label：`; the item must end its clause (followed by a
 *   comma, 、, a full stop, an outline marker, or the next item), so `召开3次会议` and `5个工作日内` are
 *   prose, as are ordinals (`第3条`), approximations (`1000余次`, `10多件`) and numbers in brackets;
 * - a sentence's items are read when the sentence is a list: it has a `label：N` item, or an item whose
 *   label names a cross-template indicator (`共受理政府信息公开申请35件，其中当面申请10件`); figures in
 *   sentences about something else (`召开专题会议4次，培训60人次`) are left to the narrative;
 * - the label is the words since the clause began or the previous item ended, without a section
 *   heading glued before it (`四、…收费及减免情况依申请公开信息收取的费用`) and without the words prose
 *   puts before a figure (`2014年`, `我局`, `本年度`, `共`, `累计`, `发生`) or between label and figure (`为`, `达`);
 * - `其中` makes the items after it, to the end of their sentence, parts of the item before it.
 */
import { numberValue, UNITS } from '../cells';
import { lineSpan, type DocLine, type Span } from '../document';
import { extractCell } from '../table-read';
import { indicatorForLabel } from '../../../shared/template/indicators';
import type { LegacyIndicator } from '../../../shared/record';
import type { LegacyRead } from './legacy';
import { splitLegacyLabel } from './legacy-label';

/** Units that count or price something; % is a rate and never a list figure on its own. */
const ITEM_UNITS = UNITS.filter((unit) => unit !== '%');
const NUMBER = /^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?/;
const UNIT_AHEAD = new RegExp(`^\\s*(${ITEM_UNITS.join('|')})`);
/** A number followed by a unit later in the clause: the next item of a run with no separator. */
const ITEM_AHEAD = new RegExp(`^[^,、;。:]*?\\d\\s*(?:${ITEM_UNITS.join('|')})`);
const APPROXIMATE = new RegExp(`^\\s*(?:余|多|左右|万)+\\s*(?:${ITEM_UNITS.join('|')})?`);
/** The next label of a `label：N` run with no separator: words up to a colon. */
const COLON_LABEL_AHEAD = /^[^,、;。:\d]+:/;
const SENTENCE_END = /[。;!?]/;
const CLAUSE_END = /[,、;。:!?]/;
const MARKER_AHEAD = /^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十]+\)|\d{1,2}[.、](?!\d)|其中)/;

/** Section headings of the pre-2019 outline end with one of these; a label glued after one is cut from it. */
const HEADING_END = /^(.*?(?:情况|概述|事项|措施|问题))(?=\p{Script=Han}{2})/u;
/** Words prose puts before a figure's label: when, who, how many in all. */
const LEADING_FILLER =
  /^(?:\d{4}年度?|本年度?内?|今年|全年|年内|同年|截至目前|目前|我(?:局|委|厅|办|院|会|署|处|中心|市|县|区|镇|乡|府)|本(?:局|委|厅|办|机关|单位|部门)|全(?:省|市|县|区|镇|乡)|共计|共有|共|累计|合计|总计|全部|均|另|还|又|发生)/;
/** Words between a label and its figure: 主动公开信息数为2949条. */
const TRAILING_FILLER = /(?<!行)为$|达到$|达$|约$|计$/;
const MAX_LABEL_LENGTH = 30;
const MIN_LABEL_HAN = 2;

interface Item {
  label: string;
  marker: string | null;
  labelSpan: Span;
  valueSpan: Span;
  /** The figure as printed, thousands separators included. */
  digits: string;
  unit: string | null;
  /** Printed as `label：N`. */
  colon: boolean;
}

/** An outline marker a line ends with, its label on the next line (reflowing broke between them). */
const DANGLING_MARKER = /(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d{1,2}[.、])\s*$/;

export function readLegacyItems(lines: DocLine[]): LegacyRead | null {
  const items: Item[] = [];
  let dangling: string | null = null;
  for (const line of lines) {
    const lineItems = lineSentences(line).flatMap((sentence) => listItems(sentence));
    const first = lineItems[0];
    if (dangling && first && first.marker === null && first.labelSpan.start === lineSpan(line, 0, line.text.length).start) first.marker = dangling;
    items.push(...lineItems);
    const marker = DANGLING_MARKER.exec(line.text);
    dangling = marker ? splitLegacyLabel(marker[0]).marker : null;
  }
  if (items.length === 0) return null;
  const read: LegacyRead = { indicators: [], cells: [], findings: [] };
  const seen = new Map<string, number>();
  for (const item of items) {
    const count = (seen.get(item.label) ?? 0) + 1;
    seen.set(item.label, count);
    const key = count === 1 ? item.label : `${item.label}#${count}`;
    const cell = extractCell({
      table: 'legacy',
      rowKey: key,
      columnKey: 'value',
      cell: { span: item.valueSpan, value: numberValue(item.digits, item.unit) },
      at: item.labelSpan,
    });
    read.cells.push(cell);
    const indicator: LegacyIndicator = { key, label: item.label, marker: item.marker, indicator: null, unit: item.unit, value: cell.value, raw: cell.raw };
    read.indicators.push(indicator);
  }
  return read;
}

interface Sentence {
  line: DocLine;
  /** Offsets within the line's text. */
  from: number;
  to: number;
}

function lineSentences(line: DocLine): Sentence[] {
  const sentences: Sentence[] = [];
  let from = 0;
  let depth = 0;
  for (let i = 0; i <= line.text.length; i++) {
    const char = line.text[i];
    if (char === '(') depth++;
    else if (char === ')') depth = Math.max(0, depth - 1);
    if (i === line.text.length || (depth === 0 && SENTENCE_END.test(char))) {
      if (i > from) sentences.push({ line, from, to: i });
      from = i + 1;
    }
  }
  return sentences;
}

/** The items of one sentence, if the sentence is a list (see the module comment). */
function listItems(sentence: Sentence): Item[] {
  const items = sentenceItems(sentence);
  const isList = items.some((item) => item.colon || indicatorForLabel(item.label) !== null);
  return isList ? items : [];
}

function sentenceItems({ line, from, to }: Sentence): Item[] {
  const text = line.text;
  const items: Item[] = [];
  let segmentStart = from;
  let depth = 0;
  /** Set by 其中, until the sentence ends or another marker starts a label. */
  let partsMarker: string | null = null;
  for (let i = from; i < to; ) {
    const char = text[i];
    if (char === '(') depth++;
    else if (char === ')') depth = Math.max(0, depth - 1);
    if (depth > 0 || !/\d/.test(char) || /[\d.]/.test(text[i - 1] ?? '') || text[i - 1] === '第' || isNumberedMarker(text, i)) {
      if (depth === 0 && char === ',' && i >= segmentStart) segmentStart = i + 1;
      i++;
      continue;
    }
    const digits = NUMBER.exec(text.slice(i, to))![0];
    const numberEnd = i + digits.length;
    const after = text.slice(numberEnd, to);
    const unit = UNIT_AHEAD.exec(after);
    const itemEnd = numberEnd + (unit ? unit[0].length : 0);
    const colon = /:\s*$/.test(text.slice(segmentStart, i));
    const approximate = APPROXIMATE.exec(after);
    if (approximate) {
      segmentStart = skipSeparator(text, numberEnd + approximate[0].length, to);
      i = segmentStart;
      continue;
    }
    if ((unit === null && !colon) || !endsClause(text.slice(itemEnd, to))) {
      i = numberEnd;
      continue;
    }
    const printed = labelOf(text.slice(segmentStart, i));
    if (printed) {
      if (printed.marker === '其中') partsMarker = '其中';
      else if (printed.marker !== null || printed.heading) partsMarker = null;
      items.push({
        label: printed.label,
        marker: printed.marker ?? partsMarker,
        labelSpan: lineSpan(line, segmentStart, i),
        valueSpan: lineSpan(line, i, numberEnd),
        digits,
        unit: unit ? unit[1] : null,
        colon,
      });
    }
    segmentStart = skipSeparator(text, itemEnd, to);
    i = segmentStart;
  }
  return items;
}

/** A numbered item's marker (`1.当面申请`), not a figure: digits then 、 or . before label words. */
function isNumberedMarker(text: string, index: number): boolean {
  return /^\d{1,2}[.、](?!\d)\s*\p{Script=Han}/u.test(text.slice(index));
}

/** Whether an item's figure ends its clause: punctuation, an outline marker, or the next item follows. */
function endsClause(rest: string): boolean {
  const next = rest.trimStart();
  return next === '' || CLAUSE_END.test(next[0]) || MARKER_AHEAD.test(next) || ITEM_AHEAD.test(next) || COLON_LABEL_AHEAD.test(next);
}

/** After an item, the 、 or space that separates it from the next belongs to neither. */
function skipSeparator(text: string, index: number, to: number): number {
  let at = index;
  while (at < to && /[\s、]/.test(text[at])) at++;
  return at;
}

interface ItemLabel {
  label: string;
  marker: string | null;
  /** Whether a section heading was cut off before the label. */
  heading: boolean;
}

/** The label of the words before a figure, or null where they are no label (see the module comment). */
function labelOf(printed: string): ItemLabel | null {
  let rest = printed.replace(/\s+/g, '').replace(/:$/, '');
  // Of labels glued one after another, or a heading before the label, the last one is the figure's.
  const lastMarker = lastMarkerAt(rest);
  let heading = false;
  if (lastMarker > 0) {
    rest = rest.slice(lastMarker);
    heading = true;
  }
  // `其中：当面申请：` or `二、依申请公开情况：受理申请`: the words before the last colon lead in,
  // as a marker or as a heading.
  const parts = rest.split(':').filter((part) => part !== '');
  let { label, marker } = splitLegacyLabel(parts[parts.length - 1] ?? '');
  if (parts.length > 1) {
    const lead = splitLegacyLabel(parts.slice(0, -1).join(''));
    if (lead.label === '') marker ??= lead.marker;
    else heading = true;
  }
  const glued = HEADING_END.exec(label);
  if (glued && marker !== null && marker !== '其中') {
    label = label.slice(glued[1].length);
    marker = null;
    heading = true;
  }
  for (let before = ''; before !== label; ) {
    before = label;
    label = label.replace(LEADING_FILLER, '').replace(TRAILING_FILLER, '');
    const inner = splitLegacyLabel(label);
    if (inner.marker !== null) ({ label, marker } = inner);
  }
  const han = label.match(/\p{Script=Han}/gu)?.length ?? 0;
  if (han < MIN_LABEL_HAN || label.length > MAX_LABEL_LENGTH) return null;
  return { label, marker, heading };
}

/** Where the last outline marker that follows label words starts, or 0. */
function lastMarkerAt(text: string): number {
  let last = 0;
  for (let i = 1; i < text.length; i++) {
    if (!MARKER_AHEAD.test(text.slice(i))) continue;
    // Numerals inside words (第一, 十一) and digits of a number are no marker.
    if (/[一二三四五六七八九十\d第]/.test(text[i - 1])) continue;
    if (splitLegacyLabel(text.slice(last, i)).label !== '') last = i;
    i += MARKER_AHEAD.exec(text.slice(i))![0].length - 1;
  }
  return last;
}
