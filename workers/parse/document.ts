/**
 * The normalized document as one sequence of lines across pages, and the way from a span of
 * normalized text back to its provenance in the extracted text.
 */
import type { NormalizedDocument, NormalizedPage, OcrCellBox, Provenance } from '../../shared/record';
import { sourceOffset } from '../normalize/core';

export interface DocLine {
  page: NormalizedPage;
  /** 0-based line number within the page's normalized text. */
  lineInPage: number;
  /** Normalized offset of the line's first character within its page. */
  start: number;
  text: string;
}

/** A piece of normalized text: a cell, a label, a number. */
export interface Span {
  line: DocLine;
  /** Offsets within the line's page (normalized). */
  start: number;
  end: number;
  text: string;
}

export function documentLines(doc: NormalizedDocument): DocLine[] {
  const lines: DocLine[] = [];
  for (const page of doc.pages) {
    let start = 0;
    page.text.split('\n').forEach((text, lineInPage) => {
      lines.push({ page, lineInPage, start, text });
      start += text.length + 1;
    });
  }
  return lines;
}

/** A span of a line, with surrounding whitespace trimmed off. */
export function lineSpan(line: DocLine, from: number, to: number): Span {
  let start = from;
  let end = to;
  while (start < end && /\s/.test(line.text[start])) start++;
  while (end > start && /\s/.test(line.text[end - 1])) end--;
  return { line, start: line.start + start, end: line.start + end, text: line.text.slice(start, end) };
}

/**
 * Where a span sits in the extracted text: page, source line, character offsets, DOM path, and on
 * an OCR page the box and confidence of the tab cell it was read from.
 */
export function provenanceOf(span: Span): Provenance {
  const page = span.line.page;
  const start = sourceOffset(page, span.start);
  const end = span.end > span.start ? sourceOffset(page, span.end - 1) + 1 : start;
  const line = sourceLineAt(page, start);
  const domPath = page.lineOrigins?.[line];
  const box = ocrBoxAt(page, line, start);
  return {
    page: page.number,
    line,
    start,
    end,
    ...(domPath !== undefined ? { domPath } : {}),
    ...(box ? { bbox: box.bbox, confidence: box.confidence } : {}),
  };
}

/** Whether the page was read by OCR (its text then carries per-cell geometry and confidence). */
export function isOcrPage(page: NormalizedPage): boolean {
  return page.ocr !== undefined;
}

const ocrBoxIndex = new WeakMap<NormalizedPage, Map<string, OcrCellBox>>();

/**
 * The OCR box of the tab cell holding a source offset: OCR writes one tab-separated cell per box, so
 * the cell index is the count of tabs between the line's start and the offset.
 */
function ocrBoxAt(page: NormalizedPage, line: number, offset: number): OcrCellBox | undefined {
  if (!page.ocr) return undefined;
  let index = ocrBoxIndex.get(page);
  if (!index) {
    index = new Map(page.ocr.boxes.map((box) => [`${box.line}:${box.cell}`, box]));
    ocrBoxIndex.set(page, index);
  }
  const lineStart = lineStartsOf(page)[line] ?? 0;
  let cell = 0;
  for (let i = lineStart; i < offset; i++) if (page.sourceText[i] === '\t') cell++;
  return index.get(`${line}:${cell}`);
}

const sourceLineStarts = new WeakMap<NormalizedPage, number[]>();

/** Source offsets where each line of the extracted text starts. */
function lineStartsOf(page: NormalizedPage): number[] {
  let starts = sourceLineStarts.get(page);
  if (!starts) {
    starts = [0];
    const text = page.sourceText;
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '\n' || (text[i] === '\r' && text[i + 1] !== '\n')) starts.push(i + 1);
    }
    sourceLineStarts.set(page, starts);
  }
  return starts;
}

/** 0-based line of a source offset; \r\n, \r and \n each end a line, as normalize treats them. */
function sourceLineAt(page: NormalizedPage, offset: number): number {
  const starts = lineStartsOf(page);
  let line = 0;
  while (line + 1 < starts.length && starts[line + 1] <= offset) line++;
  return line;
}
