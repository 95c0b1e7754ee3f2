/** Table types for kysely. The DDL that creates them is in ./migrations. */
import type { ColumnType, Generated, GeneratedAlways, Insertable, Selectable } from 'kysely';
import type { OcrPageInfo } from '../record';

/** A timestamp with a database default: optional on insert. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export type DocumentStatus = 'queued' | 'processing' | 'published' | 'dead_lettered';

export interface DocumentsTable {
  id: Generated<string>;
  sha256: string;
  file_name: string;
  /** The file name's natural sort key (gongkai_natural_key, migration 009), kept by the database. */
  file_name_sort: GeneratedAlways<string | null>;
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

export type StageRunOutcome = 'running' | 'completed' | 'skipped' | 'failed' | 'waiting' | 'interrupted';

export interface StageRunsTable {
  id: Generated<string>;
  document_id: string;
  stage: string;
  round: number;
  attempt: number;
  worker: string;
  started_at: Timestamp;
  finished_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  duration_ms: number | null;
  /**
   * A run is recorded when it ends. 'waiting': the stage fanned out work (OCR pages) and runs again when
   * it is done. 'running' and 'interrupted' are in rows from before migration 012 only.
   */
  outcome: StageRunOutcome;
  error: string | null;
  /** A completed run's output in the stage-output store (shared/stage-outputs.ts); null for publish and for other outcomes. */
  output: ColumnType<string | null, string | null | undefined, string | null>;
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
  /** PageBoxes.lines (shared/page-boxes.ts) of a PDF or OFD text page, in units of page_width × page_height. */
  line_boxes: Json<number[][] | null> | null;
  page_width: number | null;
  page_height: number | null;
}

export interface ReportsTable {
  document_id: string;
  schema_version: number;
  agency: string | null;
  /** The agency's natural sort key (gongkai_natural_key, migration 009), kept by the database. */
  agency_sort: GeneratedAlways<string | null>;
  /** The agency's identity, its division code and folded name (see shared/agency.ts). */
  agency_key: string | null;
  /** The most specific division (GB/T 2260, 6 digits) the report places its agency in, or null. */
  division_code: string | null;
  /** The agency's name qualified with its place when the printed name lacks it (内江市市中区人民政府). */
  agency_full_name: string | null;
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

/** Each (table, row, column) a published cell has had, named once (migration 013). */
export interface CellKeysTable {
  id: GeneratedAlways<number>;
  table_name: string;
  row_key: string;
  column_key: string;
}

/** A published cell: its key, its place among the report's cells, its value and where it was read (Provenance as columns). */
export interface CellValuesTable {
  document_id: string;
  key_id: number;
  position: number;
  /** numeric: read as the exact decimal text; written as one (or a number). */
  value: ColumnType<string | null, string | number | null, string | number | null>;
  raw: string;
  unit: string | null;
  page: number;
  line: number | null;
  start_offset: number | null;
  end_offset: number | null;
  dom_path: string | null;
  bbox: number[] | null;
  confidence: number | null;
}

/** A view: the published cells with their keys spelt out and their provenance as JSON. */
export interface CellsView {
  document_id: string;
  position: number;
  table_name: string;
  row_key: string;
  column_key: string;
  value: string | null;
  raw: string;
  unit: string | null;
  provenance: unknown;
}

export interface FindingsTable {
  id: Generated<string>;
  document_id: string;
  rule: string;
  severity: string;
  /** Chinese (English in rows stored before migration 009). */
  message: string;
  /** English; null in rows stored before migration 009. */
  message_en: ColumnType<string | null, string | null | undefined, string | null>;
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
  /** Set aside by a person, with the reason: the letter leaves the open list without a re-drive. */
  dismissed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  dismissed_by: string | null;
  dismiss_reason: string | null;
  /** The corrected file's document, when the letter was answered with one. */
  replaced_by_document_id: string | null;
}

/** One upload: a folder, several files or ZIPs of them. */
export interface UploadBatchesTable {
  id: Generated<string>;
  /** A user name, or 'token' for an API credential. */
  created_by: string;
  created_at: Timestamp;
  /** Null while the upload is still coming in. */
  received_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Files seen (ZIP entries counted, junk like .DS_Store not). */
  files: ColumnType<number, number | undefined, number>;
  accepted: ColumnType<number, number | undefined, number>;
  /** Junk skipped: directories, __MACOSX/, .DS_Store, Thumbs.db. */
  skipped: ColumnType<number, number | undefined, number>;
  refused: Json<Array<{ path: string; reason: string; detail: string }>>;
}

export interface BatchDocumentsTable {
  batch_id: string;
  document_id: string;
  position: number;
  file_path: string;
  /** False when the same bytes had been submitted before. */
  created: boolean;
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

export type UserRole = 'viewer' | 'operator' | 'admin';

export interface UsersTable {
  id: Generated<number>;
  username: string;
  /** argon2id, PHC string; never the password. */
  password_hash: string;
  role: UserRole;
  created_at: Timestamp;
  disabled_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** A signed-in browser; id is the SHA-256 (hex) of the cookie's token, which is stored nowhere. */
export interface SessionsTable {
  id: string;
  user_id: number;
  csrf_token: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  ended_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Timestamp;
  /** A user name, or token:operator / token:viewer for an API credential. */
  actor: string;
  role: string | null;
  action: string;
  target: string | null;
  detail: Json<Record<string, unknown>>;
  ip: string | null;
}

export interface Database {
  documents: DocumentsTable;
  stage_runs: StageRunsTable;
  pages: PagesTable;
  reports: ReportsTable;
  report_history: ReportHistoryTable;
  cell_keys: CellKeysTable;
  cell_values: CellValuesTable;
  cells: CellsView;
  findings: FindingsTable;
  dead_letters: DeadLettersTable;
  upload_batches: UploadBatchesTable;
  batch_documents: BatchDocumentsTable;
  report_choices: ReportChoicesTable;
  counted_reports: CountedReportsView;
  users: UsersTable;
  sessions: SessionsTable;
  audit_log: AuditLogTable;
}

export type DocumentRow = Selectable<DocumentsTable>;
export type NewDocument = Insertable<DocumentsTable>;
