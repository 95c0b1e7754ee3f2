/**
 * Lines to cells. Cells are separated by tabs (HTML/DOCX tables), by `|` (each `|` closes a cell), or,
 * in PDF text, by single spaces — there every word is its own cell and labels are re-joined later.
 */
import { canonicalDecimal, nearestNumber } from '../../shared/decimal';
import { UNREADABLE_CELL } from '../../shared/record';
import { isOcrPage, lineSpan, type DocLine, type Span } from './document';

/**
 * What a cell holds. `garbled` is a number OCR misread into something that is not a clean number
 * ('1O', '8,3', 'l'): it stands in its row as a value, is recorded as null with its text kept, and
 * may be inferred from the table's arithmetic (see ocr-confidence.ts). `malformed` is a number printed
 * in a form the report's forms do not use (1.5e3, 1,23,4): it too stands in its row with its text
 * kept, and gets NUMBER_FORMAT. A number's `exact` is its decimal as printed; `value` is the nearest
 * double, or null beyond any double.
 */
export type CellValue =
  | { kind: 'number'; value: number | null; exact: string; unit: string | null }
  | { kind: 'blank' }
  | { kind: 'placeholder' }
  | { kind: 'garbled' }
  | { kind: 'malformed'; form: MalformedForm };

export type MalformedForm = 'exponent' | 'separators';

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

const UNIT_SUFFIX = `\\s*(?:${UNITS.join('|')})?$`;
/** Scientific notation (1.5e3, 2E+04), which no form prints. */
const EXPONENT_NUMBER = new RegExp(`^[+-]?\\d+(?:\\.\\d+)?[eE][+-]?\\d+${UNIT_SUFFIX}`);
/** Digits grouped by commas other than in threes (1,23,456, 12,34): a number, but not one a count is printed as. */
const MISGROUPED_NUMBER = new RegExp(`^[+-]?\\d+(?:,\\d+)+(?:\\.\\d+)?${UNIT_SUFFIX}`);

/** Whether the text is a number printed in a form no report uses, and which. */
export function malformedNumberForm(text: string): MalformedForm | null {
  const trimmed = text.trim();
  if (EXPONENT_NUMBER.test(trimmed)) return 'exponent';
  return MISGROUPED_NUMBER.test(trimmed) && !NUMBER_CELL.test(trimmed) ? 'separators' : null;
}

/** A number cell from its printed digits (commas and sign allowed), kept exactly. */
export function numberValue(digits: string, unit: string | null): CellValue & { kind: 'number' } {
  const exact = canonicalDecimal(digits);
  if (exact === null) throw new RangeError(`not a plain number: ${digits}`);
  return { kind: 'number', value: nearestNumber(exact), exact, unit };
}

/** Whether an OCR cell's text reads as a misread number (see GARBLED_NUMBER). */
export function isGarbledNumber(text: string): boolean {
  return GARBLED_NUMBER.test(text.trim());
}

export function isPlaceholder(text: string): boolean {
  return PLACEHOLDER.test(text.trim());
}

function readCellValue(text: string, ocrTableCell: boolean): CellValue | null {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'blank' };
  if (PLACEHOLDER.test(trimmed)) return { kind: 'placeholder' };
  const number = NUMBER_CELL.exec(trimmed);
  if (number) return numberValue(number[1], number[2] ?? null);
  // An OCR misreading explains a stray separator better than the report's printing does.
  if (ocrTableCell && (GARBLED_NUMBER.test(trimmed) || trimmed === UNREADABLE_CELL)) return { kind: 'garbled' };
  const form = malformedNumberForm(trimmed);
  return form === null ? null : { kind: 'malformed', form };
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
