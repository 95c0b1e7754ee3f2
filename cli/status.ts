/** `gongkai status` and `gongkai dlq list`. */
import { createTable } from './table';
import { listDeadLetters, type DeadLetterFilter } from '../shared/db/dead-letters';
import { countDocumentsByState } from '../shared/db/documents';
import type { Runtime } from './runtime';

const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;

export async function printStatus(runtime: Runtime): Promise<void> {
  const documents = createTable(['documents: status', 'stage', 'count']);
  for (const row of await countDocumentsByState(runtime.db)) documents.push([row.status, row.current_stage, Number(row.count)]);
  console.log(documents.toString());

  const queues = createTable(['queue', ...JOB_STATES, 'workers']);
  for (const queue of runtime.queues.all()) {
    const counts = await queue.getJobCounts(...JOB_STATES);
    queues.push([queue.name, ...JOB_STATES.map((state) => counts[state] ?? 0), await queue.getWorkersCount()]);
  }
  console.log(queues.toString());
}

export async function printDeadLetters(runtime: Runtime, filter: DeadLetterFilter = {}): Promise<void> {
  const letters = await listDeadLetters(runtime.db, filter);
  if (letters.length === 0) {
    console.log('the dead-letter queue is empty');
    return;
  }
  const table = createTable(['document', 'file', 'stage', 'code', 'error', 'attempts', 'at'], { colWidths: [38, 30, null, null, 50, null, null] });
  for (const letter of letters) {
    table.push([letter.documentId, letter.fileName, letter.stage, letter.errorCode, letter.message, letter.attempts, letter.createdAt.toISOString()]);
  }
  console.log(table.toString());
}
