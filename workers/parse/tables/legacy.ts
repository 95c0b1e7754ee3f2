/**
 * The pre-2019 统计表: a vertical indicator list, in the shapes real reports print it
 * (统计指标 | 单位 | 统计数; 指标名称 | 计量单位 | 本年度 | 历年累计; 指标 | 数量 | 单位 …) and from any
 * layout: tab or `|` separated cells, PDF text lines whose cells are words, and text whose line
 * breaks, even its cell separators, were lost, the whole list on one line. Every indicator as printed,
 * blank values kept blank, each beside the cross-template indicator its label names. It is never
 * mapped onto table 三.
 */
import { legacyCellKey, type ExtractedCell, type Finding, type LegacyColumn, type LegacyIndicator } from '../../../shared/record';
import { LEGACY_COLUMN_HEADERS as COLUMN_HEADERS, LEGACY_LABEL_HEADERS as LABEL_HEADERS, type LegacyColumnRole as ColumnRole } from '../../../shared/template/legacy';
import { lineCells, numberValue, UNITS, type Cell } from '../cells';
import { lineSpan, type DocLine, type Span } from '../document';
import { ambiguity, extractCell } from '../table-read';
import { readLegacyItems } from './legacy-items';
import { OUTLINE_MARKER, splitLegacyLabel, withIndicators } from './legacy-label';

export interface LegacyRead {
  indicators: LegacyIndicator[];
  cells: ExtractedCell[];
  findings: Finding[];
}

// ---------------------------------------------------------------------------------------------
// The header: which columns follow the label, by their names.

/** The count column a two-row header splits into 本年度 and 历年累计 (统计数 over 本年度 | 历年累计). */
const SPLIT_COUNT_HEADERS = new Set(['统计数', '数量', '数值']);
const COLUMN_NAMES = `(?:${COLUMN_HEADERS.map(([name]) => name).join('|')})`;
const HEADER = new RegExp(`(?:${LABEL_HEADERS.join('|')})(${COLUMN_NAMES}+)`);
const HEADER_CONTINUATION = new RegExp(`^${COLUMN_NAMES}+$`);

interface ListHeader {
  lineIndex: number;
  /** Where the rows start in the header line (the rest of a line that holds the whole list). */
  bodyOffset: number;
  roles: ColumnRole[];
}

/** Whitespace and `|` removed, with each kept character's offset in the text. */
function compactWithOffsets(text: string): { compact: string; offsets: number[] } {
  let compact = '';
  const offsets: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (/[\s|]/.test(text[i])) continue;
    compact += text[i];
    offsets.push(i);
  }
  return { compact, offsets };
}

function columnNames(joined: string): string[] {
  const names: string[] = [];
  let rest = joined;
  while (rest) {
    const name = COLUMN_HEADERS.find(([candidate]) => rest.startsWith(candidate))![0];
    names.push(name);
    rest = rest.slice(name.length);
  }
  return names;
}

const roleOf = (name: string): ColumnRole => COLUMN_HEADERS.find(([candidate]) => candidate === name)![1];

function rolesOf(names: string[]): ColumnRole[] {
  const namesThisYear = names.some((name) => roleOf(name) === 'value' && !SPLIT_COUNT_HEADERS.has(name));
  return names.filter((name) => !(namesThisYear && SPLIT_COUNT_HEADERS.has(name))).map(roleOf);
}

/** Every place that reads as the list's header, in document order (prose may name 指标 and 数量 too). */
function* listHeaders(lines: DocLine[]): Generator<ListHeader> {
  for (let lineIndex = 0; lineIndex < lines.length; lineIndex++) {
    const { compact, offsets } = compactWithOffsets(lines[lineIndex].text);
    for (const found of compact.matchAll(new RegExp(HEADER, 'g'))) {
      const header = headerAt(lines, lineIndex, found, compact, offsets);
      if (header) yield header;
    }
  }
}

function headerAt(lines: DocLine[], lineIndex: number, found: RegExpMatchArray, compact: string, offsets: number[]): ListHeader | null {
  const names = columnNames(found[1]);
  if (!rolesOf(names).some((role) => role !== 'unit')) return null;
  const end = found.index! + found[0].length;
  // A two-row header (统计数 over 本年度 | 历年累计) prints its second row on the next line.
  const next = lines.slice(lineIndex + 1).find((line) => line.text.trim() !== '');
  const nextCompact = next ? compactWithOffsets(next.text).compact : '';
  if (next && end === compact.length && HEADER_CONTINUATION.test(nextCompact)) {
    return { lineIndex: lines.indexOf(next), bodyOffset: next.text.length, roles: rolesOf([...names, ...columnNames(nextCompact)]) };
  }
  return { lineIndex, bodyOffset: offsets[end - 1] + 1, roles: rolesOf(names) };
}

// ---------------------------------------------------------------------------------------------
// Pieces: labels, values and blanks, cut where lost line breaks glued one row to the next.

interface Piece {
  kind: 'text' | 'value' | 'blank';
  /** For values and blanks, the cell to record. */
  cell: Cell;
}

const CHINESE_MARKER_AHEAD = /^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|其中:)/;
const NUMERALS = /[一二三四五六七八九十]/;

interface ScanState {
  /** The numbered item (1. 2. …) last seen, so digits glued to the next item ("3001.当面申请数") can be cut. */
  lastNumbered: number;
  /** Open brackets: digits inside them belong to the label ("(…计1条)"), also where a label wraps. */
  depth: number;
}

function textPiece(line: DocLine, from: number, to: number): Piece {
  return { kind: 'text', cell: { span: lineSpan(line, from, to), value: null } };
}

/**
 * A cell's pieces. A clean cell is one piece; text cells are cut before an outline marker inside
 * them ("…情况(一)主动…", "条二、回应…") and around numbers outside brackets ("条39其中:…").
 */
function cellPieces(cell: Cell, state: ScanState): Piece[] {
  if (cell.value !== null) return [{ kind: cell.value.kind === 'blank' ? 'blank' : 'value', cell }];
  const line = cell.span.line;
  const base = cell.span.start - line.start;
  const text = cell.span.text;
  const pieces: Piece[] = [];
  let runStart = 0;
  const cutAt = (at: number) => {
    if (text.slice(runStart, at).trim() !== '') pieces.push(textPiece(line, base + runStart, base + at));
    runStart = at;
  };
  // A marker starts a new label only after label words: "三、(一)收到申请数" is one label.
  const cutBeforeMarker = (at: number) => {
    if (splitLegacyLabel(text.slice(runStart, at)).label !== '') cutAt(at);
  };
  for (let i = 0; i < text.length; ) {
    const rest = text.slice(i);
    const chineseMarker = state.depth === 0 ? CHINESE_MARKER_AHEAD.exec(rest) : null;
    if (chineseMarker && !(i > 0 && NUMERALS.test(text[i - 1]))) {
      if (!rest.startsWith('其中')) state.lastNumbered = 0;
      cutBeforeMarker(i);
      i += chineseMarker[0].length;
      continue;
    }
    if (state.depth === 0 && /\d/.test(text[i])) {
      const digits = /^\d+(?:\.\d+)?/.exec(rest)![0];
      const numberedItem = /^\d+[.、](?![\d.])/.test(rest) && !digits.includes('.');
      if (numberedItem) {
        const markerDigits = numberedItemDigits(digits, state);
        if (markerDigits.length < digits.length) cutAt(i);
        else cutBeforeMarker(i);
        if (markerDigits.length < digits.length) {
          const numberEnd = i + digits.length - markerDigits.length;
          pieces.push(valuePiece(line, base + i, base + numberEnd));
          runStart = numberEnd;
        }
        state.lastNumbered = Number(markerDigits);
        i += digits.length + 1;
        continue;
      }
      // A date glued after the list's last number ("…人 42017年3月20日") is no part of it.
      const gluedYear = digits.length > 4 && /(?:19|20)\d\d$/.test(digits) && rest[digits.length] === '年' && /\d$/.test(digits.slice(0, -4)) ? 4 : 0;
      const numberLength = digits.length - gluedYear;
      cutAt(i);
      pieces.push(valuePiece(line, base + i, base + i + numberLength));
      i += numberLength;
      runStart = i;
      if (gluedYear) i += gluedYear;
      continue;
    }
    if (text[i] === '(') state.depth++;
    else if (text[i] === ')') state.depth = Math.max(0, state.depth - 1);
    i++;
  }
  cutAt(text.length);
  return pieces;
}

/**
 * The digits of a numbered-item marker. Where the previous row's number is glued before it ("件 7"
 * then "1.当面…" read as "71.当面…"), the marker is the next item's number the digits end with.
 */
function numberedItemDigits(digits: string, state: ScanState): string {
  const expected = String(state.lastNumbered + 1);
  if (digits === expected) return digits;
  if (digits.length > expected.length && digits.endsWith(expected)) return expected;
  return digits.length <= 2 ? digits : digits.slice(-1);
}

function valuePiece(line: DocLine, from: number, to: number): Piece {
  const span = lineSpan(line, from, to);
  return { kind: 'value', cell: { span, value: numberValue(span.text, null) } };
}

function linePieces(line: DocLine, state: ScanState): Piece[] {
  return lineCells(line).flatMap((cell) => cellPieces(cell, state));
}

// ---------------------------------------------------------------------------------------------
// Rows.

type ValueRole = Exclude<ColumnRole, 'unit'>;

interface RowDraft {
  /** Whether the row's cells are tab or `|` separated, so their positions say their columns. */
  separated: boolean;
  labelParts: Span[];
  unit: Span | null;
  /** Separated rows: the cell in each column after the label, by position. */
  slots: Array<Piece | undefined>;
  /** Word rows: the values in the order printed (blank cells are not printed there). */
  values: Piece[];
  position: number;
}

/** A page number between two rows of a list printed over a page break ("-3-", "第 3 页"). */
const PAGE_NUMBER = /^\s*(?:[-—–]\s*\d{1,3}\s*[-—–]|第\s*\d{1,3}\s*页(?:\s*共\s*\d{1,3}\s*页)?)\s*$/;

/** A unit cell: a known unit, or a short word that is no label (户, 宗, 人/次). */
function isUnitText(text: string): boolean {
  return UNITS.includes(text) || (text.length <= 3 && /^[\p{Script=Han}/]+$/u.test(text) && !OUTLINE_MARKER.test(text));
}

function labelText(row: RowDraft): string {
  return row.labelParts.map((part) => part.text).join('');
}

/** Whether the row's label has words beyond its outline markers. */
function hasLabelWords(row: RowDraft): boolean {
  return splitLegacyLabel(labelText(row)).label !== '';
}

/** Prose, not a label: a sentence's commas or full stops outside brackets. */
function isProse(text: string): boolean {
  return /[,。;]/.test(text.replace(/\([^()]*\)/g, ''));
}

/**
 * The list under the first 统计表 header that has rows; a report without one may print its figures
 * as `label：N条` lines and list sentences instead (legacy-items.ts). Each row's indicator is looked
 * up once the list is read, since an outcome row's indicator depends on the row above it.
 */
export function readLegacyList(lines: DocLine[]): LegacyRead | null {
  for (const header of [...listHeaders(lines), ...headerlessList(lines)]) {
    const read = readRows(lines, header);
    if (read.cells.length > 0) return { ...read, indicators: withIndicators(read.indicators) };
  }
  const items = readLegacyItems(lines);
  return items && { ...items, indicators: withIndicators(items.indicators) };
}

/** A `label | unit | value` row: the first row of a list printed without its header row. */
const HEADERLESS_ROW = new RegExp(`^[^\\t|]*\\p{Script=Han}{2}[^\\t|]*[\\t|]\\s*(?:${UNITS.join('|')})\\s*[\\t|]\\s*(?:\\d+(?:\\.\\d+)?)?\\s*\\|?\\s*$`, 'u');

/** A list with no header: its rows read as label, unit and this year's value from its first row on. */
function headerlessList(lines: DocLine[]): ListHeader[] {
  const first = lines.findIndex((line) => HEADERLESS_ROW.test(line.text));
  return first < 0 ? [] : [{ lineIndex: first, bodyOffset: 0, roles: ['unit', 'value'] }];
}

/** The rows under a header, up to the first line that is no row of the list. */
function readRows(lines: DocLine[], header: ListHeader): LegacyRead {
  const { roles } = header;
  const unitIndex = roles.indexOf('unit');
  const valueRoles = roles.filter((role): role is ValueRole => role !== 'unit');
  const read: LegacyRead = { indicators: [], cells: [], findings: [] };
  const seen = new Map<string, number>();
  const keyFor = (label: string): string => {
    const count = (seen.get(label) ?? 0) + 1;
    seen.set(label, count);
    return count === 1 ? label : `${label}#${count}`;
  };

  /** Records the row; false where it ends the list (a line that is no row of it). */
  const close = (row: RowDraft): boolean => {
    const printedLabel = labelText(row);
    if (isProse(printedLabel)) return false;
    let unit = row.unit?.text ?? null;
    let labelSpan = spanOver(row.labelParts);
    const valueCells = new Map<ValueRole, Piece | undefined>();
    if (row.separated) roles.forEach((role, index) => role !== 'unit' && valueCells.set(role, row.slots[index]));
    else valueRoles.forEach((role, index) => valueCells.set(role, row.values[index]));
    const printsValue = [...valueCells.values()].some((piece) => piece?.kind === 'value');
    if (unit === null && unitIndex >= 0) {
      const glued = gluedUnit(labelSpan.text, printsValue);
      if (glued) {
        unit = glued;
        labelSpan = { ...labelSpan, end: labelSpan.end - glued.length, text: labelSpan.text.slice(0, -glued.length) };
      }
    }
    const { label, marker } = splitLegacyLabel(labelSpan.text);
    const isHeading = unit === null && !printsValue;
    if (isHeading && marker === null) return false;
    if (label === '') return true;
    // "年", "月" of a closing date, a stray unit: an indicator is named in words.
    if ((label.match(/\p{Script=Han}/gu)?.length ?? 0) < 2) return false;
    const key = keyFor(label);
    if (isHeading) {
      read.indicators.push({ key, label, marker, indicator: null, unit: null, value: null, raw: '' });
      return true;
    }
    const cellOf = (column: LegacyColumn) => {
      const piece = valueCells.get(column);
      const cell = extractCell({ table: 'legacy', rowKey: key, columnKey: column, cell: piece?.cell ?? null, at: labelSpan, defaultUnit: unit });
      read.cells.push(cell);
      return cell;
    };
    const value = cellOf('value');
    const entry: LegacyIndicator = { key, label, marker, indicator: null, unit, value: value.value, raw: value.raw };
    if (valueCells.has('cumulative')) {
      const cumulative = cellOf('cumulative');
      entry.cumulative = cumulative.value;
      entry.cumulativeRaw = cumulative.raw;
      // Text without cell boundaries does not say which column a lone number stands in.
      if (!row.separated && row.values.length === 1) {
        read.findings.push(
          ambiguity(
            {
              zh: `统计表：“${printedLabel}”只印有一个数，而该表有本年度和历年累计两栏：按本年度读取`,
              en: `legacy: "${printedLabel}" prints one number where the list has 本年度 and 历年累计 columns; it is read as 本年度`,
            },
            [legacyCellKey(key), legacyCellKey(key, 'cumulative')],
          ),
        );
      }
    }
    read.indicators.push(entry);
    return true;
  };

  const state: ScanState = { lastNumbered: 0, depth: 0 };
  const headerLine = lines[header.lineIndex];
  const body = [
    { ...headerLine, start: headerLine.start + header.bodyOffset, text: headerLine.text.slice(header.bodyOffset) },
    ...lines.slice(header.lineIndex + 1),
  ];
  let row: RowDraft | null = null;
  for (const line of body) {
    if (line.text.trim() === '' || PAGE_NUMBER.test(line.text)) continue;
    const separated = /[\t|]/.test(line.text);
    for (const piece of linePieces(line, state)) {
      if (piece.kind === 'text') {
        if (row && takesText(row, piece.cell.span, unitIndex)) continue;
        if (row && !close(row)) return read;
        row = { separated, labelParts: [piece.cell.span], unit: null, slots: [], values: [], position: 0 };
        continue;
      }
      if (row === null) continue;
      if (!row.separated) {
        if (piece.kind === 'value') row.values.push(piece);
        continue;
      }
      // A row that leaves out its unit cell has its value where the unit would be.
      if (row.position === unitIndex && piece.kind === 'value') row.position++;
      if (row.position < roles.length) row.slots[row.position] = piece;
      row.position++;
    }
    // A label whose bracket is still open wraps onto the next line, its values with it; a marker
    // alone on its line (`(三)` over `其他情形数 | 件 |`) heads the row on the next.
    const printsNothing = row !== null && row.unit === null && row.values.length === 0 && row.position === 0;
    if (printsNothing && (state.depth > 0 || !hasLabelWords(row!))) continue;
    state.depth = 0;
    if (row && !close(row)) return read;
    row = null;
  }
  if (row) close(row);
  return read;
}

/** Whether a text piece belongs to the open row (its unit, or more words of its label) rather than starting the next. */
function takesText(row: RowDraft, span: Span, unitIndex: number): boolean {
  // A row that is only a marker so far takes its label from the next cell, wherever a break fell.
  if (!hasLabelWords(row) && row.position === 0 && row.values.length === 0 && row.unit === null) {
    row.labelParts.push(span);
    return true;
  }
  if (row.separated) {
    if (row.position !== unitIndex || !isUnitText(span.text)) return false;
    row.unit = span;
    row.position++;
    return true;
  }
  if (row.unit !== null || row.values.length > 0) return false;
  if (UNITS.includes(span.text)) {
    row.unit = span;
    return true;
  }
  if (OUTLINE_MARKER.test(span.text) && hasLabelWords(row)) return false;
  row.labelParts.push(span);
  return true;
}

/** One span from the first label part to the last, for provenance. */
function spanOver(parts: Span[]): Span {
  const text = parts.map((part) => part.text).join('');
  const first = parts[0];
  return { line: first.line, start: first.start, end: parts[parts.length - 1].end, text };
}

/**
 * A unit glued to the end of the label (spaces between Chinese words are gone after normalize, and
 * crawled text drops cell boundaries): units of two characters always; one-character units after
 * 数 or 数量 (…文件数条), or before a value, but never 件 after 文, so a label like …文件 keeps its 件.
 */
function gluedUnit(label: string, printsValue: boolean): string | null {
  return (
    UNITS.find(
      (unit) =>
        label.endsWith(unit) &&
        label.length > unit.length &&
        (unit.length > 1 || /[数量]$/.test(label.slice(0, -1)) || (printsValue && unit !== '%' && !label.endsWith(`文${unit}`))),
    ) ?? null
  );
}
