import { sql, type Kysely } from 'kysely';

/**
 * Stage outputs now carry forward what later stages need (StageOutputs in shared/pipeline.ts). Outputs
 * of the old shape cannot be read by the new stages, so they go: a document re-driven from a stage
 * whose input went is reported as missing that input, and reprocessing it from the start rebuilds it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    delete from stage_outputs
    where (stage = 'normalize' and output -> 'normalized' is null)
       or (stage = 'parse' and output -> 'parsed' is null)
       or (stage = 'validate' and output -> 'report' is null)`.execute(db);
}

export async function down(): Promise<void> {
  // The removed outputs cannot be rebuilt here; reprocessing the documents does.
}
