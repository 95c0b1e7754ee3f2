/** `gongkai ingest`: submit files, run or find workers, wait, and print what came out. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { createTable } from './table';
import { summarizeDocuments, type DocumentListRow } from '../shared/db/browse';
import { submitFile } from '../shared/submissions';
import { collectFiles, type SkippedEntry } from './files';
import { printable } from './printable';
import type { Runtime } from './runtime';
import { waitForDocuments, type WaitOutcome } from './wait';

export interface IngestOptions {
  wait: boolean;
  /** 'auto': run workers here when the database is embedded or no worker is listening. */
  localWorkers: 'auto' | 'always' | 'never';
  timeoutSeconds: number;
  /** Reprocess files already processed by the current pipeline version. */
  force: boolean;
  /** Follow symbolic links that stay inside the given folders. */
  followLinks: boolean;
}

/** Workers must run in this process when Postgres is embedded or nobody else serves the queues. */
async function needsLocalWorkers(runtime: Runtime, mode: IngestOptions['localWorkers']): Promise<boolean> {
  if (mode !== 'auto') return mode === 'always';
  if (runtime.database.kind === 'embedded') return true;
  return (await runtime.queues.stages.ingest.getWorkersCount()) === 0;
}

/** Starts workers here if nobody else will process the documents, then waits for all of them. */
export async function driveToCompletion(runtime: Runtime, ids: string[], mode: IngestOptions['localWorkers'], timeoutSeconds: number): Promise<WaitOutcome> {
  if (await needsLocalWorkers(runtime, mode)) {
    if (runtime.database.kind !== 'embedded') console.error('no workers are listening on the queues; running them in this process');
    runtime.startWorkers();
  }
  return waitForDocuments(runtime.db, ids, { timeoutMs: timeoutSeconds * 1000, quiet: !process.stderr.isTTY, signal: runtime.stopping });
}

/** Why a forced or reprocessed document was not started again: a round of it is already running. */
export function underWayNote(round: number, status: string): string {
  return `已由他人重新处理或仍在处理中（第 ${round} 轮，${status}），未再启动 / already re-driven or still being processed (round ${round}, ${status}); not started again`;
}

export function printSummary(rows: DocumentListRow[]): void {
  const table = createTable(['file', 'agency', 'year', 'template', 'findings', 'status'], { colWidths: [null, 30, null, null, null, 40] });
  for (const row of rows) {
    const findings = [row.critical ? `${row.critical} critical` : '', row.errors ? `${row.errors} error` : '', row.warnings ? `${row.warnings} warning` : '']
      .filter(Boolean)
      .join(', ');
    const status = row.status === 'dead_lettered' ? `dead-lettered at ${row.stage}: ${printable(row.error ?? '')}` : row.status;
    table.push([printable(path.basename(row.fileName)), row.agency ?? '', row.year ?? '', row.template ?? '', findings || 'none', status]);
  }
  console.log(table.toString());
}

function printSkipped(skipped: SkippedEntry[]): void {
  if (skipped.length > 0) console.error(`skipped ${skipped.length} entr${skipped.length === 1 ? 'y' : 'ies'}:`);
  for (const entry of skipped) console.error(`  ${printable(path.relative(process.cwd(), entry.path))}: ${entry.reason}`);
}

export async function runIngest(runtime: Runtime, inputs: string[], options: IngestOptions): Promise<number> {
  const { files, skipped } = await collectFiles(inputs, { followLinks: options.followLinks });
  if (files.length === 0) {
    printSkipped(skipped);
    console.error('no files found');
    return 1;
  }
  const ids: string[] = [];
  for (const file of files) {
    const submission = await submitFile(runtime, { bytes: await fs.readFile(file), fileName: path.relative(process.cwd(), file) }, { force: options.force });
    ids.push(submission.documentId);
    if (submission.reprocessed) console.error(`${printable(submission.fileName)}: submitted before; reprocessing`);
    else if (submission.alreadyUnderWay) console.error(`${printable(submission.fileName)}: ${underWayNote(submission.round, submission.status)}`);
    else if (!submission.created) console.error(`${printable(submission.fileName)}: already submitted (${submission.status}); --force reprocesses it`);
  }
  console.error(`submitted ${files.length} file(s)`);
  printSkipped(skipped);
  if (!options.wait) return 0;

  const outcome = await driveToCompletion(runtime, ids, options.localWorkers, options.timeoutSeconds);
  printSummary(await summarizeDocuments(runtime.db, ids));
  console.error(`${outcome.published} published, ${outcome.deadLettered} dead-lettered, ${outcome.unfinished} unfinished`);
  if (runtime.stopping.aborted) return 130;
  return outcome.deadLettered === 0 && outcome.unfinished === 0 ? 0 : 1;
}
