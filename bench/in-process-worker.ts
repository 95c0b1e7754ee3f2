/**
 * The floor of `npm run bench:pipeline` (issue 15): one process that runs the stage cores directly on
 * its share of the documents and writes each document's row, report, cells and findings in one kysely
 * transaction. No queues, no stage runs, no stored stage outputs, no sandbox processes: what gongkai
 * adds on top of this is the cost the benchmark's ratio measures.
 *
 *   node --require tsx/cjs bench/in-process-worker.ts '{"databaseUrl": "...", "schema": "...", "copies": [0, 2, 4], "warmUp": [-1, -3], "concurrency": 4}'
 *
 * It loads everything, sends 'ready', starts on 'go', sends 'done' when its copies are written and
 * exits on SIGTERM.
 */
import { randomUUID } from 'node:crypto';
import { sha256Of } from '../shared/blob-store';
import { openServer } from '../shared/db/connect';
import { writePublication } from '../shared/db/reports';
import { PIPELINE_VERSION } from '../shared/pipeline';
import { describeSource } from '../shared/record';
import { extractDocument } from '../workers/ingest/core';
import { normalizeDocument } from '../workers/normalize/core';
import { parseReport } from '../workers/parse/core';
import { readingText } from '../workers/parse/document';
import { buildPublication } from '../workers/publish/core';
import { validateReport, withValidationFindings } from '../workers/validate/core';
import { benchCorpus, benchFile, type BenchFile } from './pipeline-corpus';

interface InProcessTask {
  databaseUrl: string;
  schema: string;
  copies: number[];
  /** Copies read and written before 'ready', so first-use compilation is not timed (as the pipeline's warm-up). */
  warmUp: number[];
  /** Documents in flight at once, so that reading one overlaps writing another, as the pipeline's stages do. */
  concurrency: number;
}

async function processFile(db: Awaited<ReturnType<typeof openServer>>, file: BenchFile): Promise<void> {
  const extracted = await extractDocument(file);
  const normalized = normalizeDocument(extracted);
  const sha256 = sha256Of(file.bytes);
  const parsed = parseReport(normalized, describeSource({ sha256, fileName: file.fileName, mediaType: extracted.mediaType }, extracted.pages));
  const findings = validateReport(parsed.record, { previous: null, bodyText: readingText(normalized, parsed.record.source.mediaType) });
  const documentId = randomUUID();
  const publication = buildPublication({ documentId, round: 0, pipelineVersion: PIPELINE_VERSION }, withValidationFindings(parsed, findings));
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('documents')
      .values({
        id: documentId,
        sha256,
        file_name: file.fileName,
        size_bytes: file.bytes.length,
        media_type: extracted.mediaType,
        status: 'published',
        current_stage: 'publish',
        error: null,
        pipeline_version: PIPELINE_VERSION,
        published_at: new Date(),
      })
      .execute();
    await writePublication(trx, publication);
  });
}

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2]) as InProcessTask;
  const db = await openServer(task.databaseUrl, task.schema);
  const makers = benchCorpus();
  const files = task.copies.map((copy) => benchFile(makers, copy));
  for (const copy of task.warmUp) await processFile(db, benchFile(makers, copy));
  await new Promise<void>((resolve) => {
    process.once('message', () => resolve());
    process.send?.('ready');
  });
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < files.length) await processFile(db, files[next++]);
  };
  await Promise.all(Array.from({ length: task.concurrency }, lane));
  // Alive until the harness has read this process's CPU time (and its Postgres backend's) from /proc.
  const alive = setInterval(() => undefined, 60_000);
  process.once('SIGTERM', () => {
    clearInterval(alive);
    void db.destroy().then(() => process.exit(0));
  });
  process.send?.('done');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
