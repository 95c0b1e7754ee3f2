/**
 * Lines to cells. Cells are separated by tabs (HTML/DOCX tables), by `|` (each `|` closes a cell), or,
 * in PDF text, by single spaces — there every word is its own cell and labels are re-joined later.
 */
import { isOcrPage, lineSpan, type DocLine, type Span } from './document';

/**
 * What a cell holds. `garbled` is a number OCR misread into something that is not a clean number
 * ('1O', '8,3', 'l'): it stands in its row as a value, is recorded as null with its text kept, and
 * may be inferred from the table's arithmetic (see ocr-confidence.ts).
 */
export type CellValue =
  | { kind: 'number'; value: number; unit: string | null }
  | { kind: 'blank' }
  | { kind: 'placeholder' }
  | { kind: 'garbled' };

export interface Cell {
  span: Span;
  /** null for text. */
  value: CellValue | null;
}

/** Units printed beside counts and amounts; longer units first, so 人次 is not read as 人. */
export const UNITS = ['万元', '亿元', '元', '人次', '件', '条', '次', '个', '人', '项', '篇', '份', '期', '家', '天', '%'];
const NUMBER_CELL = new RegExp(`^([+-]?\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?|[+-]?\\d+(?:\\.\\d+)?)\\s*(${UNITS.join('|')})?$`);
/** Placeholders for "not applicable" or "nothing to report": kept as printed, never read as 0. */
const PLACEHOLDER = /^(?:[/\\]|[-—–―]+)$/;

/**
 * An OCR table cell made only of digits, the letters OCR takes digits for, and stray separators:
 * a misread number, never a label (labels are Han).
 */
const GARBLED_NUMBER = /^(?=.*[0-9oOlI|])[0-9oOlI|SBZDQU.,，、'`\s]+$/;

export function isPlaceholder(text: string): boolean {
  return PLACEHOLDER.test(text.trim());
}

function readCellValue(text: string, ocrTableCell: boolean): CellValue | null {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'blank' };
  if (PLACEHOLDER.test(trimmed)) return { kind: 'placeholder' };
  const number = NUMBER_CELL.exec(trimmed);
  if (!number) return ocrTableCell && GARBLED_NUMBER.test(trimmed) ? { kind: 'garbled' } : null;
  return { kind: 'number', value: Number(number[1].replace(/,/g, '')), unit: number[2] ?? null };
}

/** Splits a line into cells by the separator it uses. */
export function lineCells(line: DocLine): Cell[] {
  const bounds = line.text.includes('\t')
    ? separatedBounds(line.text, '\t', false)
    : line.text.includes('|')
      ? separatedBounds(line.text, '|', true)
      : wordBounds(line.text);
  // OCR writes table rows, and only those, as tab-separated cells.
  const ocrTableCell = isOcrPage(line.page) && line.text.includes('\t');
  return bounds
    .flatMap(([from, to]) => splitGluedNumber(lineSpan(line, from, to)))
    .map((span) => ({ span, value: readCellValue(span.text, ocrTableCell) }));
}

/** Cell bounds between separators; with `closing`, a separator ends a cell, so a blank remainder is no cell. */
function separatedBounds(text: string, separator: string, closing: boolean): Array<[number, number]> {
  const bounds: Array<[number, number]> = [];
  let from = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && text[i] !== separator) continue;
    const isRemainder = i === text.length;
    if (!(isRemainder && closing && text.slice(from).trim() === '')) bounds.push([from, i]);
    from = i + 1;
  }
  return bounds;
}

/** A label with its numbers glued on ("…申请数量15130000154", a flattened row) is a label and a number. */
const GLUED_NUMBER = /^(.*[\p{Script=Han})”"])(\d+(?:\.\d+)?)$/u;

function splitGluedNumber(span: Span): Span[] {
  const glued = GLUED_NUMBER.exec(span.text);
  if (!glued) return [span];
  const cut = span.start + glued[1].length;
  return [
    { ...span, end: cut, text: glued[1] },
    { ...span, start: cut, text: glued[2] },
  ];
}

function wordBounds(text: string): Array<[number, number]> {
  return Array.from(text.matchAll(/\S+/g), (match) => [match.index, match.index + match[0].length] as [number, number]);
}
