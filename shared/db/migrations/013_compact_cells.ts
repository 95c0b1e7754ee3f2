import { sql, type Kysely } from 'kysely';

/**
 * A published report's cells, about a hundred per report, were its largest rows: three key strings,
 * a bigserial and a JSON provenance each, some 260 bytes a cell with their indexes. Now each distinct
 * (table, row, column) is named once in cell_keys, and cell_values holds a key id, the cell's position
 * in the report and its provenance as plain columns, about 90 bytes. The view `cells` shows them as
 * before, so queries read cells as they did.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table cell_keys (
      id integer generated always as identity primary key,
      table_name text not null,
      row_key text not null,
      column_key text not null,
      unique (table_name, row_key, column_key)
    )`.execute(db);
  // Fixed-width columns first and widest first, so no byte is lost to alignment.
  await sql`
    create table cell_values (
      document_id uuid not null references documents (id) on delete cascade,
      key_id integer not null references cell_keys (id),
      line integer,
      start_offset integer,
      end_offset integer,
      confidence real,
      position smallint not null,
      page smallint not null,
      value numeric,
      raw text not null,
      unit text,
      dom_path text,
      bbox integer[]
    )`.execute(db);
  await sql`create index cell_values_document_idx on cell_values (document_id)`.execute(db);
  await sql`insert into cell_keys (table_name, row_key, column_key) select distinct table_name, row_key, column_key from cells order by 1, 2, 3`.execute(db);
  await sql`
    insert into cell_values (document_id, key_id, line, start_offset, end_offset, confidence, position, page, value, raw, unit, dom_path, bbox)
    select c.document_id, k.id, (c.provenance ->> 'line')::integer, (c.provenance ->> 'start')::integer, (c.provenance ->> 'end')::integer,
      (c.provenance ->> 'confidence')::real, (row_number() over (partition by c.document_id order by c.id) - 1)::smallint,
      (c.provenance ->> 'page')::smallint, c.value, c.raw, c.unit, c.provenance ->> 'domPath',
      case when jsonb_typeof(c.provenance -> 'bbox') = 'array' then array(select jsonb_array_elements_text(c.provenance -> 'bbox')::numeric::integer) end
    from cells c join cell_keys k on k.table_name = c.table_name and k.row_key = c.row_key and k.column_key = c.column_key`.execute(db);
  await sql`drop table cells`.execute(db);
  await sql`
    create view cells as
    select v.document_id, v.position, k.table_name, k.row_key, k.column_key, v.value, v.raw, v.unit,
      jsonb_strip_nulls(jsonb_build_object('page', v.page, 'line', v.line, 'start', v.start_offset, 'end', v.end_offset,
        'domPath', v.dom_path, 'bbox', to_jsonb(v.bbox), 'confidence', v.confidence)) as provenance
    from cell_values v join cell_keys k on k.id = v.key_id`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop view cells`.execute(db);
  await sql`
    create table cells (
      id bigserial primary key,
      document_id uuid not null references documents (id) on delete cascade,
      table_name text not null,
      row_key text not null,
      column_key text not null,
      value numeric,
      raw text not null,
      unit text,
      provenance jsonb not null
    )`.execute(db);
  await sql`create index cells_document_idx on cells (document_id)`.execute(db);
  await sql`
    insert into cells (document_id, table_name, row_key, column_key, value, raw, unit, provenance)
    select v.document_id, k.table_name, k.row_key, k.column_key, v.value, v.raw, v.unit,
      jsonb_strip_nulls(jsonb_build_object('page', v.page, 'line', v.line, 'start', v.start_offset, 'end', v.end_offset,
        'domPath', v.dom_path, 'bbox', to_jsonb(v.bbox), 'confidence', v.confidence))
    from cell_values v join cell_keys k on k.id = v.key_id order by v.document_id, v.position`.execute(db);
  await sql`drop table cell_values`.execute(db);
  await sql`drop table cell_keys`.execute(db);
}
