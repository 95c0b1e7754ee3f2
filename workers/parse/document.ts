/**
 * The normalized document as one sequence of lines across pages, and the way from a span of
 * normalized text back to its provenance in the extracted text.
 */
import type { NormalizedDocument, NormalizedPage, OcrCellBox, Provenance } from '../../shared/record';
import { sourceOffset } from '../normalize/core';
import { crawlHeaderLength } from './crawl-header';
import { reflowPage } from './segment';

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

/**
 * Sources whose line breaks are layout that parse needs: a scanned image's lines are OCR's rows.
 * Every other source is reflowed (segment.ts), so its breaks do not matter: text, HTML and Word break
 * anywhere, and a PDF's or OFD's prose wraps at the page edge while their tables arrive as whole
 * tab-separated rows from the geometry reader, which reflowing leaves alone.
 */
const LAID_OUT = /^image\//;

export function hasLayoutLineBreaks(mediaType: string): boolean {
  return LAID_OUT.test(mediaType);
}

export interface DocumentLines {
  /** A crawler's `key: value` header (crawl-header.ts): metadata, not report text. */
  header: DocLine[];
  body: DocLine[];
}

export function documentLines(doc: NormalizedDocument, mediaType: string): DocumentLines {
  const reflow = !hasLayoutLineBreaks(mediaType);
  const lines = splitLines(doc.pages.map((page) => (reflow && !isOcrPage(page) ? reflowPage(page) : page)));
  const firstPage = lines.filter((line) => line.page.number === doc.pages[0]?.number).map((line) => line.text);
  const headerLength = crawlHeaderLength(firstPage);
  return { header: lines.slice(0, headerLength), body: lines.slice(headerLength) };
}

/** The report's text as parse reads it (reflowed, without a crawler's header), for checks on the body as a whole. */
export function readingText(doc: NormalizedDocument, mediaType: string): string {
  return documentLines(doc, mediaType)
    .body.map((line) => line.text)
    .join('\n');
}

function splitLines(pages: NormalizedPage[]): DocLine[] {
  const lines: DocLine[] = [];
  for (const page of pages) {
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
