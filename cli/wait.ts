/** Waits for documents to reach the end of the pipeline, showing progress, by polling Postgres. */
import { SingleBar, Presets } from 'cli-progress';
import type { Kysely } from 'kysely';
import { documentStatuses } from '../shared/db/documents';
import type { Database } from '../shared/db/schema';

const POLL_MS = 250;

export interface WaitOutcome {
  published: number;
  deadLettered: number;
  unfinished: number;
}

/** Stops waiting at the deadline or when `signal` aborts (Ctrl-C), returning where things stand. */
export async function waitForDocuments(
  db: Kysely<Database>,
  ids: string[],
  options: { timeoutMs: number; quiet?: boolean; signal?: AbortSignal },
): Promise<WaitOutcome> {
  const bar = options.quiet
    ? null
    : new SingleBar(
        { format: '{bar} {value}/{total} documents | published {published} | dead-lettered {dead}', stream: process.stderr, hideCursor: true },
        Presets.shades_classic,
      );
  bar?.start(ids.length, 0, { published: 0, dead: 0 });
  const deadline = Date.now() + options.timeoutMs;
  let outcome: WaitOutcome = { published: 0, deadLettered: 0, unfinished: ids.length };
  try {
    for (;;) {
      const statuses = [...(await documentStatuses(db, ids)).values()];
      const published = statuses.filter((status) => status === 'published').length;
      const deadLettered = statuses.filter((status) => status === 'dead_lettered').length;
      outcome = { published, deadLettered, unfinished: ids.length - published - deadLettered };
      bar?.update(published + deadLettered, { published, dead: deadLettered });
      if (outcome.unfinished === 0 || Date.now() > deadline || options.signal?.aborted) return outcome;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    bar?.stop();
  }
}
