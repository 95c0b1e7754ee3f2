/**
 * The one job layer (after Immich's job service): every queue's worker, the six stages and the scanned
 * pages alike, starts here. It checks the payload, waits out outages of Postgres, Redis or the blob store
 * without spending attempts, fans work out to child jobs and parks the parent until they finish, and
 * decides in one place whether a failure is retried or given up.
 */
import os from 'node:os';
import { DelayedError, UnrecoverableError, WaitingChildrenError, Worker, type Job } from 'bullmq';
import type { z } from 'zod';
import type { Config } from '../shared/config';
import { describeError, isInfrastructureError, isPermanent } from '../shared/errors';
import { isLastAttempt, type JobQueue } from '../shared/pipeline';
import type { PipelineQueues } from '../shared/queues';
import { redisOptions } from '../shared/redis';
import { shouldWaitOut, waitOutOutage } from './infrastructure-retry';

/** Who ran a job, as stage runs record it. */
export const WORKER_NAME = `${os.hostname()}:${process.pid}`;

const STALLED_TOO_OFTEN = /stalled more than allowable limit/;

export interface ChildJob {
  jobId: string;
  data: object;
}

/** One try of a job, as its handler sees it. */
export interface JobRun<Payload> {
  payload: Payload;
  job: Job;
  /**
   * Adds child jobs to a queue and parks this job until they have all finished, when BullMQ runs it
   * again (this call then throws WaitingChildrenError, which the handler lets through). Returns at
   * once when no child is left to wait for.
   */
  waitForChildren(queue: JobQueue, children: ChildJob[]): Promise<void>;
}

export interface JobWorkerOptions<Payload, Attempt> {
  queue: JobQueue;
  schema: z.ZodType<Payload>;
  /** Attempts, backoff and concurrency, from shared/pipeline.ts. */
  policy: { attempts: number; concurrency: number };
  queues: PipelineQueues;
  redisUrl: string;
  config: Pick<Config, 'queuePrefix' | 'lockDurationMs' | 'infrastructureRetryMs'>;
  /** What one try keeps between its handler and the hooks below (a stage's run id). */
  newAttempt(): Attempt;
  handler(run: JobRun<Payload>, attempt: Attempt): Promise<void>;
  /** An outage is being waited out: this try will run again without counting. */
  onOutage?(payload: Payload, error: unknown, attempt: Attempt): Promise<void>;
  /** This try failed and BullMQ will retry it after its backoff. */
  onRetry?(payload: Payload, error: unknown, attempt: Attempt): Promise<void>;
  /**
   * The job will not run again: a permanent error, its last attempt, or (with no attempt) it stalled
   * too often and BullMQ failed it without running the handler. Must be idempotent.
   */
  onGiveUp(payload: Payload, error: unknown, attempt: Attempt | null): Promise<void>;
}

async function waitForChildren(queues: PipelineQueues, job: Job, token: string | undefined, queue: JobQueue, children: ChildJob[]): Promise<void> {
  if (children.length === 0) return;
  await queues.addChildren(queue, children, job);
  if (token && (await job.moveToWaitingChildren(token))) throw new WaitingChildrenError();
}

async function processJob<Payload, Attempt>(options: JobWorkerOptions<Payload, Attempt>, job: Job, token: string | undefined): Promise<void> {
  const parsed = options.schema.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`invalid ${options.queue} job ${job.id}: ${parsed.error.message}`);
  const payload = parsed.data;
  const attempt = options.newAttempt();
  try {
    await options.handler({ payload, job, waitForChildren: (queue, children) => waitForChildren(options.queues, job, token, queue, children) }, attempt);
  } catch (error) {
    if (error instanceof WaitingChildrenError || error instanceof DelayedError) throw error;
    if (shouldWaitOut(job, error, options.config.infrastructureRetryMs)) {
      await options.onOutage?.(payload, error, attempt).catch(() => undefined);
      await waitOutOutage(job, token, error, options.queue);
    }
    if (isPermanent(error) || isLastAttempt(job, options.policy)) {
      await options.onGiveUp(payload, error, attempt);
      throw new UnrecoverableError(describeError(error));
    }
    await options.onRetry?.(payload, error, attempt).catch(() => undefined);
    throw error;
  }
}

export function startJobWorker<Payload, Attempt>(options: JobWorkerOptions<Payload, Attempt>): Worker {
  const { config } = options;
  const worker = new Worker(options.queue, (job, token) => processJob(options, job, token), {
    connection: redisOptions(options.redisUrl),
    prefix: config.queuePrefix,
    concurrency: options.policy.concurrency,
    name: WORKER_NAME,
    lockDuration: config.lockDurationMs,
    stalledInterval: config.lockDurationMs,
    // Handlers are safe to run again (finished work is detected), so stalls get the same allowance as failures.
    maxStalledCount: options.policy.attempts,
  });
  // Errors are recorded per job; an 'error' event without a listener would crash the process.
  // Redis going away is logged once per outage (and its return once), not once per reconnect attempt.
  worker.on('error', (error) => (isInfrastructureError(error) ? options.queues.outage.lost(error) : console.error(`[${options.queue}] worker error: ${describeError(error)}`)));
  // BullMQ fails a job that stalled too often without calling the processor.
  worker.on('failed', (job, error) => {
    const payload = options.schema.safeParse(job?.data);
    if (!payload.success || !STALLED_TOO_OFTEN.test(error.message)) return;
    void options.onGiveUp(payload.data, error, null).catch((failure: unknown) => console.error(`[${options.queue}] could not settle stalled job ${job?.id}: ${describeError(failure)}`));
  });
  return worker;
}
