/**
 * Waiting out an outage of Postgres, Redis or the blob store without spending the document's attempts:
 * the job goes back to BullMQ's delayed set (moveToDelayed does not count an attempt) with a growing
 * delay. When the outage was first seen travels in the job's data, so the wait is bounded by
 * config.infrastructureRetryMs whichever process picks the job up next.
 */
import { DelayedError, type Job } from 'bullmq';
import { describeError, isInfrastructureError } from '../shared/errors';

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;

interface OutageMarks {
  outageSince?: number;
  outageRetries?: number;
}

/** Whether this failure is an outage the job should wait out rather than count as a failed attempt. */
export function shouldWaitOut(job: Job, error: unknown, budgetMs: number, now = Date.now()): boolean {
  if (!isInfrastructureError(error)) return false;
  const since = (job.data as OutageMarks).outageSince ?? now;
  return now - since < budgetMs;
}

/** Parks the job until the service may be back; BullMQ then runs it again as the same attempt. */
export async function waitOutOutage(job: Job, token: string | undefined, error: unknown, queue: string): Promise<never> {
  const marks = job.data as OutageMarks;
  const retries = (marks.outageRetries ?? 0) + 1;
  // Jitter spreads the jobs that failed together over the delay, so they do not all return at once.
  const delayMs = Math.round(Math.min(FIRST_DELAY_MS * 2 ** (retries - 1), MAX_DELAY_MS) * (0.5 + Math.random() * 0.5));
  await job.updateData({ ...job.data, outageSince: marks.outageSince ?? Date.now(), outageRetries: retries });
  await job.moveToDelayed(Date.now() + delayMs, token);
  if (retries === 1 || retries % 20 === 0) {
    console.warn(`[${queue}] job ${job.id} waits for a service to come back (try ${retries}, next in ${delayMs} ms): ${describeError(error)}`);
  }
  throw new DelayedError();
}
