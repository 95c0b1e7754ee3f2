/** `gongkai status`, `gongkai history` and `gongkai dlq list`. */
import fs from 'node:fs/promises';
import { sha256Of } from '../shared/blob-store';
import { printable } from './printable';
import { createTable } from './table';
import { listDeadLetters, type DeadLetterFilter } from '../shared/db/dead-letters';
import { countDocumentsByState, findDocumentBySha256, getDocument } from '../shared/db/documents';
import { reportVersions } from '../shared/db/reports';
import type { DocumentRow } from '../shared/db/schema';
import { findStuckWork, recoverStuckWork, type StuckWork } from '../shared/recovery';
import type { Runtime } from './runtime';

const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;

export async function printStatus(runtime: Runtime): Promise<void> {
  const documents = createTable(['documents: status', 'stage', 'count']);
  for (const row of await countDocumentsByState(runtime.db)) documents.push([row.status, row.current_stage, Number(row.count)]);
  console.log(documents.toString());

  const queues = createTable(['queue', ...JOB_STATES, 'workers']);
  for (const queue of await runtime.queues.depths(JOB_STATES)) queues.push([queue.name, ...JOB_STATES.map((state) => queue.jobs[state]), queue.workers]);
  console.log(queues.toString());

  const stuck = await findStuckWork(runtime);
  if (stuck.documents.length > 0) {
    console.log(`卡住的文档 ${stuck.documents.length} 份：gongkai status --stuck 列出，gongkai recover 重新排队 / ${stuck.documents.length} stuck documents: list them with \`gongkai status --stuck\`, re-drive with \`gongkai recover\``);
  }
}

const MISSING_JOB_NAMES = { missing: '无作业 / no job', failed: '作业已失败 / job failed', completed: '作业已完成 / job completed' } as const;

function printStuckWork(stuck: StuckWork): void {
  if (stuck.documents.length > 0) {
    const table = createTable(['document', 'file', 'status', 'stage', 'round', 'since', 'job']);
    for (const document of stuck.documents) {
      table.push([document.id, printable(document.fileName), document.status, document.stage, document.round, document.updatedAt.toISOString(), MISSING_JOB_NAMES[document.job]]);
    }
    console.log(table.toString());
  }
}

/** `gongkai status --stuck`: what the reconciler would recover, without recovering it. */
export async function printStuck(runtime: Runtime, olderThanMs: number): Promise<void> {
  const stuck = await findStuckWork(runtime, olderThanMs);
  printStuckWork(stuck);
  console.log(`卡住的文档 ${stuck.documents.length} 份 / ${stuck.documents.length} stuck documents`);
  if (stuck.documents.length > 0) console.log('运行 gongkai recover 重新排队 / run `gongkai recover` to put them back on their queues');
}

/** `gongkai recover`: re-drives stuck documents now instead of at the workers' next sweep. */
export async function recoverStuck(runtime: Runtime, olderThanMs: number): Promise<void> {
  const stuck = await findStuckWork(runtime, olderThanMs);
  printStuckWork(stuck);
  const recovered = await recoverStuckWork(runtime, stuck);
  console.log(`已重新排队 ${recovered.requeued.length} 份文档 / requeued ${recovered.requeued.length} documents`);
}

export async function printDeadLetters(runtime: Runtime, filter: DeadLetterFilter = {}): Promise<void> {
  const letters = await listDeadLetters(runtime.db, filter);
  if (letters.length === 0) {
    console.log('the dead-letter queue is empty');
    return;
  }
  const table = createTable(['document', 'file', 'stage', 'code', 'error', 'attempts', 'at'], { colWidths: [38, 30, null, null, 50, null, null] });
  for (const letter of letters) {
    table.push([letter.documentId, printable(letter.fileName), letter.stage, letter.errorCode, printable(letter.message), letter.attempts, letter.createdAt.toISOString()]);
  }
  console.log(table.toString());
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A document named by its id, or by a file whose bytes were submitted. */
async function findDocument(runtime: Runtime, idOrFile: string): Promise<DocumentRow | undefined> {
  if (UUID.test(idOrFile)) return getDocument(runtime.db, idOrFile);
  return findDocumentBySha256(runtime.db, sha256Of(await fs.readFile(idOrFile)));
}

export async function printHistory(runtime: Runtime, idOrFile: string): Promise<void> {
  const document = await findDocument(runtime, idOrFile);
  if (!document) throw new Error(`${idOrFile} was never submitted`);
  console.log(`${printable(document.file_name)} (${document.id}): ${document.status} at ${document.current_stage}, round ${document.round}`);
  const versions = await reportVersions(runtime.db, document.id);
  if (versions.length === 0) {
    console.log('no report published yet');
    return;
  }
  const table = createTable(['round', 'pipeline', 'agency', 'year', 'template', 'findings', 'published', 'superseded']);
  for (const version of versions) {
    table.push([
      version.round,
      `v${version.pipelineVersion}`,
      version.agency ?? '',
      version.year ?? '',
      version.template ?? '',
      version.findings,
      version.publishedAt.toISOString(),
      version.supersededAt?.toISOString() ?? 'in force',
    ]);
  }
  console.log(table.toString());
}
