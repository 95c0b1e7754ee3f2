/**
 * The canonical record of spec §3: what `parse` produces for one document, and the types the stages
 * hand each other. The JSON shape is a contract (`gongkai parse --json`), so change it only with
 * SCHEMA_VERSION.
 */
import type { PageBoxes } from './page-boxes';

export const SCHEMA_VERSION = 2;

export type TemplateId = '2021' | '2019' | 'pre2019';
export type Script = 'simplified' | 'traditional';
export type Severity = 'critical' | 'error' | 'warning';

export const RULES = {
  APPLICATIONS_BALANCE: 'error',
  APPLICATIONS_OUTCOMES_SUM: 'error',
  APPLICATIONS_ROW_TOTAL: 'error',
  REVIEW_LITIGATION_TOTAL: 'error',
  VALUE_DOMAIN: 'error',
  TABLE_MISSING: 'error',
  SECTION_MISSING: 'warning',
  NARRATIVE_MISMATCH: 'warning',
  YEAR_MISMATCH: 'warning',
  CARRY_OVER_MISMATCH: 'warning',
  STOCK_FLOW_MISMATCH: 'warning',
  LEGACY_SUBTOTAL: 'warning',
  CONTENT_TAMPERING: 'critical',
  LOW_CONFIDENCE_CELL: 'warning',
  TABLE_AMBIGUOUS: 'warning',
  ROW_COLLAPSED: 'warning',
  CELL_MISSING: 'warning',
  NUMBER_FORMAT: 'error',
  YEAR_OUT_OF_RANGE: 'error',
} as const satisfies Record<string, Severity>;
export type RuleId = keyof typeof RULES;

/** A table cell: a number, null for blank or placeholder cells, or a unit string beside an amount. */
export type TableNode = { [key: string]: number | string | null | TableNode };

export interface LegacyIndicator {
  /**
   * The indicator's key in cells and findings (`legacy.<key>`): the label, with '#2', '#3'… on
   * repeats, since lists repeat labels under different parents (被依法纠错数 under 复议 and 诉讼).
   */
  key: string;
  label: string;
  /**
   * The outline marker printed before the label ('一、', '(一)', '1.', '其中'), or null: it says
   * which indicators are parts of which, for LEGACY_SUBTOTAL.
   */
  marker: string | null;
  /** The cross-template indicator the label prints (shared/template/indicators.ts), or null. */
  indicator: string | null;
  unit: string | null;
  /** This year's figure (本年度 / 统计数). */
  value: number | null;
  /** The cell as printed ('' for blank, '/' or '-' for placeholders). */
  raw: string;
  /** Lists with a 历年累计 column only: the cumulative figure and its cell as printed. */
  cumulative?: number | null;
  cumulativeRaw?: string;
}

/** The columns of a legacy indicator's cells: `legacy.<key>` is its value, `legacy.<key>.cumulative` its cumulative figure. */
export type LegacyColumn = 'value' | 'cumulative';

export function legacyCellKey(key: string, column: LegacyColumn = 'value'): string {
  return column === 'value' ? `legacy.${key}` : `legacy.${key}.${column}`;
}

export interface ReportTables {
  active?: TableNode;
  applications?: TableNode;
  reviewLitigation?: TableNode;
  legacy?: LegacyIndicator[];
}

export type NarrativeKey = 'proactiveItems' | 'applicationsReceived' | 'reviewCases' | 'litigationCases';

/** A text in both languages of the pages: Chinese, the default, and English. */
export interface Bilingual {
  zh: string;
  en: string;
}

export interface Finding {
  rule: RuleId;
  severity: Severity;
  /** In Chinese, naming rows and columns by the template's official labels. */
  message: string;
  /** The same in English; absent from records stored before findings were written in both. */
  messageEn?: string;
  /** Dotted cell keys, e.g. `applications.denied.stateSecret.total`. */
  cells: string[];
}

export interface ReportMeta {
  agency: string | null;
  year: number | null;
  template: TemplateId | null;
  script: Script;
  publishedOn: string | null;
  /** Statistical period as ISO dates, when the report states one. */
  period: { from: string; to: string } | null;
  title: string | null;
}

export interface SourceInfo {
  sha256: string;
  fileName: string;
  mediaType: string;
  pages: number;
  ocrPages: number[];
}

export interface CanonicalRecord {
  schemaVersion: typeof SCHEMA_VERSION;
  source: SourceInfo;
  meta: ReportMeta;
  sections: { number: number; title: string; present: boolean }[];
  tables: ReportTables;
  narrative: Partial<Record<NarrativeKey, number | null>>;
  /** The sentence each narrative figure came from. */
  narrativeSources: Partial<Record<NarrativeKey, string>>;
  findings: Finding[];
  /**
   * The exact printed decimal of every number cell whose value in `tables` is not exactly it (a count
   * beyond 2^53, one beyond any double, kept as null there), by the key findings use
   * (`applications.newReceived.total`, `legacy.<key>`). Checks read it before the table's value.
   */
  exactValues?: Record<string, string>;
}

/** Where a value was read in the source, so a finding can point at it. */
export interface Provenance {
  page: number;
  /** 0-based line within the page's extracted text. */
  line?: number;
  /** Character offsets within the page's extracted (pre-normalization) text. */
  start?: number;
  end?: number;
  /** DOM position for HTML and DOCX sources. */
  domPath?: string;
  /** OCR sources: [x0, y0, x1, y1] in page pixels and the recogniser's confidence (0–100). */
  bbox?: [number, number, number, number];
  confidence?: number;
}

/** One extracted number, as stored in the `cells` table. */
export interface ExtractedCell {
  table: 'active' | 'applications' | 'reviewLitigation' | 'legacy';
  /** Row key within the table (dotted for nested rows: `denied.stateSecret`); the legacy list uses the label. */
  rowKey: string;
  columnKey: string;
  /** The nearest double, for arithmetic and display; null when blank, not a plain number, or beyond any double. */
  value: number | null;
  /**
   * The exact decimal of a number cell ("99999999999999999999", "12.50"), which publish stores in
   * cells.value; absent for cells that are not plain numbers and in records of pipeline versions before 4.
   */
  exact?: string;
  /** The text as printed, placeholders included. */
  raw: string;
  unit: string | null;
  provenance: Provenance;
}

/** Ingest's output: the document's text, page by page, before any normalization. */
export type TextSource = 'pdf-text' | 'ofd' | 'html' | 'docx' | 'doc' | 'plain' | 'ocr';

/** Where OCR read one tab-separated cell of one text line, and how sure it was. */
export interface OcrCellBox {
  /** 0-based line of the page text, and 0-based tab-separated cell within it. */
  line: number;
  cell: number;
  /** [x0, y0, x1, y1] in pixels of the page image as read (after rotation and deskew). */
  bbox: [number, number, number, number];
  /** 0–100. */
  confidence: number;
}

/** What OCR prints in a table cell that holds ink it could not read at all: parse reports the cell, never takes it for blank. */
export const UNREADABLE_CELL = '?';

/** What OCR did to a page, kept as provenance. */
export interface OcrPageInfo {
  /** Clockwise rotation applied before reading (0, 90, 180, 270). */
  rotation: number;
  skewDegrees: number;
  width: number;
  height: number;
  dpi: number | null;
  meanConfidence: number;
  boxes: OcrCellBox[];
}

export interface ExtractedPage {
  number: number;
  /**
   * The page text. OCR writes table rows as tab-separated cells, so parse reads a scan exactly like
   * a text layout.
   */
  text: string;
  source: TextSource;
  needsOcr: boolean;
  /** Why the page needs (or needed) OCR: 'no text layer', 'too little text', 'garbled text', … */
  ocrReason: string | null;
  /** For HTML and DOCX: the DOM path of each text line, index = line number. */
  lineOrigins?: string[];
  /** For OCR pages: the geometry and confidence behind the text. */
  ocr?: OcrPageInfo;
  /** For PDF and OFD text pages: where each line's characters were printed (shared/page-boxes.ts). */
  boxes?: PageBoxes;
  /** Why OCR of this page failed for good, until the document is re-driven. */
  ocrError?: string;
}

export interface ExtractedDocument {
  mediaType: string;
  pages: ExtractedPage[];
  /** Detected text encoding for plain text ('utf-8', 'gb18030'). */
  encoding?: string;
}

/** Parse's output: the record without findings, plus every cell with its provenance. */
export interface ParsedReport {
  record: CanonicalRecord;
  cells: ExtractedCell[];
}

/** Normalize's output: Simplified, width-folded text per page, with a way back to source offsets. */
export interface NormalizedPage {
  number: number;
  text: string;
  /**
   * Ascending anchors [normalizedOffset, sourceOffset]: a normalized offset maps to the source
   * offset of the nearest anchor at or before it, plus the distance from that anchor.
   */
  offsetMap: Array<[number, number]>;
  /** The source page's line origins (HTML/DOCX DOM paths), indexed by source line. */
  lineOrigins?: string[];
  /** OCR pages: geometry and confidence per cell, for provenance and LOW_CONFIDENCE_CELL. */
  ocr?: OcrPageInfo;
  /** The page text as extracted, so provenance can quote and locate the original. */
  sourceText: string;
}

export interface NormalizedDocument {
  /** The script the source was written in; the text here is always Simplified. */
  script: Script;
  pages: NormalizedPage[];
}

/** Scanned pages not read yet. */
export function pagesNeedingOcr(pages: ExtractedPage[]): ExtractedPage[] {
  return pages.filter((page) => page.needsOcr && !page.ocr);
}

export function describeSource(file: { sha256: string; fileName: string; mediaType: string }, pages: ExtractedPage[]): SourceInfo {
  return {
    ...file,
    pages: pages.length,
    ocrPages: pages.filter((page) => page.source === 'ocr').map((page) => page.number),
  };
}
