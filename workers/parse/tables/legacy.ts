/**
 * The pre-2019 indicator list (统计指标 | 单位 | 统计数): every indicator as printed, blank values kept
 * blank. It is never mapped onto table 三.
 */
import type { ExtractedCell, LegacyIndicator } from '../../../shared/record';
import { lineCells, UNITS, type Cell } from '../cells';
import { lineSpan, type DocLine, type Span } from '../document';
import { extractCell } from '../table-read';

export interface LegacyRead {
  indicators: LegacyIndicator[];
  cells: ExtractedCell[];
}

/**
 * Outline markers before a label, as NFKC leaves them: 一、 (一) 1. 1、 其中: — the last one printed
 * is the line's own level (a "三、(一)" line sits at the (一) level).
 */
const OUTLINE_MARKER = /^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十]+\)|\d{1,2}[.、](?!\d)|其中:?)/;

interface PrintedLabel {
  label: string;
  marker: string | null;
}

/**
 * "(一)主动公开政府信息数(不同渠道…计1条)" → marker "(一)", label "主动公开政府信息数"; "其中:…" →
 * marker "其中". Markers are kept in one form ('一、', '(一)', '1.', '其中') so validate can compare levels.
 */
function splitLegacyLabel(printed: string): PrintedLabel {
  let rest = printed.replace(/\s+/g, '');
  let marker: string | null = null;
  for (let found = OUTLINE_MARKER.exec(rest); found; found = OUTLINE_MARKER.exec(rest)) {
    marker = normalizeMarker(found[0]);
    rest = rest.slice(found[0].length);
  }
  return { marker, label: rest.replace(/\([^()]*\)/g, '').replace(/:/g, '') };
}

function normalizeMarker(printed: string): string {
  if (printed.startsWith('其中')) return '其中';
  if (printed.startsWith('(')) return printed;
  const numeral = printed.slice(0, -1);
  return /\d/.test(numeral) ? `${numeral}.` : `${numeral}、`;
}

/** The list's column headers as the form prints them. */
export const LEGACY_COLUMN_LABELS = ['统计指标', '单位', '统计数'] as const;

function isLegacyHeader(line: DocLine): boolean {
  const compact = line.text.replace(/\s+/g, '');
  return compact.includes(LEGACY_COLUMN_LABELS[0]) && compact.includes(LEGACY_COLUMN_LABELS[1]);
}

/**
 * Headings inside the list ("一、主动公开情况 | ||": a marker, no unit, no value) are kept as
 * indicators without unit and value, and without a cell: they hold no number, but they close the
 * outline level above them, so validate does not take the items under a heading for parts of the
 * indicator before it.
 */
export function readLegacyList(lines: DocLine[]): LegacyRead | null {
  const headerIndex = lines.findIndex(isLegacyHeader);
  if (headerIndex < 0) return null;
  const read: LegacyRead = { indicators: [], cells: [] };
  const seen = new Map<string, number>();
  const keyFor = (label: string): string => {
    const count = (seen.get(label) ?? 0) + 1;
    seen.set(label, count);
    return count === 1 ? label : `${label}#${count}`;
  };
  for (const line of lines.slice(headerIndex + 1)) {
    if (line.text.trim() === '') continue;
    const row = indicatorRow(line);
    if (row === null) break;
    const { label, marker } = splitLegacyLabel(row.label.text);
    const isHeading = row.unit === null && row.value === null;
    if (isHeading && marker === null) break;
    const key = keyFor(label);
    if (isHeading) {
      read.indicators.push({ key, label, marker, unit: null, value: null, raw: '' });
      continue;
    }
    const cell = extractCell({ table: 'legacy', rowKey: key, columnKey: 'value', cell: row.value, at: row.label, defaultUnit: row.unit });
    read.indicators.push({ key, label, marker, unit: row.unit, value: cell.value, raw: cell.raw });
    read.cells.push(cell);
  }
  return read.cells.length ? read : null;
}

interface IndicatorRow {
  label: Span;
  unit: string | null;
  value: Cell | null;
}

/** The row's label, unit and value cell, or null where the line is no row of the list. */
function indicatorRow(line: DocLine): IndicatorRow | null {
  const cells = lineCells(line);
  if (cells.length === 0 || cells[0].value !== null) return null;
  return /[\t|]/.test(line.text) ? positionalRow(cells) : wordRow(line, cells);
}

/** `label | unit | value |` */
function positionalRow([label, unitCell, valueCell]: Cell[]): IndicatorRow {
  const unit = unitCell?.span.text || null;
  const hasContent = unit !== null || Boolean(valueCell?.span.text);
  return { label: label.span, unit, value: hasContent ? (valueCell ?? null) : null };
}

const isUnit = (cell: Cell) => cell.value === null && UNITS.includes(cell.span.text);

/** `label unit value` in PDF text: the label is every word before the unit or value; the unit may be glued to it. */
function wordRow(line: DocLine, cells: Cell[]): IndicatorRow {
  const labelEnd = cells.findIndex((cell) => cell.value !== null || isUnit(cell));
  const labelCells = labelEnd < 0 ? cells : cells.slice(0, labelEnd);
  const rest = cells.slice(labelCells.length);
  const value = rest.find((cell) => cell.value !== null) ?? null;
  const label = lineSpan(line, labelCells[0].span.start - line.start, labelCells[labelCells.length - 1].span.end - line.start);
  const unitCell = rest.find(isUnit);
  if (unitCell) return { label, unit: unitCell.span.text, value };
  // Spaces between Chinese words are gone after normalize, so a unit may end the label; one-character
  // units only after 数 (…文件数条), so that a label like …文件 keeps its 件.
  const glued = UNITS.find((unit) => label.text.endsWith(unit) && (unit.length > 1 || label.text.endsWith(`数${unit}`)));
  if (!glued || !value) return { label, unit: null, value };
  return { label: { ...label, end: label.end - glued.length, text: label.text.slice(0, -glued.length) }, unit: glued, value };
}
