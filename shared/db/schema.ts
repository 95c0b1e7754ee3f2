/** Table types for kysely. The DDL that creates them is in ./migrations. */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { OcrPageInfo } from '../record';

/** A timestamp with a database default: optional on insert. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export type DocumentStatus = 'queued' | 'processing' | 'published' | 'dead_lettered';

export interface DocumentsTable {
  id: Generated<string>;
  sha256: string;
  file_name: string;
  media_type: string | null;
  size_bytes: ColumnType<number, number, number>;
  status: DocumentStatus;
  current_stage: string;
  /** Re-drive round: stage jobs of an older round are ignored. */
  round: Generated<number>;
  /** The PIPELINE_VERSION (shared/pipeline.ts) that produced the current result, or that it was submitted under. */
  pipeline_version: Generated<number>;
  error: string | null;
  submitted_at: Timestamp;
  updated_at: Timestamp;
  published_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface StageRunsTable {
  id: Generated<string>;
  document_id: string;
  stage: string;
  round: number;
  attempt: number;
  job_id: string;
  worker: string;
  started_at: Timestamp;
  finished_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  duration_ms: number | null;
  /** 'waiting': the stage fanned out work (OCR pages) and runs again when it is done. */
  outcome: 'running' | 'completed' | 'failed' | 'waiting';
  error: string | null;
}

export interface PagesTable {
  document_id: string;
  page_number: number;
  text: string;
  text_source: string;
  needs_ocr: boolean;
  ocr_reason: string | null;
  line_origins: Json<string[] | null> | null;
  ocr: Json<OcrPageInfo | null> | null;
  ocr_error: string | null;
}

/** What one stage hands the next (normalized text, the parsed record, findings), keyed by document. */
export interface StageOutputsTable {
  document_id: string;
  stage: string;
  output: Json<unknown>;
  updated_at: Timestamp;
}

export interface ReportsTable {
  document_id: string;
  schema_version: number;
  agency: string | null;
  /** Agency name folded for matching across years (see shared/agency.ts). */
  agency_key: string | null;
  year: number | null;
  template: string | null;
  script: string;
  published_on: string | null;
  record: Json<unknown>;
  round: number;
  pipeline_version: number;
  created_at: Timestamp;
}

/** A report that a later round of the same document replaced, kept whole. */
export interface ReportHistoryTable {
  id: Generated<string>;
  document_id: string;
  round: number;
  pipeline_version: number;
  agency: string | null;
  year: number | null;
  template: string | null;
  finding_count: number;
  record: Json<unknown>;
  published_at: ColumnType<Date, Date | string, Date | string>;
  superseded_at: Timestamp;
}

export interface CellsTable {
  id: Generated<string>;
  document_id: string;
  table_name: string;
  row_key: string;
  column_key: string;
  value: ColumnType<string | null, number | null, number | null>;
  raw: string;
  unit: string | null;
  provenance: Json<unknown>;
}

export interface FindingsTable {
  id: Generated<string>;
  document_id: string;
  rule: string;
  severity: string;
  message: string;
  cells: Json<string[]>;
}

export interface DeadLettersTable {
  id: Generated<string>;
  document_id: string;
  stage: string;
  round: number;
  error_code: string;
  message: string;
  stack: string | null;
  attempts: Json<Array<{ attempt: number; error: string; at: string }>>;
  payload: Json<unknown>;
  created_at: Timestamp;
  resolved_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** An operator's choice of the report that counts for its agency and year (see counted_reports). */
export interface ReportChoicesTable {
  document_id: string;
  chosen_by: string;
  chosen_at: Timestamp;
}

/** A view: for each agency and year, the one report that roll-ups and exports count. */
export interface CountedReportsView {
  document_id: string;
  agency_key: string;
  year: number;
  chosen_by_operator: boolean;
}

export interface Database {
  documents: DocumentsTable;
  stage_runs: StageRunsTable;
  pages: PagesTable;
  stage_outputs: StageOutputsTable;
  reports: ReportsTable;
  report_history: ReportHistoryTable;
  cells: CellsTable;
  findings: FindingsTable;
  dead_letters: DeadLettersTable;
  report_choices: ReportChoicesTable;
  counted_reports: CountedReportsView;
}

export type DocumentRow = Selectable<DocumentsTable>;
export type NewDocument = Insertable<DocumentsTable>;
