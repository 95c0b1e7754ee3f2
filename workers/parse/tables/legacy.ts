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

const LEADING_NUMBERING = /^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d{1,2}[.、](?!\d))+/;

/** "(一)主动公开政府信息数(不同渠道…计1条)" → "主动公开政府信息数"; "其中:…" → "其中…". */
function legacyLabel(printed: string): string {
  return printed
    .replace(/\s+/g, '')
    .replace(LEADING_NUMBERING, '')
    .replace(/\([^()]*\)/g, '')
    .replace(/[:：]/g, '');
}

function isLegacyHeader(line: DocLine): boolean {
  const compact = line.text.replace(/\s+/g, '');
  return compact.includes('统计指标') && compact.includes('单位');
}

export function readLegacyList(lines: DocLine[]): LegacyRead | null {
  const headerIndex = lines.findIndex(isLegacyHeader);
  if (headerIndex < 0) return null;
  const read: LegacyRead = { indicators: [], cells: [] };
  for (const line of lines.slice(headerIndex + 1)) {
    if (line.text.trim() === '') continue;
    const row = indicatorRow(line);
    if (row === 'category') continue;
    if (row === null) break;
    const label = legacyLabel(row.label.text);
    const cell = extractCell({ table: 'legacy', rowKey: label, columnKey: 'value', cell: row.value, at: row.label, defaultUnit: row.unit });
    read.indicators.push({ label, unit: row.unit, value: cell.value, raw: cell.raw });
    read.cells.push(cell);
  }
  return read.indicators.length ? read : null;
}

interface IndicatorRow {
  label: Span;
  unit: string | null;
  value: Cell | null;
}

/** An indicator, 'category' for a heading row without unit or value, or null where the list ends. */
function indicatorRow(line: DocLine): IndicatorRow | 'category' | null {
  const cells = lineCells(line);
  if (cells.length === 0 || cells[0].value !== null) return null;
  const separated = /[\t|]/.test(line.text);
  const row = separated ? positionalRow(cells) : wordRow(line, cells);
  if (row.unit || row.value) return row;
  return LEADING_NUMBERING.test(row.label.text) ? 'category' : null;
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
