import { sql, type Kysely } from 'kysely';

/**
 * Stage outputs move to the stage-output store (shared/stage-outputs.ts): a completed run records its
 * output's key, and stage_outputs goes. A run is now recorded when it ends, so runs left 'running' by
 * the old code are closed as interrupted; and its job id, which the stage, document and round name
 * (stageJobId), is no longer kept. Outputs stored before this migration are not carried over:
 * a document re-driven from a later stage is reported as missing its input, and reprocessing it from
 * the start rebuilds it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('stage_runs').addColumn('output', 'text').execute();
  await sql`
    update stage_runs set outcome = 'interrupted', finished_at = coalesce(finished_at, now()),
      error = coalesce(error, '升级时仍在运行 / still running at the upgrade to the stage-output store')
    where outcome = 'running'`.execute(db);
  await db.schema.dropTable('stage_outputs').execute();
  await db.schema.alterTable('stage_runs').dropColumn('job_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('stage_outputs')
    .addColumn('document_id', 'uuid', (c) => c.notNull().references('documents.id').onDelete('cascade'))
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('output', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('stage_outputs_pk', ['document_id', 'stage'])
    .execute();
  await db.schema.alterTable('stage_runs').dropColumn('output').execute();
  await sql`alter table stage_runs add column job_id text not null default ''`.execute(db);
  await sql`update stage_runs set job_id = document_id || '.' || stage || '.' || round`.execute(db);
}
