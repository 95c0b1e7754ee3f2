/** Queries on stage_outputs: what normalize, parse and validate hand the next stage (typed by StageOutputs in shared/pipeline.ts). */
import type { Kysely, Transaction } from 'kysely';
import type { StageOutputs, StoredStage } from '../pipeline';
import type { Database } from './schema';

type Db = Kysely<Database> | Transaction<Database>;

export async function saveStageOutput<S extends StoredStage>(db: Db, documentId: string, stage: S, output: StageOutputs[S]): Promise<void> {
  const json = JSON.stringify(output);
  await db
    .insertInto('stage_outputs')
    .values({ document_id: documentId, stage, output: json })
    .onConflict((conflict) => conflict.columns(['document_id', 'stage']).doUpdateSet({ output: json, updated_at: new Date() }))
    .execute();
}

export async function loadStageOutput<S extends StoredStage>(db: Db, documentId: string, stage: S): Promise<StageOutputs[S]> {
  const row = await db
    .selectFrom('stage_outputs')
    .select('output')
    .where('document_id', '=', documentId)
    .where('stage', '=', stage)
    .executeTakeFirst();
  if (!row) throw new Error(`no ${stage} output stored for document ${documentId}`);
  return row.output as unknown as StageOutputs[S];
}
